package dev.lethe.evaluator.llm;

import dev.lethe.evaluator.checkpoint.CheckpointException;
import dev.lethe.evaluator.checkpoint.CheckpointRejectedException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Turns an {@code OPENAI_COMPLETIONS} checkpoint URI (the server's base URL, e.g. {@code http://gpu-3:8000} or
 * {@code .../v1}) into its {@code /v1/completions} URL, refusing it unless it is http(s), without credentials or
 * {@code ..}, and starts with an allow-listed prefix at a path boundary: the same rule and the same
 * {@code lethe.evaluator.allowed.urls} list as http(s) checkpoint downloads.
 */
final class CompletionsEndpoint {

    private final List<String> allowedUrlPrefixes;

    public CompletionsEndpoint(List<String> allowedUrlPrefixes) {
        this.allowedUrlPrefixes = List.copyOf(allowedUrlPrefixes);
    }

    /** The completions URL for {@code baseUrl}, or a {@link CheckpointRejectedException} (CHECKPOINT_REJECTED). */
    public URI resolve(String baseUrl) throws CheckpointException {
        URI uri;
        try {
            uri = new URI(baseUrl);
        } catch (URISyntaxException | NullPointerException e) {
            throw new CheckpointRejectedException("completions endpoint is not a URL: '" + baseUrl + "'", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new CheckpointRejectedException("an OPENAI_COMPLETIONS checkpoint URI must be an http(s) base URL, got " + baseUrl);
        }
        if (uri.getRawUserInfo() != null) {
            throw new CheckpointRejectedException("credentials in an endpoint URL are refused (set LETHE_LLM_API_KEY): " + uri.getHost());
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new CheckpointRejectedException("endpoint URL must not have a query or fragment: " + uri.getHost());
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw new CheckpointRejectedException("path traversal ('..') in endpoint URL refused: " + uri);
            }
        }
        String normalized = uri.normalize().toString();
        boolean allowed = false;
        for (String prefix : allowedUrlPrefixes) {
            if (normalized.startsWith(prefix)
                    && (prefix.endsWith("/") || normalized.length() == prefix.length() || normalized.charAt(prefix.length()) == '/')) {
                allowed = true;
                break;
            }
        }
        if (!allowed) {
            throw new CheckpointRejectedException("completions endpoint " + normalized + " is not on the allow-list " + allowedUrlPrefixes
                    + " (lethe.evaluator.allowed.urls / --allow-url)");
        }
        String base = normalized.endsWith("/") ? normalized.substring(0, normalized.length() - 1) : normalized;
        if (base.endsWith("/completions")) {
            return URI.create(base);
        }
        return URI.create(base.endsWith("/v1") ? base + "/completions" : base + "/v1/completions");
    }
}

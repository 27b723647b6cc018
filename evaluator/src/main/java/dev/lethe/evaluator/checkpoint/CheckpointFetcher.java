package dev.lethe.evaluator.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Copies a checkpoint named by an event's URI into a worker-private file, enforcing where it may come
 * from ({@code file:} under a checkpoint root, {@code http(s):} on the allow-list), its size limit and
 * its sha256.
 */
public final class CheckpointFetcher {

    private final List<Path> roots;
    private final List<String> allowedUrlPrefixes;
    private final long maxBytes;
    private final Duration httpTimeout;
    private final Path workDir;
    private volatile HttpClient http;

    public CheckpointFetcher(List<Path> roots, List<String> allowedUrlPrefixes, long maxBytes, Duration httpTimeout, Path workDir) {
        this.roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.allowedUrlPrefixes = List.copyOf(allowedUrlPrefixes);
        this.maxBytes = maxBytes;
        this.httpTimeout = httpTimeout;
        this.workDir = workDir;
    }

    /** Fetches {@code uri} into a private file and checks its size and sha256; the caller closes the result. */
    public FetchedCheckpoint fetch(String uri, String expectedSha256) throws CheckpointException {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException | NullPointerException e) {
            throw new CheckpointRejectedException("checkpoint URI is not a URI: '" + uri + "'", e);
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        FetchedCheckpoint fetched = switch (scheme) {
            case "file" -> copyFile(localPath(parsed));
            case "http", "https" -> download(allowedUrl(parsed));
            default -> throw new CheckpointRejectedException(
                    "checkpoint URI scheme '" + scheme + "' is not allowed (file: under a checkpoint root, or http(s): on the allow-list): " + uri);
        };
        if (!fetched.sha256().equalsIgnoreCase(expectedSha256 == null ? "" : expectedSha256)) {
            fetched.close();
            throw new CheckpointRejectedException("sha256 mismatch for " + uri + ": expected " + expectedSha256
                    + ", file has " + fetched.sha256());
        }
        return fetched;
    }

    /** The local path of a {@code file:} URI if it lies under a root, even after resolving symlinks. */
    Path localPath(URI uri) throws CheckpointException {
        if (uri.getPath() == null || uri.getRawAuthority() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new CheckpointRejectedException("file: checkpoint URI must be file:/absolute/path without host, query or fragment: " + uri);
        }
        if (hasDotDotSegment(uri.getPath())) {
            throw new CheckpointRejectedException("path traversal ('..') in checkpoint URI refused: " + uri);
        }
        Path path;
        try {
            path = Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new CheckpointRejectedException("file: checkpoint URI is not a local path: " + uri, e);
        }
        if (roots.stream().noneMatch(path::startsWith)) {
            throw new CheckpointRejectedException("checkpoint " + path + " is outside the checkpoint roots " + roots);
        }
        if (!Files.exists(path)) {
            throw new CheckpointUnavailableException("checkpoint file does not exist: " + path);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new CheckpointUnavailableException("checkpoint file cannot be resolved: " + path, e);
        }
        // a symlink inside a root must not lead outside every root
        boolean inside = false;
        for (Path root : roots) {
            try {
                if (real.startsWith(root.toRealPath())) {
                    inside = true;
                    break;
                }
            } catch (IOException ignored) {
                // a root that does not exist holds nothing
            }
        }
        if (!inside) {
            throw new CheckpointRejectedException("checkpoint " + path + " resolves to " + real + ", outside the checkpoint roots");
        }
        if (!Files.isRegularFile(real)) {
            throw new CheckpointUnavailableException("checkpoint is not a regular file: " + path);
        }
        return real;
    }

    URI allowedUrl(URI uri) throws CheckpointException {
        if (uri.getRawUserInfo() != null) {
            throw new CheckpointRejectedException("credentials in a checkpoint URL are refused: " + uri.getHost());
        }
        if (uri.getPath() != null && hasDotDotSegment(uri.getPath())) {
            throw new CheckpointRejectedException("path traversal ('..') in checkpoint URL refused: " + uri);
        }
        String normalized = uri.normalize().toString();
        for (String prefix : allowedUrlPrefixes) {
            if (normalized.startsWith(prefix)
                    && (prefix.endsWith("/") || normalized.length() == prefix.length() || normalized.charAt(prefix.length()) == '/')) {
                return uri.normalize();
            }
        }
        throw new CheckpointRejectedException("checkpoint URL " + normalized + " is not on the allow-list " + allowedUrlPrefixes);
    }

    private FetchedCheckpoint copyFile(Path source) throws CheckpointException {
        try {
            long size = Files.size(source);
            if (size > maxBytes) {
                throw new CheckpointRejectedException("checkpoint " + source + " is " + size + " bytes, over the limit of " + maxBytes);
            }
            try (InputStream in = Files.newInputStream(source)) {
                return copyHashed(in, source.toString());
            }
        } catch (NoSuchFileException e) {
            throw new CheckpointUnavailableException("checkpoint file disappeared: " + source, e);
        } catch (IOException e) {
            throw new CheckpointUnavailableException("cannot read checkpoint " + source + ": " + e.getMessage(), e);
        }
    }

    private FetchedCheckpoint download(URI url) throws CheckpointException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(httpTimeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = httpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new CheckpointUnavailableException("cannot download checkpoint " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointUnavailableException("interrupted while downloading " + url, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new CheckpointUnavailableException("checkpoint download " + url + " answered HTTP " + response.statusCode());
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                throw new CheckpointRejectedException("checkpoint " + url + " declares " + declared + " bytes, over the limit of " + maxBytes);
            }
            return copyHashed(body, url.toString());
        } catch (IOException e) {
            throw new CheckpointUnavailableException("checkpoint download " + url + " failed: " + e.getMessage(), e);
        }
    }

    private HttpClient httpClient() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(httpTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    /** Streams {@code in} into a private temp file, hashing as it goes and stopping at the size limit. */
    private FetchedCheckpoint copyHashed(InputStream in, String what) throws IOException, CheckpointRejectedException {
        Files.createDirectories(workDir);
        Path copy = Files.createTempFile(workDir, "checkpoint-", ".zip");
        MessageDigest sha = sha256();
        long total = 0;
        boolean ok = false;
        try (OutputStream out = Files.newOutputStream(copy)) {
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                total += read;
                if (total > maxBytes) {
                    throw new CheckpointRejectedException("checkpoint " + what + " is over the size limit of " + maxBytes + " bytes");
                }
                sha.update(buffer, 0, read);
                out.write(buffer, 0, read);
            }
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(copy);
            }
        }
        return new FetchedCheckpoint(copy, HexFormat.of().formatHex(sha.digest()), total);
    }

    private static boolean hasDotDotSegment(String path) {
        for (String segment : path.split("[/\\\\]")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

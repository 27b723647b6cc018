package dev.lethe.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchemaRegistryClient} speaking Confluent's REST API (content type
 * {@value #CONTENT_TYPE}) over the JDK HttpClient, against Confluent, Apicurio ccompat, Karapace or Lethe's
 * embedded registry. Caches ids and schemas (both immutable in a registry), retries a registry that is down
 * or answers 5xx with exponential backoff over every configured URL, then fails naming the URLs.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final String authorization;
    private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ConcurrentMap<Schema, Integer>> registeredIds = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ConcurrentMap<Schema, RegisteredSchema>> lookups = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(RegistryClientConfig config) {
        this.config = config;
        // HTTP/1.1: registries (and the JDK's own server) do not all speak h2c; an upgrade attempt only costs
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout())
                .build();
        this.authorization = config.userInfo() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(config.userInfo().getBytes(StandardCharsets.UTF_8));
    }

    /** A client configured from serde/client properties ({@link RegistryClientConfig#from}). */
    public static RestSchemaRegistryClient fromConfig(Map<String, ?> configs) {
        return new RestSchemaRegistryClient(RegistryClientConfig.from(configs));
    }

    public RegistryClientConfig config() {
        return config;
    }

    @Override
    public int register(String subject, Schema schema) {
        ConcurrentMap<Schema, Integer> ids = registeredIds.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = requiredInt(answer, "id");
        ids.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        ConcurrentMap<Schema, RegisteredSchema> bySchema = lookups.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        RegisteredSchema cached = bySchema.get(schema);
        if (cached != null) {
            return cached;
        }
        RegisteredSchema found = toRegistered(send("POST", "/subjects/" + encode(subject), schemaBody(schema)), subject);
        bySchema.put(schema, found);
        return found;
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(requiredText(answer, "schema"));
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous == null ? schema : previous;
    }

    @Override
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        send("GET", "/subjects", null).forEach(n -> subjects.add(n.asText()));
        return subjects.stream().sorted().toList();
    }

    @Override
    public List<Integer> versions(String subject) {
        List<Integer> versions = new ArrayList<>();
        send("GET", "/subjects/" + encode(subject) + "/versions", null).forEach(n -> versions.add(n.asInt()));
        return versions;
    }

    @Override
    public RegisteredSchema schemaByVersion(String subject, int version) {
        return toRegistered(send("GET", "/subjects/" + encode(subject) + "/versions/" + version, null), subject);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return toRegistered(send("GET", "/subjects/" + encode(subject) + "/versions/latest", null), subject);
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        JsonNode answer;
        try {
            answer = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema));
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
                return true; // older Confluent registries answer 40401 for a new subject: nothing to conflict with
            }
            throw e;
        }
        JsonNode flag = answer.get("is_compatible");
        if (flag == null || !flag.isBoolean()) {
            throw malformed("is_compatible", answer);
        }
        return flag.asBoolean();
    }

    @Override
    public CompatibilityLevel getConfig(String subject) {
        String path = subject == null ? "/config" : "/config/" + encode(subject) + "?defaultToGlobal=true";
        JsonNode answer;
        try {
            answer = send("GET", path, null);
        } catch (SchemaRegistryException e) {
            // registries without defaultToGlobal answer 404 for a subject without its own level
            if (subject != null && e.isNotFound()) {
                return getConfig(null);
            }
            throw e;
        }
        String level = answer.has("compatibilityLevel") ? answer.get("compatibilityLevel").asText()
                : answer.path("compatibility").asText(null);
        CompatibilityLevel parsed = CompatibilityLevel.parse(level);
        if (parsed == null) {
            throw malformed("compatibilityLevel", answer);
        }
        return parsed;
    }

    @Override
    public void setConfig(String subject, CompatibilityLevel level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        send("PUT", subject == null ? "/config" : "/config/" + encode(subject), body);
    }

    @Override
    public String location() {
        return String.join(",", config.urls());
    }

    /**
     * One request, tried at every URL in turn; a round where every URL is unreachable or answers 5xx, 408 or 429 is
     * retried after an exponentially growing backoff, up to {@code maxRetries} times. Any other 4xx is final. (408 and
     * 429 are the registry's HTTP layer shedding load: too many connections from this address, a request too slow.)
     */
    private JsonNode send(String method, String path, JsonNode body) {
        String lastError = null;
        Throwable lastCause = null;
        int attempts = config.maxRetries() + 1;
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                pause(attempt);
            }
            for (String base : config.urls()) {
                HttpRequest request = request(method, base + path, body);
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    int status = response.statusCode();
                    if (status >= 200 && status < 300) {
                        return response.body() == null || response.body().isBlank()
                                ? JSON.nullNode() : JSON.readTree(response.body());
                    }
                    if (status >= 500 || status == 408 || status == 429) {
                        lastError = "HTTP " + status + " from " + base + ": " + abbreviate(response.body());
                        lastCause = null;
                        LOG.debug("registry {} {} answered {}, trying next", method, base + path, status);
                        continue;
                    }
                    throw error(status, response.body(), base, method, path);
                } catch (IOException e) {
                    lastError = e.getClass().getSimpleName() + " at " + base
                            + (e.getMessage() == null ? "" : ": " + e.getMessage());
                    lastCause = e;
                    LOG.debug("registry {} {} failed: {}", method, base + path, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SchemaRegistryException(503, SchemaRegistryException.UNAVAILABLE,
                            "interrupted while calling schema registry " + base + path, base, e);
                }
            }
        }
        throw new SchemaRegistryException(503, SchemaRegistryException.UNAVAILABLE,
                "schema registry unavailable: " + method + " " + path + " failed at " + location() + " after "
                        + attempts + " attempt(s) per URL; last error: " + lastError,
                location(), lastCause);
    }

    private void pause(int attempt) {
        long base = config.retryBackoff().toMillis();
        long delay = Math.min(config.maxRetryBackoff().toMillis(), base << Math.min(attempt - 1, 20));
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(503, SchemaRegistryException.UNAVAILABLE,
                    "interrupted while waiting to retry schema registry " + location(), location(), e);
        }
    }

    private HttpRequest request(String method, String url, JsonNode body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", CONTENT_TYPE);
            builder.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private static SchemaRegistryException error(int status, String body, String base, String method, String path) {
        int code = status;
        String message = abbreviate(body);
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.has("error_code")) {
                code = json.get("error_code").asInt(status);
                message = json.path("message").asText(message);
            }
        } catch (IOException | RuntimeException ignored) {
            // not Confluent's error JSON (e.g. a proxy page): keep the raw body
        }
        return new SchemaRegistryException(status, code,
                "schema registry " + base + " refused " + method + " " + path + ": HTTP " + status
                        + " error_code " + code + ": " + message, base);
    }

    private RegisteredSchema toRegistered(JsonNode answer, String subject) {
        String actualSubject = answer.path("subject").asText(subject);
        return new RegisteredSchema(actualSubject, requiredInt(answer, "version"), requiredInt(answer, "id"),
                parse(requiredText(answer, "schema")));
    }

    private static ObjectNode schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString());
    }

    private Schema parse(String text) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(502, SchemaRegistryException.INVALID_SCHEMA,
                    "schema registry " + location() + " returned a schema Avro cannot parse: " + e.getMessage(),
                    location(), e);
        }
    }

    private int requiredInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw malformed(field, node);
        }
        return value.asInt();
    }

    private String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw malformed(field, node);
        }
        return value.asText();
    }

    private SchemaRegistryException malformed(String field, JsonNode answer) {
        return new SchemaRegistryException(502, SchemaRegistryException.STORE_ERROR,
                "schema registry " + location() + " answered without '" + field + "': " + abbreviate(String.valueOf(answer)),
                location());
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}

package dev.lethe.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.lethe.schemas.registry.CompatibilityLevel;
import dev.lethe.schemas.registry.RegisteredSchema;
import dev.lethe.schemas.registry.RegistryStore;
import dev.lethe.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confluent's REST subset for the embedded registry: routes each request to {@link RegistryStore}, writes
 * every change to the {@link SchemaLog} before applying it, and answers with Confluent's JSON shapes and
 * error codes.
 */
final class RegistryHttpHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    /** An HTTP answer: status and JSON body (an already rendered schema for the raw /schema endpoints). */
    private record Answer(int status, String body) {
        static Answer ok(Object json) {
            try {
                return new Answer(200, json instanceof String s ? s : JSON.writeValueAsString(json));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final RegistryStore store;
    private final SchemaLog log;
    private static final java.util.Set<String> ACCEPTED_MEDIA_TYPES = java.util.Set.of("application/vnd.schemaregistry.v1+json",
            "application/vnd.schemaregistry+json", "application/json", "application/octet-stream");
    /** Confluent's "unknown leader" code: this instance is not (any more) the one that writes the log. */
    static final int NOT_THE_WRITER = 50004;
    private static final long WRITER_CONFIRMATION_INTERVAL_NANOS = 1_000_000_000L;
    private volatile boolean replaced;
    private volatile long lastConfirmedNanos = System.nanoTime();
    private final byte[] expectedAuthorization;
    private final Object writeLock = new Object();

    RegistryHttpHandler(RegistryStore store, SchemaLog log, String userInfo) {
        this.store = store;
        this.log = log;
        this.expectedAuthorization = userInfo == null ? null
                : ("Basic " + java.util.Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Answer answer;
        try {
            if (replaced) {
                answer = notTheWriter();
            } else if (!authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"lethe-schema-registry\"");
                answer = error(401, 401, "Unauthorized");
            } else {
                answer = route(exchange);
            }
        } catch (SchemaRegistryException e) {
            answer = e.isNotFound() && !stillTheWriter() ? notTheWriter() : error(e.httpStatus(), e.errorCode(), e.getMessage());
        } catch (SchemaLog.NotTheWriterException e) {
            answer = replacedBy(e);
        } catch (BadRequest e) {
            answer = error(e.status, e.code, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Schema registry request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            answer = error(500, SchemaRegistryException.STORE_ERROR, "Error in the backend data store: " + e.getMessage());
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * A 404 from a copy of the log that a newer instance has moved past would make a client dead-letter a valid
     * record, so before answering "not found" this instance proves it is still the writer (at most once a second).
     */
    private boolean stillTheWriter() {
        long now = System.nanoTime();
        if (now - lastConfirmedNanos < WRITER_CONFIRMATION_INTERVAL_NANOS) {
            return true;
        }
        try {
            synchronized (writeLock) {
                log.confirmWriter();
            }
            lastConfirmedNanos = now;
            return true;
        } catch (SchemaLog.NotTheWriterException e) {
            replacedBy(e);
            return false;
        }
    }

    private Answer replacedBy(SchemaLog.NotTheWriterException e) {
        if (!replaced) {
            replaced = true;
            LOG.error("{}: every request is now answered 503; point clients at the instance that took over", e.getMessage());
        }
        return notTheWriter();
    }

    private static Answer notTheWriter() {
        return error(503, NOT_THE_WRITER, "this schema registry instance was replaced by a newer one on the same log "
                + "topic and no longer serves; use the newer instance");
    }

    private boolean authorized(HttpExchange exchange) {
        if (expectedAuthorization == null) {
            return true;
        }
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        return given != null && MessageDigest.isEqual(expectedAuthorization, given.strip().getBytes(StandardCharsets.UTF_8));
    }

    private Answer route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> path = segments(exchange.getRequestURI().getRawPath());
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        int n = path.size();
        if (n == 0) {
            return Answer.ok(JSON.createObjectNode());
        }
        boolean deleted = "true".equalsIgnoreCase(query.get("deleted"));
        boolean permanent = "true".equalsIgnoreCase(query.get("permanent"));
        if (method.equals("POST") || method.equals("PUT")) {
            requireJsonBody(exchange);
        }
        switch (path.get(0)) {
            case "subjects" -> {
                if (n == 1) {
                    requireMethod(method, "GET");
                    String prefix = query.getOrDefault("subjectPrefix", "");
                    return Answer.ok(store.subjects(deleted).stream().filter(s -> s.startsWith(prefix)).toList());
                }
                String subject = path.get(1);
                if (n == 2) {
                    if (method.equals("DELETE")) {
                        return Answer.ok(deleteSubject(subject, permanent));
                    }
                    requireMethod(method, "POST");
                    Schema schema = schemaFrom(exchange);
                    return Answer.ok(versionJson(store.lookup(subject, schema)));
                }
                if (n >= 3 && path.get(2).equals("versions")) {
                    if (n == 3 && method.equals("POST")) {
                        return Answer.ok(JSON.createObjectNode().put("id", register(subject, schemaFrom(exchange)).id()));
                    }
                    if (n == 4 && method.equals("DELETE")) {
                        return Answer.ok(deleteVersion(subject, versionNumber(path.get(3)), permanent));
                    }
                    requireMethod(method, "GET");
                    if (n == 3) {
                        return Answer.ok(store.versions(subject, deleted));
                    }
                    Integer number = versionNumber(path.get(3));
                    RegisteredSchema version = number == null ? store.latest(subject) : store.schemaByVersion(subject, number, deleted);
                    if (n == 4) {
                        return Answer.ok(versionJson(version));
                    }
                    if (n == 5 && path.get(4).equals("schema")) {
                        return Answer.ok(version.schema().toString());
                    }
                }
            }
            case "schemas" -> {
                if (n == 2 && path.get(1).equals("types")) {
                    requireMethod(method, "GET");
                    return Answer.ok(List.of("AVRO"));
                }
                if (n >= 3 && path.get(1).equals("ids")) {
                    requireMethod(method, "GET");
                    int id = schemaId(path.get(2));
                    Schema schema = store.schemaById(id);
                    if (n == 3) {
                        return Answer.ok(JSON.createObjectNode().put("schema", schema.toString()));
                    }
                    if (n == 4 && path.get(3).equals("schema")) {
                        return Answer.ok(schema.toString());
                    }
                    if (n == 4 && path.get(3).equals("subjects")) {
                        return Answer.ok(store.usesOf(id, deleted).stream().map(RegisteredSchema::subject).distinct().toList());
                    }
                    if (n == 4 && path.get(3).equals("versions")) {
                        ArrayNode uses = JSON.createArrayNode();
                        store.usesOf(id, deleted).forEach(u -> uses.addObject().put("subject", u.subject()).put("version", u.version()));
                        return Answer.ok(uses);
                    }
                }
            }
            case "compatibility" -> {
                boolean oneVersion = n == 5 && path.get(1).equals("subjects") && path.get(3).equals("versions");
                boolean allVersions = n == 4 && path.get(1).equals("subjects") && path.get(3).equals("versions");
                if (oneVersion || allVersions) {
                    requireMethod(method, "POST");
                    String subject = path.get(2);
                    // all versions: what registering would check (the subject's level over its live history)
                    Integer version = oneVersion ? versionNumber(path.get(4)) : null;
                    Schema schema = schemaFrom(exchange);
                    List<String> problems = store.incompatibilities(subject, schema, version);
                    ObjectNode result = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
                    if ("true".equalsIgnoreCase(query.get("verbose"))) {
                        ArrayNode messages = result.putArray("messages");
                        problems.forEach(messages::add);
                    }
                    return Answer.ok(result);
                }
            }
            case "config" -> {
                if (n <= 2) {
                    String subject = n == 2 ? path.get(1) : null;
                    if (subject != null && method.equals("DELETE")) {
                        synchronized (writeLock) {
                            CompatibilityLevel previous = store.planConfigDelete(subject);
                            log.appendConfigDelete(subject);
                            store.applyConfigDelete(subject);
                            return Answer.ok(JSON.createObjectNode().put("compatibilityLevel", previous.name()));
                        }
                    }
                    if (method.equals("PUT")) {
                        CompatibilityLevel level = levelFrom(exchange);
                        synchronized (writeLock) {
                            log.appendConfig(subject, level);
                            store.applyConfig(subject, level);
                        }
                        return Answer.ok(JSON.createObjectNode().put("compatibility", level.name()));
                    }
                    requireMethod(method, "GET");
                    CompatibilityLevel level;
                    if (subject == null) {
                        level = store.globalConfig();
                    } else {
                        level = store.subjectConfig(subject);
                        if (level == null && "true".equalsIgnoreCase(query.get("defaultToGlobal"))) {
                            level = store.globalConfig();
                        }
                        if (level == null) {
                            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_CONFIG_NOT_FOUND,
                                    "Subject '" + subject + "' does not have subject-level compatibility configured",
                                    store.location());
                        }
                    }
                    return Answer.ok(JSON.createObjectNode().put("compatibilityLevel", level.name()));
                }
            }
            default -> {
                // falls through to 404 below
            }
        }
        throw new BadRequest(404, 404, "HTTP 404 Not Found");
    }

    private RegisteredSchema register(String subject, Schema schema) {
        synchronized (writeLock) {
            RegistryStore.Registration registration = store.planRegistration(subject, schema);
            if (registration.created()) {
                // durable first: an id is only handed out once it survives a restart
                log.appendSchema(registration.schema());
                store.applySchema(registration.schema());
                LOG.debug("Registered {} version {} as id {}", subject, registration.schema().version(),
                        registration.schema().id());
            }
            return registration.schema();
        }
    }

    /** Confluent's DELETE /subjects/{s}: soft first (versions hidden), then ?permanent=true; answers the version numbers. */
    private List<Integer> deleteSubject(String subject, boolean permanent) {
        synchronized (writeLock) {
            List<RegisteredSchema> versions = store.planSubjectDelete(subject, permanent);
            if (permanent) {
                log.appendIdFloor(store.maxId());
            }
            for (RegisteredSchema version : versions) {
                log.appendSchemaDelete(version, permanent); // durable first, as for registrations
                store.applyVersionDelete(subject, version.version(), permanent);
            }
            return versions.stream().map(RegisteredSchema::version).toList();
        }
    }

    /** Confluent's DELETE /subjects/{s}/versions/{v}: soft first, then ?permanent=true; answers the version number. */
    private int deleteVersion(String subject, Integer version, boolean permanent) {
        synchronized (writeLock) {
            RegisteredSchema target = store.planVersionDelete(subject, version, permanent);
            if (permanent) {
                log.appendIdFloor(store.maxId());
            }
            log.appendSchemaDelete(target, permanent);
            store.applyVersionDelete(subject, target.version(), permanent);
            return target.version();
        }
    }

    /** 415 for a body in a media type Confluent's API does not take (its JSON types; none given counts as JSON). */
    private static void requireJsonBody(HttpExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || type.isBlank()) {
            return;
        }
        String media = type.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!ACCEPTED_MEDIA_TYPES.contains(media)) {
            throw new BadRequest(415, 415, "HTTP 415 Unsupported Media Type: " + media + "; send "
                    + "application/vnd.schemaregistry.v1+json");
        }
    }

    /** null for "latest" (or -1, as Confluent accepts). */
    private Integer versionNumber(String text) {
        if (text.equals("latest")) {
            return null;
        }
        try {
            int version = Integer.parseInt(text);
            if (version == -1) {
                return null;
            }
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadRequest(422, SchemaRegistryException.INVALID_VERSION, "The specified version '" + text
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    private int schemaId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND,
                    "Schema " + text + " not found", store.location());
        }
    }

    private Schema schemaFrom(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        JsonNode type = body.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new BadRequest(422, SchemaRegistryException.INVALID_SCHEMA,
                    "Invalid schema: schemaType " + type.asText() + " is not supported, only AVRO");
        }
        JsonNode references = body.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw new BadRequest(422, SchemaRegistryException.INVALID_SCHEMA,
                    "Invalid schema: schema references are not supported by this registry");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new BadRequest(422, SchemaRegistryException.INVALID_SCHEMA,
                    "Invalid schema: the request body needs a \"schema\" string");
        }
        return RegistryStore.parse(schema.asText(), store.location());
    }

    private CompatibilityLevel levelFrom(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        String text = body.path("compatibility").asText(body.path("compatibilityLevel").asText(null));
        CompatibilityLevel level = CompatibilityLevel.parse(text);
        if (level == null) {
            throw new BadRequest(422, SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
                    "Invalid compatibility level '" + text + "'. Valid values are none, backward, forward, full, "
                            + "backward_transitive, forward_transitive, and full_transitive");
        }
        return level;
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            JsonNode node;
            try {
                node = bytes.length == 0 ? null : JSON.readTree(bytes);
            } catch (JsonProcessingException e) {
                throw new BadRequest(400, 400, "Unrecognized JSON in the request body: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new BadRequest(400, 400, "The request body must be a JSON object");
            }
            return node;
        }
    }

    private static ObjectNode versionJson(RegisteredSchema schema) {
        return JSON.createObjectNode().put("subject", schema.subject()).put("version", schema.version())
                .put("id", schema.id()).put("schema", schema.schema().toString());
    }

    private static void requireMethod(String actual, String expected) {
        if (!actual.equals(expected)) {
            throw new BadRequest(405, 405, "HTTP 405 Method Not Allowed");
        }
    }

    private static Answer error(int status, int code, String message) {
        ObjectNode body = JSON.createObjectNode().put("error_code", code).put("message", message);
        return new Answer(status, body.toString());
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String part : rawPath.split("/")) {
            if (!part.isEmpty()) {
                segments.add(URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null) {
            return params;
        }
        Arrays.stream(rawQuery.split("&")).filter(p -> !p.isEmpty()).forEach(p -> {
            int eq = p.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        });
        return params;
    }

    /** A request the registry refuses before touching the store, with Confluent's status and code. */
    private static final class BadRequest extends RuntimeException {
        private final int status;
        private final int code;

        BadRequest(int status, int code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }
}

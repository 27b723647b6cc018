package dev.lethe.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.lethe.http.HttpRouter;
import dev.lethe.schemas.registry.CompatibilityLevel;
import dev.lethe.schemas.registry.RegisteredSchema;
import dev.lethe.schemas.registry.RegistryStore;
import dev.lethe.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
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
    private final HttpRouter<Answer> router = routes();

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

    /** Confluent's REST subset, declared; a path it does not know is 404, a known path with another method 405. */
    private HttpRouter<Answer> routes() {
        HttpRouter.Handler<Answer> notFound = call -> {
            throw new BadRequest(404, 404, "HTTP 404 Not Found");
        };
        HttpRouter.Handler<Answer> methodNotAllowed = call -> {
            throw new BadRequest(405, 405, "HTTP 405 Method Not Allowed");
        };
        return new HttpRouter<>(notFound, methodNotAllowed)
                .route(HttpRouter.ANY, "/", call -> Answer.ok(JSON.createObjectNode()))
                .get("/subjects", call -> {
                    String prefix = call.query().getOrDefault("subjectPrefix", "");
                    return Answer.ok(store.subjects(call.flag("deleted")).stream().filter(s -> s.startsWith(prefix)).toList());
                })
                .post("/subjects/{subject}", call -> Answer.ok(versionJson(store.lookup(call.path("subject"), schemaFrom(call)))))
                .delete("/subjects/{subject}", call -> Answer.ok(deleteSubject(call.path("subject"), call.flag("permanent"))))
                .post("/subjects/{subject}/versions", call ->
                        Answer.ok(JSON.createObjectNode().put("id", register(call.path("subject"), schemaFrom(call)).id())))
                .get("/subjects/{subject}/versions", call -> Answer.ok(store.versions(call.path("subject"), call.flag("deleted"))))
                .get("/subjects/{subject}/versions/{version}", call -> Answer.ok(versionJson(version(call))))
                .delete("/subjects/{subject}/versions/{version}", call -> Answer.ok(deleteVersion(call.path("subject"),
                        versionNumber(call.path("version")), call.flag("permanent"))))
                .get("/subjects/{subject}/versions/{version}/schema", call -> Answer.ok(version(call).schema().toString()))
                .get("/schemas/types", call -> Answer.ok(List.of("AVRO")))
                .get("/schemas/ids/{id}", call ->
                        Answer.ok(JSON.createObjectNode().put("schema", store.schemaById(schemaId(call.path("id"))).toString())))
                .get("/schemas/ids/{id}/schema", call -> Answer.ok(store.schemaById(schemaId(call.path("id"))).toString()))
                .get("/schemas/ids/{id}/subjects", call -> {
                    int id = schemaId(call.path("id"));
                    store.schemaById(id);
                    return Answer.ok(store.usesOf(id, call.flag("deleted")).stream().map(RegisteredSchema::subject).distinct().toList());
                })
                .get("/schemas/ids/{id}/versions", call -> {
                    int id = schemaId(call.path("id"));
                    store.schemaById(id);
                    ArrayNode uses = JSON.createArrayNode();
                    store.usesOf(id, call.flag("deleted")).forEach(u -> uses.addObject().put("subject", u.subject()).put("version", u.version()));
                    return Answer.ok(uses);
                })
                // all versions: what registering would check (the subject's level over its live history)
                .post("/compatibility/subjects/{subject}/versions", call -> compatibility(call, null))
                .post("/compatibility/subjects/{subject}/versions/{version}", call ->
                        compatibility(call, versionNumber(call.path("version"))))
                .get("/config", call -> Answer.ok(JSON.createObjectNode().put("compatibilityLevel", store.globalConfig().name())))
                .put("/config", call -> putConfig(null, call))
                .get("/config/{subject}", call -> {
                    String subject = call.path("subject");
                    CompatibilityLevel level = store.subjectConfig(subject);
                    if (level == null && call.flag("defaultToGlobal")) {
                        level = store.globalConfig();
                    }
                    if (level == null) {
                        throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_CONFIG_NOT_FOUND,
                                "Subject '" + subject + "' does not have subject-level compatibility configured",
                                store.location());
                    }
                    return Answer.ok(JSON.createObjectNode().put("compatibilityLevel", level.name()));
                })
                .put("/config/{subject}", call -> putConfig(call.path("subject"), call))
                .delete("/config/{subject}", call -> {
                    String subject = call.path("subject");
                    synchronized (writeLock) {
                        CompatibilityLevel previous = store.planConfigDelete(subject);
                        log.appendConfigDelete(subject);
                        store.applyConfigDelete(subject);
                        return Answer.ok(JSON.createObjectNode().put("compatibilityLevel", previous.name()));
                    }
                });
    }

    private Answer route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("POST") || method.equals("PUT")) {
            requireJsonBody(exchange);
        }
        return router.dispatch(exchange);
    }

    /** The version a {@code /subjects/{subject}/versions/{version}} path names ("latest" or -1: the latest). */
    private RegisteredSchema version(HttpRouter.HttpCall call) {
        Integer number = versionNumber(call.path("version"));
        return number == null ? store.latest(call.path("subject"))
                : store.schemaByVersion(call.path("subject"), number, call.flag("deleted"));
    }

    private Answer compatibility(HttpRouter.HttpCall call, Integer version) throws IOException {
        Schema schema = schemaFrom(call);
        List<String> problems = store.incompatibilities(call.path("subject"), schema, version);
        ObjectNode result = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if (call.flag("verbose")) {
            ArrayNode messages = result.putArray("messages");
            problems.forEach(messages::add);
        }
        return Answer.ok(result);
    }

    private Answer putConfig(String subject, HttpRouter.HttpCall call) throws IOException {
        CompatibilityLevel level = levelFrom(call.exchange());
        synchronized (writeLock) {
            log.appendConfig(subject, level);
            store.applyConfig(subject, level);
        }
        return Answer.ok(JSON.createObjectNode().put("compatibility", level.name()));
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

    private Schema schemaFrom(HttpRouter.HttpCall call) throws IOException {
        JsonNode body = body(call.exchange());
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

    private static Answer error(int status, int code, String message) {
        ObjectNode body = JSON.createObjectNode().put("error_code", code).put("message", message);
        return new Answer(status, body.toString());
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

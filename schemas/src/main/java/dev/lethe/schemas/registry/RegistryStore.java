package dev.lethe.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * The state of a Confluent-compatible registry (subjects, versions, global ids, compatibility config) and
 * its rules, shared by the embedded registry server and {@link InMemorySchemaRegistryClient}. Thread-safe.
 *
 * <p>Changes are split into a {@code plan*} step that validates and decides (ids, versions) and an
 * {@code apply*} step that records, so a persistent registry can write the change durably in between and
 * replay the same {@code apply*} calls on restart.
 */
public final class RegistryStore {

    /** The outcome of a registration plan: the version, and whether it is new (to be persisted and applied). */
    public record Registration(RegisteredSchema schema, boolean created) {
    }

    /** A subject's version; a soft-deleted one is hidden from reads but keeps its number and id until deleted for good. */
    private record Version(int version, int id, boolean deleted) {
    }

    private final String location;
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByCanonical = new HashMap<>();
    private final Map<String, List<Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectConfigs = new HashMap<>();
    private CompatibilityLevel globalConfig = CompatibilityLevel.BACKWARD;
    private int maxId;

    /** @param location name used in error messages (the registry URL) */
    public RegistryStore(String location) {
        this.location = location;
    }

    /** Parses a schema string; 422/42201 when it is not a valid Avro schema. */
    public static Schema parse(String schemaText, String location) {
        if (schemaText == null || schemaText.isBlank()) {
            throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
                    "Invalid schema: empty schema string", location);
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (RuntimeException e) {
            // SchemaParseException, AvroTypeException (bad default), ...: all mean the text is not a valid schema
            throw new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA,
                    "Invalid schema: " + e.getMessage(), location, e);
        }
    }

    /**
     * The identity of a schema for de-duplication: Avro's own JSON rendering of the parsed schema, which
     * normalises whitespace and attribute order but, unlike the parsing canonical form, keeps defaults and
     * docs (a changed default is a real new version).
     */
    public static String canonical(Schema schema) {
        return schema.toString();
    }

    public String location() {
        return location;
    }

    /** Validates a registration: existing version (not created), or the version and id it would get. */
    public synchronized Registration planRegistration(String subject, Schema schema) {
        Optional<RegisteredSchema> existing = find(subject, schema);
        if (existing.isPresent()) {
            return new Registration(existing.get(), false);
        }
        List<Schema> previous = schemasOf(subject);
        List<String> problems = effectiveLevel(subject).incompatibilities(schema, previous);
        if (!problems.isEmpty()) {
            throw new SchemaRegistryException(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                            + "\" (compatibility " + effectiveLevel(subject) + "), details: " + problems,
                    location);
        }
        String canonical = canonical(schema);
        int id = idsByCanonical.getOrDefault(canonical, maxId + 1);
        // numbers go on after soft-deleted versions, as Confluent's do
        List<Version> versions = subjects.getOrDefault(subject, List.of());
        int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
        return new Registration(new RegisteredSchema(subject, version, id, schema), true);
    }

    /** Records a registration (a planned one, or one replayed from the log); idempotent. */
    public synchronized void applySchema(RegisteredSchema registered) {
        String canonical = canonical(registered.schema());
        schemasById.putIfAbsent(registered.id(), registered.schema());
        idsByCanonical.putIfAbsent(canonical, registered.id());
        maxId = Math.max(maxId, registered.id());
        List<Version> versions = subjects.computeIfAbsent(registered.subject(), s -> new ArrayList<>());
        boolean known = versions.stream().anyMatch(v -> v.version() == registered.version());
        if (!known) {
            versions.add(new Version(registered.version(), registered.id(), false));
            versions.sort((a, b) -> Integer.compare(a.version(), b.version()));
        }
    }

    /**
     * Validates deleting one version (Confluent's semantics: soft first, then {@code permanent}): 40402 for an
     * unknown version, 40406 when soft-deleting a soft-deleted one, 40407 when permanently deleting a live one.
     */
    public synchronized RegisteredSchema planVersionDelete(String subject, Integer version, boolean permanent) {
        List<Version> versions = requireSubject(subject, true);
        Version target = version == null ? lastLive(subject, versions)
                : versions.stream().filter(v -> v.version() == version).findFirst().orElseThrow(() -> versionNotFound(subject, version));
        if (!permanent && target.deleted()) {
            throw new SchemaRegistryException(404, SchemaRegistryException.VERSION_SOFT_DELETED, "Version " + target.version()
                    + " of subject " + subject + " was soft deleted. Set permanent=true to delete permanently", location);
        }
        if (permanent && !target.deleted()) {
            throw new SchemaRegistryException(404, SchemaRegistryException.VERSION_NOT_SOFT_DELETED, "Version " + target.version()
                    + " of subject " + subject + " must be soft deleted first", location);
        }
        return new RegisteredSchema(subject, target.version(), target.id(), schemasById.get(target.id()));
    }

    /**
     * Validates deleting a whole subject and returns its versions to delete: 40401 unknown, 40404 when soft-deleting
     * a soft-deleted subject, 40405 when permanently deleting a subject that still has live versions.
     */
    public synchronized List<RegisteredSchema> planSubjectDelete(String subject, boolean permanent) {
        List<Version> versions = requireSubject(subject, true);
        boolean anyLive = versions.stream().anyMatch(v -> !v.deleted());
        if (!permanent && !anyLive) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_SOFT_DELETED, "Subject '" + subject
                    + "' was soft deleted. Set permanent=true to delete permanently", location);
        }
        if (permanent && anyLive) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject
                    + "' was not deleted first before being permanently deleted", location);
        }
        return versions.stream().filter(v -> permanent || !v.deleted())
                .map(v -> new RegisteredSchema(subject, v.version(), v.id(), schemasById.get(v.id()))).toList();
    }

    /** Records a deletion (planned, or replayed from the log); idempotent. */
    public synchronized void applyVersionDelete(String subject, int version, boolean permanent) {
        List<Version> versions = subjects.get(subject);
        if (versions == null) {
            return;
        }
        for (int i = 0; i < versions.size(); i++) {
            Version v = versions.get(i);
            if (v.version() == version) {
                if (permanent) {
                    versions.remove(i);
                } else {
                    versions.set(i, new Version(v.version(), v.id(), true));
                }
                break;
            }
        }
        if (versions.isEmpty()) {
            subjects.remove(subject);
        }
    }

    /** The highest id handed out so far. */
    public synchronized int maxId() {
        return maxId;
    }

    /** Records that ids up to {@code id} were handed out, even if their schemas were deleted for good since. */
    public synchronized void applyIdFloor(int id) {
        maxId = Math.max(maxId, id);
    }

    /** Removes a subject's own compatibility level; 40408 when it has none. Returns the level it had. */
    public synchronized CompatibilityLevel planConfigDelete(String subject) {
        CompatibilityLevel level = subjectConfigs.get(subject);
        if (level == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_CONFIG_NOT_FOUND,
                    "Subject '" + subject + "' does not have subject-level compatibility configured", location);
        }
        return level;
    }

    public synchronized void applyConfigDelete(String subject) {
        subjectConfigs.remove(subject);
    }

    /** Every live (subject, version) that uses schema id {@code id}, or also soft-deleted ones; 40403 when none. */
    public synchronized List<RegisteredSchema> usesOf(int id, boolean includeDeleted) {
        List<RegisteredSchema> uses = new ArrayList<>();
        subjects.forEach((subject, versions) -> versions.stream()
                .filter(v -> v.id() == id && (includeDeleted || !v.deleted()))
                .forEach(v -> uses.add(new RegisteredSchema(subject, v.version(), v.id(), schemasById.get(id)))));
        if (uses.isEmpty()) {
            schemaById(id); // 40403 for an id never handed out
        }
        return uses;
    }

    /** Records a compatibility level for a subject, or the global one when {@code subject} is null. */
    public synchronized void applyConfig(String subject, CompatibilityLevel level) {
        if (subject == null) {
            globalConfig = level;
        } else {
            subjectConfigs.put(subject, level);
        }
    }

    /** Registers directly (plan + apply), for registries without a durable log. */
    public synchronized RegisteredSchema register(String subject, Schema schema) {
        Registration registration = planRegistration(subject, schema);
        if (registration.created()) {
            applySchema(registration.schema());
        }
        return registration.schema();
    }

    public synchronized Optional<RegisteredSchema> find(String subject, Schema schema) {
        List<Version> versions = subjects.get(subject);
        if (versions == null) {
            return Optional.empty();
        }
        Integer id = idsByCanonical.get(canonical(schema));
        if (id == null) {
            return Optional.empty();
        }
        return versions.stream().filter(v -> v.id() == id && !v.deleted()).findFirst()
                .map(v -> new RegisteredSchema(subject, v.version(), v.id(), schemasById.get(v.id())));
    }

    /** Confluent's lookup: 40401 for an unknown subject, 40403 when the subject lacks the schema. */
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        requireSubject(subject);
        return find(subject, schema).orElseThrow(() -> new SchemaRegistryException(404,
                SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found under subject " + subject, location));
    }

    public synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND,
                    "Schema " + id + " not found", location);
        }
        return schema;
    }

    public synchronized List<String> subjects() {
        return subjects(false);
    }

    /** Subjects with a live version, or with any version at all when {@code includeDeleted}. */
    public synchronized List<String> subjects(boolean includeDeleted) {
        return subjects.entrySet().stream().filter(e -> includeDeleted || e.getValue().stream().anyMatch(v -> !v.deleted()))
                .map(Map.Entry::getKey).toList();
    }

    public synchronized List<Integer> versions(String subject) {
        return versions(subject, false);
    }

    public synchronized List<Integer> versions(String subject, boolean includeDeleted) {
        return requireSubject(subject, includeDeleted).stream().filter(v -> includeDeleted || !v.deleted())
                .map(Version::version).toList();
    }

    public synchronized RegisteredSchema schemaByVersion(String subject, int version) {
        return schemaByVersion(subject, version, false);
    }

    public synchronized RegisteredSchema schemaByVersion(String subject, int version, boolean includeDeleted) {
        List<Version> versions = requireSubject(subject, includeDeleted);
        return versions.stream().filter(v -> v.version() == version && (includeDeleted || !v.deleted())).findFirst()
                .map(v -> new RegisteredSchema(subject, v.version(), v.id(), schemasById.get(v.id())))
                .orElseThrow(() -> versionNotFound(subject, version));
    }

    public synchronized RegisteredSchema latest(String subject) {
        Version last = lastLive(subject, requireSubject(subject));
        return new RegisteredSchema(subject, last.version(), last.id(), schemasById.get(last.id()));
    }

    /**
     * Confluent's compatibility check. {@code version} null means "latest": the subject's level over its
     * history (every version for transitive levels; compatible when the subject does not exist yet);
     * a given version is checked alone with the non-transitive form of the level.
     */
    public synchronized List<String> incompatibilities(String subject, Schema schema, Integer version) {
        CompatibilityLevel level = effectiveLevel(subject);
        if (version == null) {
            return level.incompatibilities(schema, schemasOf(subject));
        }
        RegisteredSchema against = schemaByVersion(subject, version);
        return level.nonTransitive().incompatibilities(schema, List.of(against.schema()));
    }

    /** The subject's own level, or null when it has none. */
    public synchronized CompatibilityLevel subjectConfig(String subject) {
        return subjectConfigs.get(subject);
    }

    public synchronized CompatibilityLevel globalConfig() {
        return globalConfig;
    }

    /** The level in force for a subject: its own or the global one. */
    public synchronized CompatibilityLevel effectiveLevel(String subject) {
        return subject == null ? globalConfig : subjectConfigs.getOrDefault(subject, globalConfig);
    }

    private List<Version> requireSubject(String subject) {
        return requireSubject(subject, false);
    }

    /** The subject's versions; 40401 when it has none (or only soft-deleted ones, unless those count). */
    private List<Version> requireSubject(String subject, boolean includeDeleted) {
        List<Version> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty() || (!includeDeleted && versions.stream().allMatch(Version::deleted))) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND,
                    "Subject '" + subject + "' not found.", location);
        }
        return versions;
    }

    private Version lastLive(String subject, List<Version> versions) {
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (!versions.get(i).deleted()) {
                return versions.get(i);
            }
        }
        throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND,
                "Subject '" + subject + "' not found.", location);
    }

    private SchemaRegistryException versionNotFound(String subject, int version) {
        return new SchemaRegistryException(404, SchemaRegistryException.VERSION_NOT_FOUND,
                "Version " + version + " not found for subject " + subject, location);
    }

    /** The live schemas of a subject: what a new version must be compatible with. */
    private List<Schema> schemasOf(String subject) {
        return subjects.getOrDefault(subject, List.of()).stream().filter(v -> !v.deleted())
                .map(v -> schemasById.get(v.id())).toList();
    }
}

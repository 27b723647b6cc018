package dev.lethe.schemas.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * A client of a Confluent-compatible schema registry (Avro only), used by Lethe's serdes; implementations are
 * thread-safe. {@link RestSchemaRegistryClient} talks HTTP to a real or embedded registry,
 * {@link InMemorySchemaRegistryClient} keeps everything in memory for unit tests.
 *
 * <p>Every method throws {@link SchemaRegistryException} with Confluent's status and error code when the
 * registry refuses the request (unknown subject 40401, version 40402, schema or id 40403, incompatible 409,
 * invalid schema 42201) or cannot be reached.
 */
public interface SchemaRegistryClient {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its registry-global id. */
    int register(String subject, Schema schema);

    /** The version of {@code subject} holding exactly {@code schema}; 40401/40403 when there is none. */
    RegisteredSchema lookup(String subject, Schema schema);

    /** The schema with the given global id; 40403 when the registry has none. */
    Schema schemaById(int id);

    /** Every subject, sorted. */
    List<String> subjects();

    /** The versions of a subject, ascending; 40401 for an unknown subject. */
    List<Integer> versions(String subject);

    /** One version of a subject; 40401 unknown subject, 40402 unknown version. */
    RegisteredSchema schemaByVersion(String subject, int version);

    /** The latest version of a subject; 40401 for an unknown subject. */
    RegisteredSchema latest(String subject);

    /** Whether {@code schema} may be registered next under {@code subject}'s compatibility level. */
    boolean testCompatibility(String subject, Schema schema);

    /** The compatibility level in force for {@code subject}, or the global one when {@code subject} is null. */
    CompatibilityLevel getConfig(String subject);

    /** Sets the compatibility level of {@code subject}, or the global one when {@code subject} is null. */
    void setConfig(String subject, CompatibilityLevel level);

    /** Where this client points (registry URL(s)), for error messages. */
    String location();
}

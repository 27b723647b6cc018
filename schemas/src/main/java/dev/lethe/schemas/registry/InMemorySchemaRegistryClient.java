package dev.lethe.schemas.registry;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry client that keeps everything in this JVM, with the same rules and error codes as the
 * embedded registry; for unit tests only (TopologyTestDriver, MockConsumer/MockProducer), never for
 * processes that must agree on ids.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final RegistryStore store;

    public InMemorySchemaRegistryClient() {
        this.store = new RegistryStore("mem://in-memory-registry-" + INSTANCES.incrementAndGet());
    }

    @Override
    public int register(String subject, Schema schema) {
        return store.register(subject, schema).id();
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        return store.lookup(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
        return store.schemaById(id);
    }

    @Override
    public List<String> subjects() {
        return store.subjects();
    }

    @Override
    public List<Integer> versions(String subject) {
        return store.versions(subject);
    }

    @Override
    public RegisteredSchema schemaByVersion(String subject, int version) {
        return store.schemaByVersion(subject, version);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return store.latest(subject);
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        return store.incompatibilities(subject, schema, null).isEmpty();
    }

    @Override
    public CompatibilityLevel getConfig(String subject) {
        return store.effectiveLevel(subject);
    }

    @Override
    public void setConfig(String subject, CompatibilityLevel level) {
        store.applyConfig(subject, level);
    }

    @Override
    public String location() {
        return store.location();
    }
}

package dev.lethe.testkit;

/** The schema registry a {@link LetheCluster} runs next to its broker. */
final class RegistryHandle implements AutoCloseable {

    private final String url;

    private RegistryHandle(String url) {
        this.url = url;
    }

    static RegistryHandle start(String bootstrapServers) {
        // placeholder until the embedded registry lands in lethe-schemas: an address nothing listens on
        return new RegistryHandle("http://127.0.0.1:1");
    }

    String url() {
        return url;
    }

    @Override
    public void close() {
    }
}

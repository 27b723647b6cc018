package dev.lethe.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WriteBackStore} under Kafka Streams' own task loop (TopologyTestDriver commits after each input record): what
 * a record wrote reaches the changelog at its commit, each key once with its latest value, and until then only the
 * writing thread sees it. The first test is also the guard on the internal hook the store relies on: if a Kafka
 * Streams upgrade stopped calling it before a commit, the changelog would stay empty and the test would fail.
 */
class WriteBackStoreTest {

    private static final String STORE = "write-back";
    private static final String CHANGELOG = "write-back-test-" + STORE + "-changelog";

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> commands;
    private TestOutputTopic<String, String> reads;
    private TestOutputTopic<String, String> changelog;
    /** Every store the drivers built, to ask them what they did. */
    private final List<WriteBackStore<String>> built = new ArrayList<>();

    @BeforeEach
    void start() {
        driver = driver();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void shouldWriteEachKeyOnceAtTheCommitWithItsLatestValue() {
        commands.pipeInput("a", "put 1; put 2; put 3");
        commands.pipeInput("b", "put 7; del; put 8; del");

        assertThat(changelog.readKeyValuesToList()).containsExactlyInAnyOrder(KeyValue.pair("a", "3"), KeyValue.pair("b", null));
        assertThat(built).isNotEmpty().allSatisfy(store -> assertThat(store.lateWriteBacks())
                .as("keys written back only by a flush after the commit").isZero());
    }

    @Test
    void shouldShowWhatATaskWroteToItsOwnThreadAtOnceAndToOthersOnlyOnceCommitted() {
        commands.pipeInput("a", "put 1; get; get elsewhere");
        commands.pipeInput("a", "put 2; get; get elsewhere");

        assertThat(reads.readValuesToList()).containsExactly("1", null, "2", "1");
    }

    @Test
    void shouldScanWhatWasWrittenSinceTheLastCommit() {
        commands.pipeInput("k1", "put 1");
        commands.pipeInput("k2", "put 2; scan");
        commands.pipeInput("x", "put 3; del; scan");

        assertThat(reads.readValuesToList()).containsExactly("k1=1,k2=2", "k1=1,k2=2");
    }

    @Test
    void shouldPrefixScanWhatWasWrittenSinceTheLastCommitAndWriteBackOnlyWhenItMust() {
        commands.pipeInput("p\u0000a", "put 1");
        commands.pipeInput("p\u0000b", "put 2; scan p");
        commands.pipeInput("q\u0000a", "put 3; scan p; put 4");
        commands.pipeInput("p\u0000a", "del; scan p");

        assertThat(reads.readValuesToList()).containsExactly("p\u0000a=1,p\u0000b=2", "p\u0000a=1,p\u0000b=2", "p\u0000b=2");
        // a scan under p does not write back "q NUL a": it reaches the changelog once, at its commit
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("p\u0000a", "1"),
                KeyValue.pair("p\u0000b", "2"), KeyValue.pair("q\u0000a", "4"), KeyValue.pair("p\u0000a", null));
    }

    @Test
    void shouldWriteBackBeforeTheCommitRatherThanHoldMoreThanItsBoundOfKeys() {
        commands.pipeInput("a", "put 1; fill " + WriteBackStore.MAX_UNWRITTEN + "; get elsewhere");

        assertThat(reads.readValuesToList()).containsExactly("1");
    }

    @Test
    void shouldKeepWhatWasCommittedAcrossARestartFromTheChangelog() {
        commands.pipeInput("a", "put 1; put 5");
        List<KeyValue<String, String>> logged = changelog.readKeyValuesToList();
        driver.close();

        driver = driver();
        KeyValueStore<String, String> restored = driver.getKeyValueStore(STORE);
        logged.forEach(kv -> restored.put(kv.key, kv.value)); // as Streams restores a store from its changelog
        commands.pipeInput("a", "get");

        assertThat(reads.readValuesToList()).containsExactly("5");
    }

    private TopologyTestDriver driver() {
        StreamsBuilder builder = new StreamsBuilder();
        StoreBuilder<WriteBackStore<String>> stores = WriteBackStore.builder(STORE, Serdes.String());
        builder.addStateStore(new StoreBuilder<WriteBackStore<String>>() {
            @Override
            public WriteBackStore<String> build() {
                WriteBackStore<String> store = stores.build();
                built.add(store);
                return store;
            }

            @Override
            public StoreBuilder<WriteBackStore<String>> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<WriteBackStore<String>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<WriteBackStore<String>> withLoggingEnabled(Map<String, String> config) {
                return this;
            }

            @Override
            public StoreBuilder<WriteBackStore<String>> withLoggingDisabled() {
                return this;
            }

            @Override
            public Map<String, String> logConfig() {
                return stores.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return stores.loggingEnabled();
            }

            @Override
            public String name() {
                return stores.name();
            }
        });
        builder.stream("commands", Consumed.with(Serdes.String(), Serdes.String()))
                .process(CommandProcessor::new, STORE)
                .to("reads", Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "write-back-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("run-" + System.nanoTime()).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        TopologyTestDriver started = new TopologyTestDriver(builder.build(), props);
        commands = started.createInputTopic("commands", new StringSerializer(), new StringSerializer());
        reads = started.createOutputTopic("reads", new StringDeserializer(), new StringDeserializer());
        changelog = started.createOutputTopic(CHANGELOG, new StringDeserializer(), new StringDeserializer());
        return started;
    }

    /**
     * Runs the record's commands on its key: put V, del, get, get elsewhere (from another thread), scan (all keys), scan
     * P (the keys under P NUL), fill N (puts N other keys).
     */
    private static final class CommandProcessor implements Processor<String, String, String, String> {

        private ProcessorContext<String, String> context;
        private KeyValueStore<String, String> store;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, String> record) {
            String key = record.key();
            for (String command : record.value().split(";\\s*")) {
                if (command.startsWith("put ")) {
                    store.put(key, command.substring(4));
                } else if (command.startsWith("fill ")) {
                    for (int i = 0; i < Integer.parseInt(command.substring(5)); i++) {
                        store.put(key + "-" + i, "filler");
                    }
                } else if (command.equals("del")) {
                    store.delete(key);
                } else if (command.equals("get")) {
                    context.forward(record.withValue(store.get(key)));
                } else if (command.equals("get elsewhere")) {
                    context.forward(record.withValue(readElsewhere(key)));
                } else if (command.startsWith("scan")) {
                    List<String> all = new ArrayList<>();
                    try (KeyValueIterator<String, String> it = command.equals("scan") ? store.all()
                            : store.prefixScan(command.substring(5) + "\u0000", new StringSerializer())) {
                        it.forEachRemaining(kv -> all.add(kv.key + "=" + kv.value));
                    }
                    context.forward(record.withValue(String.join(",", all)));
                } else {
                    throw new IllegalArgumentException(command);
                }
            }
        }

        /** What an interactive query, on its own thread, reads of the key. */
        private String readElsewhere(String key) {
            AtomicReference<String> read = new AtomicReference<>();
            Thread reader = new Thread(() -> read.set(store.get(key)));
            reader.start();
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return read.get();
        }
    }
}

package dev.lethe.sinks.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.sinks.core.AtomicFiles;
import dev.lethe.sinks.core.SourceRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhook's accepted but undecided messages, on disk ({@code pending-alerts.jsonl}, one JSON line per message):
 * a message is appended (and synced) before {@code onAlert} returns, so the runner may commit its offset while the
 * delivery thread is still trying, and removed once it is delivered or parked. A sender started on the same state
 * directory sends what is left in it first. All methods are synchronized: the consume thread adds, the delivery
 * thread removes.
 */
final class PendingJournal {

    /** One message to deliver: its delivery key, the POST body, the alert as JSON (for the undelivered file), its source. */
    record Message(String key, String body, ObjectNode alert, SourceRecord source) {
    }

    private final Path file;
    private final Map<String, Message> pending = new LinkedHashMap<>();

    PendingJournal(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        Message m = parse(RecordJson.mapper().readTree(line));
                        pending.put(m.key(), m);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
    }

    /** The messages left undecided by an earlier sender, oldest first. */
    synchronized List<Message> messages() {
        return new ArrayList<>(pending.values());
    }

    synchronized boolean contains(String key) {
        return pending.containsKey(key);
    }

    /** Records {@code message} durably; throws when it cannot (the runner then stops before committing the offset). */
    synchronized void add(Message message) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, line(message) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
        pending.put(message.key(), message);
    }

    /** Forgets a decided message (the file is rewritten atomically without it). */
    synchronized void remove(String key) {
        if (pending.remove(key) == null) {
            return;
        }
        StringBuilder content = new StringBuilder();
        pending.values().forEach(m -> content.append(line(m)).append('\n'));
        AtomicFiles.write(file, content.toString());
    }

    private static String line(Message m) {
        ObjectNode node = RecordJson.mapper().createObjectNode();
        node.put("key", m.key());
        node.put("body", m.body());
        node.set("alert", m.alert());
        ObjectNode source = node.putObject("source");
        source.put("topic", m.source().topic());
        source.put("partition", m.source().partition());
        source.put("offset", m.source().offset());
        source.put("recordKey", encode(m.source().key()));
        source.put("recordValue", encode(m.source().value()));
        return node.toString();
    }

    private static Message parse(JsonNode node) {
        JsonNode s = node.get("source");
        SourceRecord source = new SourceRecord(s.get("topic").asText(), s.get("partition").asInt(), s.get("offset").asLong(),
                decode(s.get("recordKey")), decode(s.get("recordValue")));
        return new Message(node.get("key").asText(), node.get("body").asText(), (ObjectNode) node.get("alert"), source);
    }

    private static String encode(byte[] bytes) {
        return bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] decode(JsonNode node) {
        return node == null || node.isNull() ? null : Base64.getDecoder().decode(node.asText());
    }
}

package dev.lethe.evaluator.checkpoint;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The checkpoints a worker failed to load, by sha256, so the other shards of the same event are refused at once
 * instead of fetching and inflating the same bytes again (a near-limit bomb costs ~48 s per attempt). A verdict on
 * verified bytes depends on nothing else; a refusal of the URI itself (not allowed, wrong hash) is remembered by
 * URI and sha256. Bounded: the least recently used verdicts are forgotten first.
 */
final class FailedCheckpoints {

    static final int REMEMBERED = 256;

    private final Map<String, CheckpointException> verdicts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CheckpointException> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** Remembers that the bytes with this sha256 cannot be loaded. */
    public synchronized void rememberContent(String sha256, CheckpointException failure) {
        verdicts.put(contentKey(sha256), failure);
    }

    /** Remembers that this URI, for this sha256, is refused before any byte is read. */
    public synchronized void rememberUri(String uri, String sha256, CheckpointException failure) {
        verdicts.put(uriKey(uri, sha256), failure);
    }

    /** A fresh exception repeating an earlier verdict for these bytes or this URI, or null. */
    public synchronized CheckpointException recall(String uri, String sha256) {
        CheckpointException known = verdicts.get(contentKey(sha256));
        if (known == null) {
            known = verdicts.get(uriKey(uri, sha256));
        }
        if (known == null) {
            return null;
        }
        String message = known.getMessage() + " (remembered: this checkpoint failed to load before)";
        return known instanceof CheckpointRejectedException
                ? new CheckpointRejectedException(message, known)
                : new CheckpointUnavailableException(message, known);
    }

    public synchronized int size() {
        return verdicts.size();
    }

    private static String contentKey(String sha256) {
        return "sha256:" + (sha256 == null ? "" : sha256.toLowerCase(Locale.ROOT));
    }

    private static String uriKey(String uri, String sha256) {
        return "uri:" + uri + "@" + (sha256 == null ? "" : sha256.toLowerCase(Locale.ROOT));
    }
}

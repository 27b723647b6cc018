package dev.lethe.evaluator.llm;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last greedy generations of a worker, keyed by the SHA-256 of everything that determines them (API, URL, model,
 * settings, prompt). GSM8K's strict and flexible elements send identical prompts; when one worker scores both shards
 * of a checkpoint the second costs no request. Greedy decoding makes the reuse exact.
 */
final class GenerationCache {

    private final Map<String, String> entries;

    GenerationCache(int capacity) {
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > capacity;
            }
        };
    }

    static String key(GenerationApi api, String url, String model, GenerativeItems settings, String prompt) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String part : new String[] {api.id(), url, model, Integer.toString(settings.maxTokens()), String.join("\u0000", settings.until()), prompt}) {
            MultipleChoiceItems.text(digest, part);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    synchronized String get(String key) {
        return entries.get(key);
    }

    synchronized void put(String key, String text) {
        entries.put(key, text);
    }

    synchronized int size() {
        return entries.size();
    }
}

package dev.lethe.evaluator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LruCacheTest {

    @Test
    void shouldEvictLeastRecentlyUsedWhenCapacityIsExceeded() {
        List<String> evicted = new ArrayList<>();
        List<String> loaded = new ArrayList<>();
        LruCache<String, String> cache = new LruCache<>(2, evicted::add);
        LruCache.Loader<String, String, RuntimeException> loader = k -> {
            loaded.add(k);
            return "model-" + k;
        };

        cache.get("a", loader);
        cache.get("b", loader);
        assertThat(cache.get("a", loader)).isEqualTo("model-a"); // a becomes most recent
        cache.get("c", loader);                                  // evicts b, the least recently used

        assertThat(evicted).containsExactly("model-b");
        assertThat(cache.contains("a")).isTrue();
        assertThat(cache.contains("b")).isFalse();
        assertThat(cache.contains("c")).isTrue();
        assertThat(loaded).containsExactly("a", "b", "c");
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(3);
        assertThat(cache.evictions()).isEqualTo(1);

        cache.get("b", loader); // reloaded after eviction, evicts a
        assertThat(loaded).containsExactly("a", "b", "c", "b");
        assertThat(evicted).containsExactly("model-b", "model-a");
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void shouldNotCacheAnythingWhenLoaderFails() throws Exception {
        LruCache<String, String> cache = new LruCache<>(1, v -> { });

        try {
            cache.get("x", k -> {
                throw new CheckpointUnavailableException("gone");
            });
        } catch (CheckpointUnavailableException expected) {
            // the refusal reaches the caller
        }

        assertThat(cache.size()).isZero();
        assertThat(cache.get("x", k -> "ok")).isEqualTo("ok");
    }

    @Test
    void shouldHandEveryEntryToEvictionCallbackWhenCleared() {
        List<String> evicted = new ArrayList<>();
        LruCache<String, String> cache = new LruCache<>(3, evicted::add);
        cache.get("a", k -> k);
        cache.get("b", k -> k);

        cache.clear();

        assertThat(evicted).containsExactlyInAnyOrder("a", "b");
        assertThat(cache.size()).isZero();
    }
}

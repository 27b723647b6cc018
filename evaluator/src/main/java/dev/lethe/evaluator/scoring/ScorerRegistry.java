package dev.lethe.evaluator.scoring;

import dev.lethe.schemas.CheckpointFormat;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** Maps a {@link CheckpointFormat} to the {@link Scorer} that handles it. */
public final class ScorerRegistry implements AutoCloseable {

    private final Map<CheckpointFormat, Scorer> scorers = new EnumMap<>(CheckpointFormat.class);

    public ScorerRegistry register(CheckpointFormat format, Scorer scorer) {
        scorers.put(format, scorer);
        return this;
    }

    public Optional<Scorer> forFormat(CheckpointFormat format) {
        return Optional.ofNullable(format == null ? null : scorers.get(format));
    }

    public boolean supports(CheckpointFormat format) {
        return format != null && scorers.containsKey(format);
    }

    @Override
    public void close() {
        scorers.values().stream().distinct().forEach(Scorer::close);
    }
}

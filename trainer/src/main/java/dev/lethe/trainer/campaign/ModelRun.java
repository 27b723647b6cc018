package dev.lethe.trainer.campaign;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One model trained through all stages of a campaign.
 *
 * @param name         unique within the campaign; a path segment and part of the checkpoint id
 * @param family       aggregation family (e.g. {@code mlp}); models of one family are compared by scale
 * @param architecture {@link Architecture#MLP} or {@link Architecture#CNN}
 * @param size         MLP: hidden widths; CNN: {@code [channels, denseWidth]}
 * @param replay       share of the stage-0 training set mixed into every later stage, in [0,1]; 0 = no replay
 */
public record ModelRun(String name, String family, Architecture architecture, List<Integer> size, double replay) {

    /** Names and families are path segments and Kafka key parts: lower-case letters, digits, '.', '_', '-'. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public ModelRun {
        Objects.requireNonNull(architecture, "architecture");
        requireName("name", name);
        requireName("family", family);
        size = List.copyOf(size);
        if (size.isEmpty() || size.stream().anyMatch(s -> s == null || s < 1 || s > 4096)) {
            throw new IllegalArgumentException("model " + name + ": size must be a non-empty list of widths in 1..4096, got "
                    + size);
        }
        if (architecture == Architecture.CNN && size.size() != 2) {
            throw new IllegalArgumentException("model " + name + ": a cnn's size is [channels, denseWidth], got " + size);
        }
        if (!(replay >= 0 && replay <= 1)) {
            throw new IllegalArgumentException("model " + name + ": replay must be in [0,1], got " + replay);
        }
    }

    static void requireName(String key, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(key + " must match " + NAME.pattern() + ", got '" + value + "'");
        }
    }

    /** The size as written in attributes, e.g. {@code 128} or {@code 8,32}. */
    public String sizeLabel() {
        return size.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}

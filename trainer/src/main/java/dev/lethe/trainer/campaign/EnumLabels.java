package dev.lethe.trainer.campaign;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Campaign-file values of enums: the constant's name in lower case, parsed case-insensitively. */
final class EnumLabels {

    private EnumLabels() {
    }

    /** {@code value} as a constant of {@code type}; the error names {@code key} and the allowed labels. */
    static <E extends Enum<E>> E parse(Class<E> type, String key, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return e;
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(EnumLabels::label)
                .collect(Collectors.joining(" or "));
        throw new IllegalArgumentException(key + " must be " + allowed + ", got '" + value + "'");
    }

    /** The constant's name in lower case, as written in campaign files and event attributes. */
    static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}

package dev.lethe.trainer.campaign;

/** The network shapes a model run can have. */
public enum Architecture {
    /** Fully connected: {@code size} lists the hidden widths, e.g. {@code [128]} or {@code [256, 128]}. */
    MLP,
    /** One 3x3 convolution + 2x2 max-pool + a dense layer: {@code size} is {@code [channels, denseWidth]}. */
    CNN;

    /** Parses {@code mlp} or {@code cnn} (case-insensitive). */
    public static Architecture parse(String value) {
        return EnumLabels.parse(Architecture.class, "architecture", value);
    }

    /** {@code mlp} or {@code cnn}, as written in campaign files and event attributes. */
    public String label() {
        return EnumLabels.label(this);
    }
}

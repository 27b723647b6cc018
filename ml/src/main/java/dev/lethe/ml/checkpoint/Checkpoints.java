package dev.lethe.ml.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Writes DL4J {@link MultiLayerNetwork} checkpoints atomically and reproducibly (temp file, fixed zip timestamps,
 * {@code ATOMIC_MOVE}) and reads them back only after checking that the zip holds nothing but the model's own
 * entries ({@link #ALLOWED_ENTRIES}): DL4J's {@code ModelSerializer} would Java-deserialize a
 * {@code preprocessor.bin}.
 */
public final class Checkpoints {

    /** The only zip entries a Lethe DL4J checkpoint may contain. */
    public static final Set<String> ALLOWED_ENTRIES =
            Set.of("configuration.json", "coefficients.bin", "updaterState.bin", "noParams.marker");

    /** Suffix of the sidecar file holding a checkpoint's sha256 ({@code sha256sum -c} format: hash, two spaces, name). */
    public static final String SHA256_SUFFIX = ".sha256";

    /**
     * Every entry gets this timestamp: {@code ZipOutputStream} would otherwise stamp the wall clock and two runs of
     * the same campaign would differ. {@code setTimeLocal} stores it as DOS time without a time-zone conversion.
     */
    private static final LocalDateTime FIXED_ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private Checkpoints() {
    }

    /**
     * Serializes {@code net} to {@code target} atomically: the bytes go to a temp file in the same directory, are
     * forced to disk and renamed over {@code target} with {@code ATOMIC_MOVE}. Readers see the old file or the
     * complete new one, never a partial zip.
     *
     * @param saveUpdater also store the optimizer state (needed to resume training exactly)
     * @return the lower-case hex sha256 of the written bytes
     */
    public static String write(MultiLayerNetwork net, Path target, boolean saveUpdater) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(1 << 16);
        ModelSerializer.writeModel(net, raw, saveUpdater);
        byte[] bytes = normalize(raw.toByteArray());
        writeAtomically(target, bytes);
        return sha256(bytes);
    }

    /** Writes {@code bytes} to {@code target} via a temp file in the same directory and an atomic rename. */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                out.write(bytes);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Re-packs a zip with the same entries in the same order but fixed timestamps, so equal models give equal bytes. */
    static byte[] normalize(byte[] zip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(zip.length);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
                ZipOutputStream z = new ZipOutputStream(out)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTimeLocal(FIXED_ENTRY_TIME);
                z.putNextEntry(copy);
                in.transferTo(z);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** Lower-case hex sha256 of a file's bytes. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Lower-case hex sha256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** The sidecar path {@code <checkpoint>.sha256}. */
    public static Path sidecar(Path checkpoint) {
        return checkpoint.resolveSibling(checkpoint.getFileName() + SHA256_SUFFIX);
    }

    /** Writes {@code sha256} to the checkpoint's sidecar (atomically), in the format {@code sha256sum -c} reads. */
    public static void writeSidecar(Path checkpoint, String sha256) throws IOException {
        writeAtomically(sidecar(checkpoint), (sha256 + "  " + checkpoint.getFileName() + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The hash recorded in a checkpoint's sidecar, or null when there is none. */
    public static String readSidecar(Path checkpoint) throws IOException {
        Path side = sidecar(checkpoint);
        if (!Files.isRegularFile(side)) {
            return null;
        }
        String text = Files.readString(side, java.nio.charset.StandardCharsets.UTF_8).trim();
        int space = text.indexOf(' ');
        return space < 0 ? text : text.substring(0, space);
    }

    /**
     * True when {@code checkpoint} and its sidecar exist and the file's sha256 equals the sidecar's: a checkpoint
     * a previous run finished writing.
     */
    public static boolean verifiedBySidecar(Path checkpoint) throws IOException {
        String expected = readSidecar(checkpoint);
        return expected != null && Files.isRegularFile(checkpoint) && expected.equals(sha256(checkpoint));
    }

    /**
     * Refuses a zip holding any entry outside {@link #ALLOWED_ENTRIES} (or no {@code configuration.json}), or one
     * that is not a readable zip.
     */
    public static void checkEntries(Path checkpoint) throws UnsafeCheckpointException {
        boolean hasConfig = false;
        try (ZipFile z = new ZipFile(checkpoint.toFile())) {
            for (var en = z.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (!ALLOWED_ENTRIES.contains(name)) {
                    throw new UnsafeCheckpointException("checkpoint " + checkpoint.getFileName()
                            + " holds a zip entry outside the model's own: " + name);
                }
                hasConfig |= name.equals("configuration.json");
            }
        } catch (UnsafeCheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new UnsafeCheckpointException("checkpoint " + checkpoint.getFileName() + " is not a readable zip: "
                    + e.getMessage(), e);
        }
        if (!hasConfig) {
            throw new UnsafeCheckpointException("checkpoint " + checkpoint.getFileName()
                    + " has no configuration.json");
        }
    }

    /**
     * Loads a checkpoint after {@link #checkEntries}; the caller should also run with {@code -Djdk.serialFilter=!*}.
     *
     * @param loadUpdater also restore the optimizer state (resuming training); scoring passes false
     */
    public static MultiLayerNetwork read(Path checkpoint, boolean loadUpdater) throws IOException {
        checkEntries(checkpoint);
        return ModelSerializer.restoreMultiLayerNetwork(checkpoint.toFile(), loadUpdater);
    }
}

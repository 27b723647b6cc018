package dev.lethe.evaluator.checkpoint;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UTFDataFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;

/**
 * Checks, before DL4J allocates anything, what loading a checkpoint would allocate: the parameter count its
 * {@code configuration.json} implies, the array headers of {@code coefficients.bin} and {@code updaterState.bin}
 * ({@link Dl4jArrayHeader}), that each array fits the worker's budget, and that the bytes the header declares are
 * really in the entry. A header may then only claim what the file holds, and the file is already bounded by the
 * inflate limit ({@link ZipEntryGuard}).
 */
final class ModelContentGuard {

    static final String CONFIGURATION = "configuration.json";
    static final String COEFFICIENTS = "coefficients.bin";
    static final String UPDATER_STATE = "updaterState.bin";

    /** A real configuration is a few KB; a larger one is refused before it is parsed. */
    static final int MAX_CONFIGURATION_BYTES = 4 * 1024 * 1024;

    private final long maxArrayBytes;

    /** @param maxArrayBytes the most bytes one array of the checkpoint may take once loaded */
    public ModelContentGuard(long maxArrayBytes) {
        this.maxArrayBytes = maxArrayBytes;
    }

    public void check(Path zip) throws CheckpointException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            long parameters = parameterCount(file);
            ZipEntry coefficients = file.getEntry(COEFFICIENTS);
            if (coefficients != null) {
                checkArray(file, coefficients, parameters);
            } else if (parameters > 0) {
                throw new CheckpointRejectedException("checkpoint's configuration has " + parameters
                        + " parameters but the zip has no " + COEFFICIENTS);
            }
            ZipEntry updater = file.getEntry(UPDATER_STATE);
            if (updater != null) {
                checkArray(file, updater, -1);
            }
        } catch (IOException e) {
            throw new CheckpointUnavailableException("checkpoint zip cannot be read: " + e.getMessage(), e);
        }
    }

    /** The parameter count the configuration implies, computed from the layer sizes without allocating them. */
    static long parameterCount(ZipFile file) throws IOException, CheckpointRejectedException {
        ZipEntry entry = file.getEntry(CONFIGURATION);
        if (entry == null) {
            throw new CheckpointRejectedException("checkpoint zip lacks " + CONFIGURATION);
        }
        byte[] json;
        try (InputStream in = file.getInputStream(entry)) {
            json = in.readNBytes(MAX_CONFIGURATION_BYTES + 1);
        }
        if (json.length > MAX_CONFIGURATION_BYTES) {
            throw new CheckpointRejectedException("checkpoint's " + CONFIGURATION + " is over " + MAX_CONFIGURATION_BYTES + " bytes");
        }
        long total = 0;
        try {
            MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(new String(json, StandardCharsets.UTF_8));
            for (NeuralNetConfiguration layer : conf.getConfs()) {
                long n = layer.getLayer().initializer().numParams(layer);
                if (n < 0) {
                    throw new CheckpointRejectedException("checkpoint's configuration gives layer "
                            + layer.getLayer().getLayerName() + " a parameter count that overflows");
                }
                total = Math.addExact(total, n);
            }
        } catch (ArithmeticException e) {
            throw new CheckpointRejectedException("checkpoint's configuration has a parameter count that overflows a long", e);
        } catch (RuntimeException e) {
            throw new CheckpointRejectedException("checkpoint's " + CONFIGURATION + " is not a DL4J MultiLayerConfiguration: " + e, e);
        }
        return total;
    }

    /**
     * Reads the header of {@code entry}, checks it against the expected element count (if {@code expected >= 0})
     * and the budget, then counts the data bytes really present.
     */
    private void checkArray(ZipFile file, ZipEntry entry, long expected) throws IOException, CheckpointRejectedException {
        String name = entry.getName();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(file.getInputStream(entry)))) {
            Dl4jArrayHeader header = Dl4jArrayHeader.read(in, name);
            if (expected >= 0 && header.length() != expected) {
                throw new CheckpointRejectedException("checkpoint " + name + " declares " + header.length()
                        + " parameters, its configuration has " + expected);
            }
            long bytes = header.dataBytes();
            if (bytes > maxArrayBytes) {
                throw new CheckpointRejectedException("checkpoint " + name + " declares " + header.length() + " "
                        + header.dataType() + " values (" + bytes + " bytes), over this worker's budget of "
                        + maxArrayBytes + " bytes per array");
            }
            long present = countUpTo(in, bytes + 1);
            if (present != bytes) {
                throw new CheckpointRejectedException("checkpoint " + name + " declares " + bytes + " bytes of "
                        + header.dataType() + " data but holds " + (present > bytes ? "more" : present));
            }
        } catch (EOFException | UTFDataFormatException e) {
            throw new CheckpointRejectedException("checkpoint " + name + " ends inside its array header", e);
        }
    }

    /** Bytes left in {@code in}, counting no further than {@code limit}. */
    private static long countUpTo(InputStream in, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (total < limit) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
            if (read < 0) {
                break;
            }
            total += read;
        }
        return total;
    }
}

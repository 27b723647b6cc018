package dev.lethe.evaluator.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Builds the hostile checkpoints of issue 14 from real ones: crafted array headers and near-limit bombs. */
public final class HostileCheckpoints {

    private HostileCheckpoints() {
    }

    /** {@code coefficients.bin} as ND4J writes a rank-1 FLOAT array of {@code declared} elements, with {@code data} behind it. */
    public static byte[] coefficients(long declared, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeUTF("MIXED_DATA_TYPES");
        out.writeLong(6);
        out.writeUTF("LONG");
        for (long v : new long[] {1, declared, 1, 8192, 1, 'c'}) {
            out.writeLong(v);
        }
        out.writeUTF("MIXED_DATA_TYPES");
        out.writeLong(declared);
        out.writeUTF("FLOAT");
        out.write(data);
        out.flush();
        return bytes.toByteArray();
    }

    /** The entries of a zip, in order. */
    public static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (var e = file.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                entries.put(entry.getName(), file.getInputStream(entry).readAllBytes());
            }
        }
        return entries;
    }

    /** Writes {@code entries} as a zip, then {@code zeros} zero bytes as {@code updaterState.bin} when positive. */
    public static Path write(Path file, Map<String, byte[]> entries, long zeros) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            if (zeros > 0) {
                zip.putNextEntry(new ZipEntry("updaterState.bin"));
                byte[] block = new byte[1 << 20];
                for (long written = 0; written < zeros; written += block.length) {
                    zip.write(block, 0, (int) Math.min(block.length, zeros - written));
                }
                zip.closeEntry();
            }
        }
        return file;
    }

    /** A copy of the real checkpoint {@code real} whose coefficients header claims {@code declared} floats. */
    public static Path craftedHeader(Path real, Path file, long declared) throws IOException {
        Map<String, byte[]> entries = entries(real);
        byte[] coefficients = entries.get("coefficients.bin");
        Dl4jArrayHeader header;
        try (var in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(coefficients))) {
            header = Dl4jArrayHeader.read(in, "coefficients.bin");
        } catch (CheckpointRejectedException e) {
            throw new IOException(e);
        }
        byte[] data = java.util.Arrays.copyOfRange(coefficients, coefficients.length - (int) header.dataBytes(), coefficients.length);
        entries.put("coefficients.bin", coefficients(declared, data));
        return write(file, entries, 0);
    }

    /** A copy of the real checkpoint {@code real} with an {@code updaterState.bin} of {@code zeros} zero bytes. */
    public static Path bomb(Path real, Path file, long zeros) throws IOException {
        Map<String, byte[]> entries = entries(real);
        entries.remove("updaterState.bin");
        return write(file, entries, zeros);
    }
}

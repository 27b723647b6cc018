package dev.lethe.evaluator.checkpoint;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Refuses a checkpoint zip holding any entry beyond the model's own (DL4J's {@code ModelSerializer} runs
 * Java deserialization on {@code preprocessor.bin}), or one that inflates beyond a limit.
 *
 * <p>Both views of the zip are checked, the central directory ({@link ZipFile}) and the local headers
 * ({@link ZipInputStream}), and must list the same names, so a zip crafted to show one reader a different
 * entry list than the other is refused too.
 */
final class ZipEntryGuard {

    private final Set<String> allowed;
    private final Set<String> required;
    private final long maxUncompressedBytes;

    public ZipEntryGuard(Set<String> allowed, Set<String> required, long maxUncompressedBytes) {
        this.allowed = Set.copyOf(allowed);
        this.required = Set.copyOf(required);
        this.maxUncompressedBytes = maxUncompressedBytes;
    }

    public void check(Path zip) throws CheckpointException {
        List<String> central = new ArrayList<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            long total = 0;
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                requireAllowed(entry.getName());
                central.add(entry.getName());
                total += Math.max(0, entry.getSize());
                if (total > maxUncompressedBytes) {
                    throw new CheckpointRejectedException("checkpoint inflates beyond " + maxUncompressedBytes + " bytes");
                }
            }
        } catch (IOException e) {
            throw new CheckpointUnavailableException("checkpoint is not a readable zip (truncated or corrupt): " + e.getMessage(), e);
        }
        List<String> local = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new BufferedInputStream(Files.newInputStream(zip)))) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                requireAllowed(entry.getName());
                local.add(entry.getName());
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    total += read;
                    if (total > maxUncompressedBytes) {
                        throw new CheckpointRejectedException("checkpoint inflates beyond " + maxUncompressedBytes + " bytes");
                    }
                }
            }
        } catch (IOException e) {
            throw new CheckpointUnavailableException("checkpoint zip is truncated or corrupt: " + e.getMessage(), e);
        }
        if (!central.equals(local)) {
            throw new CheckpointRejectedException("checkpoint zip's central directory " + central + " disagrees with its entries " + local);
        }
        for (String name : required) {
            if (!central.contains(name)) {
                throw new CheckpointRejectedException("checkpoint zip lacks " + name + "; entries: " + central);
            }
        }
    }

    private void requireAllowed(String name) throws CheckpointRejectedException {
        if (!allowed.contains(name)) {
            throw new CheckpointRejectedException("checkpoint zip holds entry '" + name + "', not one of " + allowed);
        }
    }
}

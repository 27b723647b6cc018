package dev.lethe.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka client properties read from a Java properties file ({@code --client-properties-file}), the way Kafka's
 * own tools take {@code --command-config}: secrets such as {@code sasl.jaas.config} then stay out of the command
 * line, where any local user can read them in {@code /proc/<pid>/cmdline}.
 */
public final class ClientPropertiesFile {

    private ClientPropertiesFile() {
    }

    /**
     * The file's properties with {@code overrides} (the repeatable {@code --client-property}) on top; a missing or
     * unreadable file is a usage error naming the flag.
     */
    public static Map<String, String> merge(Path file, Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (file != null) {
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(in);
            } catch (NoSuchFileException e) {
                throw new UsageException("--client-properties-file " + file + ": no such file");
            } catch (IOException | IllegalArgumentException e) {
                throw new UsageException("--client-properties-file " + file + ": cannot read it as a properties file: " + e.getMessage());
            }
            properties.stringPropertyNames().stream().sorted().forEach(k -> merged.put(k, properties.getProperty(k).strip()));
        }
        merged.putAll(overrides);
        return merged;
    }
}

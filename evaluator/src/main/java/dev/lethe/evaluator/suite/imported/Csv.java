package dev.lethe.evaluator.suite.imported;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the MMLU and CrowS-Pairs CSVs with Commons CSV's default format, the parser {@code lethe metrics} reads
 * score CSVs with (RFC 4180: quoted fields with commas, doubled quotes and line breaks; empty lines skipped).
 */
final class Csv {

    private Csv() {
    }

    static List<List<String>> parse(String text) {
        String csv = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<List<String>> rows = new ArrayList<>();
        try (CSVParser parser = CSVFormat.DEFAULT.parse(new StringReader(csv))) {
            for (CSVRecord record : parser) {
                rows.add(record.toList());
            }
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException("malformed CSV after row " + rows.size() + " (an unterminated quoted "
                    + "field?): " + e.getMessage(), e);
        }
        return rows;
    }
}

package dev.lethe.aggregator.offline;

import dev.lethe.aggregator.metrics.Polarity;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.schemas.MetricPolarity;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the score CSV of {@code lethe metrics}: header {@code campaign,family,model,stage,benchmark,category,n,correct}
 * plus optional {@code items} (per-item correctness as a 0/1 string in item order) and {@code task} (what the stage
 * fine-tuned on, needed for GEM ACC/BWT) and {@code polarity} (CLOSER_TO_50_IS_BETTER for a bias share such as a
 * stereotype score; see {@link Polarity}) and {@code chance} (the element's chance level in percent of correct/n,
 * e.g. 25 for four choices, 0 for exact match; empty = unknown); columns by name, rows in any order, identical
 * duplicate rows ignored.
 */
public final class ScoresCsv {

    /** The required columns, in the documented order. */
    public static final List<String> REQUIRED = List.of("campaign", "family", "model", "stage", "benchmark", "category", "n", "correct");
    /** Optional columns. */
    public static final List<String> OPTIONAL = List.of("items", "task", "polarity", "chance");

    private ScoresCsv() {
    }

    /** A row the metric library cannot use; the message names the line. */
    public static final class BadRowException extends Exception {
        private final int line;

        BadRowException(int line, String message) {
            super("line " + line + ": " + message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    /** Parses every row; {@code updatedAt} stamps every cell (offline scores have no event time). */
    public static List<Map.Entry<RunKey, ScoreCell>> read(Reader input, Instant updatedAt) throws IOException, BadRowException {
        StringWriter all = new StringWriter();
        input.transferTo(all);
        String csv = all.toString();
        if (csv.startsWith("\uFEFF")) {
            csv = csv.substring(1);
        }
        List<CSVRecord> records = records(csv);
        if (records.isEmpty()) {
            throw new BadRowException(1, "empty file, expected the header " + String.join(",", REQUIRED) + "[,items]");
        }
        int[] lineStarts = lineStarts(csv);
        Map<String, Integer> columns = new HashMap<>();
        List<String> names = records.get(0).toList();
        int headerLine = lineOf(lineStarts, records.get(0));
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).strip();
            if (!REQUIRED.contains(name) && !OPTIONAL.contains(name)) {
                throw new BadRowException(headerLine, "unknown column '" + name + "', expected " + String.join(",", REQUIRED) + "[,items][,task][,polarity][,chance]");
            }
            if (columns.put(name, i) != null) {
                throw new BadRowException(headerLine, "column '" + name + "' appears twice");
            }
        }
        for (String required : REQUIRED) {
            if (!columns.containsKey(required)) {
                throw new BadRowException(headerLine, "missing column '" + required + "', expected " + String.join(",", REQUIRED) + "[,items]");
            }
        }
        Map<String, Map.Entry<RunKey, ScoreCell>> cells = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new HashMap<>();
        Map<String, String> familyOfRun = new HashMap<>();
        for (CSVRecord record : records.subList(1, records.size())) {
            int lineNumber = lineOf(lineStarts, record);
            List<String> fields = record.toList();
            if (fields.size() == 1 && fields.get(0).isBlank()) {
                continue;
            }
            if (fields.size() != names.size()) {
                throw new BadRowException(lineNumber, "expected " + names.size() + " fields, got " + fields.size());
            }
            Row row = new Row(fields, columns, lineNumber);
            String campaign = row.name("campaign");
            String family = row.name("family");
            String model = row.name("model");
            int stage = row.integer("stage", 0);
            String benchmark = row.name("benchmark");
            String category = row.name("category");
            int n = row.integer("n", 1);
            int correct = row.integer("correct", 0);
            if (correct > n) {
                throw new BadRowException(lineNumber, "correct (" + correct + ") exceeds n (" + n + ")");
            }
            byte[] bits = row.items(n, correct);
            String task = row.optional("task");
            MetricPolarity polarity = polarity(row, lineNumber);
            RunKey run = new RunKey(campaign, family, model);
            String previousFamily = familyOfRun.putIfAbsent(run.id(), family);
            if (previousFamily != null && !previousFamily.equals(family)) {
                throw new BadRowException(lineNumber, "model run " + run.id() + " is in family '" + previousFamily
                        + "' on an earlier line and '" + family + "' here");
            }
            ScoreCell cell = new ScoreCell(stage, stage == 0 ? null : task, benchmark, category, n,
                    Polarity.goodCount(polarity, n, correct), bits, updatedAt,
                    Polarity.chanceOnScale(polarity, row.percent("chance")));
            String key = run.id() + "\u0000" + stage + "\u0000" + benchmark;
            Map.Entry<RunKey, ScoreCell> previous = cells.putIfAbsent(key, Map.entry(run, cell));
            if (previous != null && !previous.getValue().equals(cell)) {
                throw new BadRowException(lineNumber, "a different score for " + run.id() + " stage " + stage + " "
                        + benchmark + " is on line " + firstLine.get(key));
            }
            firstLine.putIfAbsent(key, lineNumber);
        }
        return new ArrayList<>(cells.values());
    }

    /**
     * Every record of the file, by Commons CSV's default format (RFC 4180: a quoted field may hold commas, doubled
     * quotes and line breaks; empty lines skipped); a malformed record (an unterminated quote) names the line
     * after the last good record.
     */
    private static List<CSVRecord> records(String csv) throws IOException, BadRowException {
        List<CSVRecord> records = new ArrayList<>();
        try (CSVParser parser = CSVFormat.DEFAULT.parse(new StringReader(csv))) {
            Iterator<CSVRecord> it = parser.iterator();
            while (true) {
                long parsedLines = parser.getCurrentLineNumber();
                try {
                    if (!it.hasNext()) {
                        return records;
                    }
                    records.add(it.next());
                } catch (UncheckedIOException e) {
                    throw new BadRowException((int) parsedLines + 1, "malformed CSV (an unterminated quoted field?): "
                            + e.getCause().getMessage());
                }
            }
        }
    }

    /** The offset at which each line of the text starts (a line ends at LF, CRLF or a lone CR). */
    private static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>(List.of(0));
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\n' || (ch == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'))) {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The 1-based line on which a record starts (a record may span lines inside a quoted field). */
    private static int lineOf(int[] lineStarts, CSVRecord record) {
        int found = Arrays.binarySearch(lineStarts, (int) record.getCharacterPosition());
        return (found >= 0 ? found : -found - 2) + 1;
    }

    /** The optional {@code polarity} column: empty or HIGHER_IS_BETTER, or CLOSER_TO_50_IS_BETTER for a bias share. */
    private static MetricPolarity polarity(Row row, int line) throws BadRowException {
        String value = row.optional("polarity");
        if (value == null || value.isBlank()) {
            return MetricPolarity.HIGHER_IS_BETTER;
        }
        try {
            return MetricPolarity.valueOf(value.strip());
        } catch (IllegalArgumentException e) {
            throw new BadRowException(line, "polarity must be HIGHER_IS_BETTER or CLOSER_TO_50_IS_BETTER, got '" + value + "'");
        }
    }

    private record Row(List<String> fields, Map<String, Integer> columns, int line) {

        String raw(String column) {
            return fields.get(columns.get(column)).strip();
        }

        String name(String column) throws BadRowException {
            String value = raw(column);
            if (value.isEmpty()) {
                throw new BadRowException(line, column + " must not be empty");
            }
            return value;
        }

        String optional(String column) {
            Integer index = columns.get(column);
            String value = index == null ? null : fields.get(index).strip();
            return value == null || value.isEmpty() ? null : value;
        }

        int integer(String column, int min) throws BadRowException {
            String value = raw(column);
            int parsed;
            try {
                parsed = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new BadRowException(line, column + " must be an integer, got '" + value + "'");
            }
            if (parsed < min) {
                throw new BadRowException(line, column + " must be >= " + min + ", got " + parsed);
            }
            return parsed;
        }

        /** An optional percentage in [0, 100]; null when the column is absent or empty. */
        Double percent(String column) throws BadRowException {
            String value = optional(column);
            if (value == null) {
                return null;
            }
            double parsed;
            try {
                parsed = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new BadRowException(line, column + " must be a percentage, got '" + value + "'");
            }
            if (!(parsed >= 0 && parsed <= 100)) {
                throw new BadRowException(line, column + " must be in [0, 100] percent, got " + value);
            }
            return parsed;
        }

        byte[] items(int n, int correct) throws BadRowException {
            String items = optional("items");
            if (items == null) {
                return null;
            }
            if (items.length() != n) {
                throw new BadRowException(line, "items has " + items.length() + " characters, expected n = " + n);
            }
            byte[] bits = new byte[(n + 7) / 8];
            int ones = 0;
            for (int i = 0; i < n; i++) {
                char ch = items.charAt(i);
                if (ch == '1') {
                    bits[i >>> 3] |= (byte) (1 << (i & 7));
                    ones++;
                } else if (ch != '0') {
                    throw new BadRowException(line, "items must be a string of 0 and 1, got '" + ch + "' at item " + i);
                }
            }
            if (ones != correct) {
                throw new BadRowException(line, "items has " + ones + " ones but correct = " + correct);
            }
            return bits;
        }
    }
}

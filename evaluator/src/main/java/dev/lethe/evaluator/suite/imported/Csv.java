package dev.lethe.evaluator.suite.imported;

import java.util.ArrayList;
import java.util.List;

/** A small RFC 4180 reader (quoted fields with commas, doubled quotes and line breaks) for the MMLU CSVs. */
final class Csv {

    private Csv() {
    }

    static List<List<String>> parse(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        for (; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(ch);
                }
                continue;
            }
            switch (ch) {
                case '"' -> {
                    quoted = true;
                    any = true;
                }
                case ',' -> {
                    row.add(field.toString());
                    field.setLength(0);
                    any = true;
                }
                case '\r' -> {
                    // CRLF or a lone CR ends the row like LF
                    if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        i++;
                    }
                    any = endRow(rows, row, field, any);
                    row = new ArrayList<>();
                }
                case '\n' -> {
                    any = endRow(rows, row, field, any);
                    row = new ArrayList<>();
                }
                default -> {
                    field.append(ch);
                    any = true;
                }
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quoted field in row " + (rows.size() + 1));
        }
        endRow(rows, row, field, any);
        return rows;
    }

    private static boolean endRow(List<List<String>> rows, List<String> row, StringBuilder field, boolean any) {
        if (any || field.length() > 0) {
            row.add(field.toString());
            rows.add(row);
        }
        field.setLength(0);
        return false;
    }
}

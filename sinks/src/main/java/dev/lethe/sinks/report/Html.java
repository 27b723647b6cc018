package dev.lethe.sinks.report;

import java.util.Locale;

/** HTML text escaping and number formatting for the report; every piece of record text goes through {@link #escape}. */
final class Html {

    private Html() {
    }

    static String escape(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String num(Double v, int decimals) {
        return v == null || v.isNaN() ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String num(Integer v) {
        return v == null ? "–" : v.toString();
    }
}

package dev.lethe.evaluator.suite.imported;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {

    @Test
    void shouldKeepAQuotedLineBreakCommaAndQuoteInsideOneField() {
        List<List<String>> rows = Csv.parse("\uFEFFq,a\r\n\"Which\nline?\",\"x, \"\"y\"\"\"\n\nlast,\"\"\n");

        assertThat(rows).containsExactly(List.of("q", "a"), List.of("Which\nline?", "x, \"y\""), List.of("last", ""));
    }

    @Test
    void shouldRefuseAnUnterminatedQuotedField() {
        assertThatThrownBy(() -> Csv.parse("q,a\n\"open,b\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed CSV after row 1");
    }
}

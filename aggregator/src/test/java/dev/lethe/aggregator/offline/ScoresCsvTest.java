package dev.lethe.aggregator.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoresCsvTest {

    private static List<Map.Entry<RunKey, ScoreCell>> read(String... lines) throws Exception {
        return ScoresCsv.read(new StringReader(String.join("\n", lines)), Instant.EPOCH);
    }

    @Test
    void shouldReadColumnsByNameWithQuotesItemsAndTask() throws Exception {
        List<Map.Entry<RunKey, ScoreCell>> cells = read(
                "task,campaign,family,model,stage,benchmark,category,n,correct,items",
                "perm-1,c,mlp,\"m,1\",1,e,dk,10,3,1010100000",
                "",
                ",c,mlp,\"m,1\",0,e,dk,10,3,1010100000",
                ",c,mlp,\"m,1\",0,e,dk,10,3,1010100000"); // an identical duplicate row is ignored

        assertThat(cells).hasSize(2);
        assertThat(cells.get(0).getKey()).isEqualTo(new RunKey("c", "mlp", "m,1"));
        ScoreCell cell = cells.get(0).getValue();
        assertThat(cell.task()).isEqualTo("perm-1");
        assertThat(cell.itemBits()).containsExactly(0b0001_0101, 0);
        assertThat(cell.item(2)).isTrue();
        assertThat(cell.item(1)).isFalse();
        assertThat(cells.get(1).getValue().task()).isNull();
    }

    @Test
    void shouldReadTheChanceLevelWhenTheColumnIsThereAndDropItForABiasShare() throws Exception {
        List<Map.Entry<RunKey, ScoreCell>> cells = read(
                "campaign,family,model,stage,benchmark,category,n,correct,chance,polarity",
                "c,llm,m,0,mmlu,dk,100,40,25,",
                "c,llm,m,0,gsm8k,dk,100,40,0,",
                "c,llm,m,0,arc,dk,100,40,,",
                "c,llm,m,0,crows,bias,100,60,50,CLOSER_TO_50_IS_BETTER");

        assertThat(cells).extracting(e -> e.getValue().chancePct()).containsExactly(25.0, 0.0, null, null);
        String header = "campaign,family,model,stage,benchmark,category,n,correct,chance";
        assertThatThrownBy(() -> read(header, "c,f,m,0,e,dk,2,1,quarter"))
                .hasMessage("line 2: chance must be a percentage, got 'quarter'");
        assertThatThrownBy(() -> read(header, "c,f,m,0,e,dk,2,1,125")).hasMessage("line 2: chance must be in [0, 100] percent, got 125");
        assertThatThrownBy(() -> read(header, "c,f,m,0,e,dk,2,1,NaN")).hasMessage("line 2: chance must be in [0, 100] percent, got NaN");
    }

    @Test
    void shouldNameTheLineWhenARowContradictsAnother() {
        assertThatThrownBy(() -> read("campaign,family,model,stage,benchmark,category,n,correct",
                "c,mlp,m,0,e,dk,10,3", "c,mlp,m,0,e,dk,10,4"))
                .hasMessage("line 3: a different score for c/m stage 0 e is on line 2");
        assertThatThrownBy(() -> read("campaign,family,model,stage,benchmark,category,n,correct",
                "c,mlp,m,0,e,dk,10,3", "c,cnn,m,1,e,dk,10,4"))
                .hasMessageStartingWith("line 3: model run c/m is in family 'mlp'");
    }

    @Test
    void shouldNameTheLineAndFieldWhenAValueIsInvalid() {
        String header = "campaign,family,model,stage,benchmark,category,n,correct,items";
        assertThatThrownBy(() -> read(header, "c,f,m,-1,e,dk,2,1,10")).hasMessage("line 2: stage must be >= 0, got -1");
        assertThatThrownBy(() -> read(header, "c,f,m,0,e,dk,0,0,")).hasMessage("line 2: n must be >= 1, got 0");
        assertThatThrownBy(() -> read(header, "c,f,m,0,e,dk,2,3,11")).hasMessage("line 2: correct (3) exceeds n (2)");
        assertThatThrownBy(() -> read(header, "c,f,m,0,e,dk,2,1,1")).hasMessage("line 2: items has 1 characters, expected n = 2");
        assertThatThrownBy(() -> read(header, "c,f,m,0,e,dk,2,1,11")).hasMessage("line 2: items has 2 ones but correct = 1");
        assertThatThrownBy(() -> read(header, "c,f,m,0,e,dk,2,1,1x")).hasMessageContaining("line 2: items must be a string of 0 and 1");
        assertThatThrownBy(() -> read(header, "c,f,,0,e,dk,2,1,10")).hasMessage("line 2: model must not be empty");
        assertThatThrownBy(() -> read(header, "c,f,m,0,e,dk,2,1")).hasMessage("line 2: expected 9 fields, got 8");
        assertThatThrownBy(() -> read("campaign,family,model,stage,benchmark,category,n,correct,extra"))
                .hasMessageStartingWith("line 1: unknown column 'extra'");
        assertThatThrownBy(() -> read("")).hasMessageStartingWith("line 1: empty file");
    }

    @Test
    void shouldReadAQuotedLineBreakInsideAFieldAndCountLinesFromTheFile() throws Exception {
        String header = "campaign,family,model,stage,benchmark,category,n,correct,task";
        List<Map.Entry<RunKey, ScoreCell>> cells = read(header,
                "c,mlp,m,1,e,dk,10,3,\"perm-1",
                "second line\"",
                "c,mlp,m,0,e,dk,10,3,");

        assertThat(cells).hasSize(2);
        assertThat(cells.get(0).getValue().task()).isEqualTo("perm-1\nsecond line");
        // the row after a two-line record is on line 4 of the file
        assertThatThrownBy(() -> read(header, "c,mlp,m,1,e,dk,10,3,\"a\r\nb\"", "c,mlp,m,0,e,dk,10,11,"))
                .hasMessage("line 4: correct (11) exceeds n (10)");
        assertThatThrownBy(() -> read(header, "c,mlp,m,0,e,dk,10,3,", "c,mlp,m,1,e,dk,10,3,\"never closed"))
                .hasMessageStartingWith("line 3: malformed CSV");
    }
}

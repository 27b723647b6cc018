package dev.lethe.trainer.run;

import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.campaign.CampaignFile;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Small campaigns that train in seconds, written in the campaign file format. */
final class TestCampaigns {

    private TestCampaigns() {
    }

    static Campaign parse(String yaml) {
        try {
            return CampaignFile.parse(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Permuted digits, 3 stages, an MLP and a CNN. */
    static Campaign permuted(String name) {
        return parse("""
                name: %s
                dataset: digits
                protocol: permuted
                stages: 3
                epochs: 4
                batchSize: 32
                learningRate: 0.003
                seed: 11
                models:
                  - {name: mlp-64, family: mlp, architecture: mlp, size: [64]}
                  - {name: cnn-8, family: cnn, architecture: cnn, size: [8, 32]}
                """.formatted(name));
    }

    /** Permuted digits, 2 stages, 2 epochs: the smallest campaign with an MLP and a CNN. */
    static Campaign tiny(String name) {
        return parse("""
                name: %s
                dataset: digits
                protocol: permuted
                stages: 2
                epochs: 2
                batchSize: 64
                learningRate: 0.003
                seed: 5
                models:
                  - {name: mlp-32, family: mlp, architecture: mlp, size: [32]}
                  - {name: cnn-4, family: cnn, architecture: cnn, size: [4, 16], replay: 0.1}
                """.formatted(name));
    }
}

package dev.lethe.schemas.layeringfixture;

import dev.lethe.evaluator.EvaluatorConfig;

/** A schemas class that uses the evaluator, for ModuleLayeringTest to see its rule fail; not on any main path. */
public final class WrongWayImport {

    private WrongWayImport() {
    }

    public static String upwards(EvaluatorConfig config) {
        return String.valueOf(config);
    }
}

package dev.lethe.evaluator.llm.harness;

import java.util.Map;

/**
 * One line of an lm-evaluation-harness {@code samples_<task>_<timestamp>.jsonl} file ({@code --log_samples}; written
 * by {@code EvaluationTracker.save_results_samples} from the dict {@code lm_eval/evaluator.py} builds per document and
 * filter): the document's {@code doc_id}, the {@code filter} the metrics were computed after (absent in older
 * harness versions), the numeric metric values (e.g. {@code acc}, {@code acc_norm}, {@code exact_match},
 * {@code pct_stereotype}) and the {@code doc_hash}.
 *
 * @param docId   the document's index in the task's evaluation split
 * @param filter  filter name ({@code none} for multiple choice, {@code strict-match} ...); null when the line has none
 * @param values  metric name → value, every numeric or boolean top-level field named in {@code metrics} (or, without
 *                that list, every numeric top-level field)
 * @param docHash the harness's sha256 of the document, null when absent
 */
record HarnessSample(int docId, String filter, Map<String, Double> values, String docHash) {

    public HarnessSample {
        values = Map.copyOf(values);
    }
}

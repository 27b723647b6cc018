package dev.lethe.evaluator.planner;

import dev.lethe.evaluator.suite.InvalidSuiteException;
import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.evaluator.suite.UnknownSuiteException;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.names.CheckpointNames;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The planner's pure logic: validates a {@link CheckpointReady} and expands it into one {@link EvalTask} per
 * (benchmark, shard) of its suite, in suite order. No Kafka here.
 */
public final class ShardPlanner {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Set<String> FILE_SCHEMES = Set.of("file", "http", "https");

    /** The outcome for one event: the tasks, or why there are none. */
    public record Plan(List<EvalTask> tasks, PlanRejection rejection) {
        public boolean rejected() {
            return rejection != null;
        }
    }

    private final SuiteCatalog catalog;

    public ShardPlanner(SuiteCatalog catalog) {
        this.catalog = catalog;
    }

    /** {@code checkpointId/benchmark/shardIndex}: the EvalTask key and taskId. */
    public static String taskId(String checkpointId, String benchmark, int shardIndex) {
        return checkpointId + "/" + benchmark + "/" + shardIndex;
    }

    public Plan plan(CheckpointReady event) {
        String invalid = validate(event);
        if (invalid != null) {
            return reject(DeadLetterReason.VALIDATION, invalid, null);
        }
        Suite suite;
        try {
            suite = catalog.resolve(event.getSuite(), event.getAttributes());
        } catch (UnknownSuiteException e) {
            return reject(DeadLetterReason.UNKNOWN_SUITE, e.getMessage(), e);
        } catch (InvalidSuiteException e) {
            return reject(DeadLetterReason.VALIDATION, e.getMessage(), e);
        }
        if (suite.stages() != null && event.getStage() > suite.stages()) {
            return reject(DeadLetterReason.VALIDATION, "stage " + event.getStage() + " is beyond the campaign's "
                    + suite.stages() + " stages", null);
        }
        return new Plan(expand(event, suite), null);
    }

    /** One task per shard of every element, in suite order. */
    public static List<EvalTask> expand(CheckpointReady event, Suite suite) {
        String version = suite.version();
        List<EvalTask> tasks = new ArrayList<>(suite.shardCount());
        for (SuiteElement element : suite.elements()) {
            int shards = element.shardCount();
            for (int shard = 0; shard < shards; shard++) {
                tasks.add(EvalTask.newBuilder()
                        .setTaskId(taskId(event.getCheckpointId(), element.benchmark(), shard))
                        .setCheckpointId(event.getCheckpointId())
                        .setCampaign(event.getCampaign())
                        .setFamily(event.getFamily())
                        .setModel(event.getModel())
                        .setStage(event.getStage())
                        .setTask(event.getTask())
                        .setCheckpointUri(event.getCheckpointUri())
                        .setCheckpointSha256(event.getCheckpointSha256().toLowerCase(Locale.ROOT))
                        .setFormat(event.getFormat())
                        .setSuite(suite.id())
                        .setSuiteVersion(version)
                        .setBenchmark(element.benchmark())
                        .setCategory(element.category())
                        .setShardIndex(shard)
                        .setShardCount(shards)
                        .setItemStart(element.shardStart(shard))
                        .setItemEnd(element.shardEnd(shard))
                        .setAttributes(new LinkedHashMap<>(event.getAttributes()))
                        .setCheckpointCreatedAt(event.getCreatedAt())
                        .build());
            }
        }
        return tasks;
    }

    /** The first problem with the event's own fields, or null when they are usable. */
    static String validate(CheckpointReady e) {
        if (blank(e.getCheckpointId())) {
            return "checkpointId is blank";
        }
        // the same rules as lethe publish (CheckpointNames): no '/', no NUL or other control characters
        for (String[] name : new String[][] {{"campaign", e.getCampaign()}, {"family", e.getFamily()}, {"model", e.getModel()}}) {
            String problem = CheckpointNames.problem(name[1]);
            if (problem != null) {
                return name[0] + " " + problem;
            }
        }
        if (e.getStage() < 0) {
            return "stage must be >= 0, got " + e.getStage();
        }
        String idProblem = CheckpointNames.idProblem(e.getCheckpointId(), e.getCampaign(), e.getModel(), e.getStage());
        if (idProblem != null) {
            return "checkpointId " + idProblem;
        }
        if (e.getStage() > 0 && blank(e.getTask())) {
            return "task must be set for stage " + e.getStage() + " (only stage 0 has no task)";
        }
        if (e.getCheckpointSha256() == null || !SHA256.matcher(e.getCheckpointSha256()).matches()) {
            return "checkpointSha256 must be 64 hex digits, got '" + e.getCheckpointSha256() + "'";
        }
        if (e.getFormat() == null || e.getFormat() == CheckpointFormat.UNKNOWN) {
            return "format must be a known checkpoint format, got " + e.getFormat();
        }
        URI uri;
        try {
            uri = new URI(Objects.requireNonNullElse(e.getCheckpointUri(), ""));
        } catch (URISyntaxException ex) {
            return "checkpointUri is not a URI: " + ex.getMessage();
        }
        if (uri.getScheme() == null) {
            return "checkpointUri must be absolute with a scheme, got '" + e.getCheckpointUri() + "'";
        }
        if (e.getFormat() != CheckpointFormat.OPENAI_COMPLETIONS
                && !FILE_SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            return "checkpointUri of a " + e.getFormat() + " checkpoint must be file:, http: or https:, got '"
                    + e.getCheckpointUri() + "'";
        }
        if (blank(e.getSuite())) {
            return "suite is blank";
        }
        if (e.getCreatedAt() == null) {
            return "createdAt is missing";
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static Plan reject(DeadLetterReason reason, String message, Throwable cause) {
        return new Plan(List.of(), new PlanRejection(reason, message, cause));
    }
}

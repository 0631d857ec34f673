package org.inductionlab.engine.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** What config.json holds: the hyperparameters as text, where and with what it ran, and how far it got. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunInfo(
        @JsonProperty("format") int format,
        @JsonProperty("preset") String preset,
        @JsonProperty("created") String created,
        @JsonProperty("hyperparameters") Map<String, String> hyperparameters,
        @JsonProperty("environment") Environment environment,
        @JsonProperty("parameter_count") long parameterCount,
        @JsonProperty("training") Training training,
        @JsonProperty("imported_from") Map<String, String> importedFrom) {

    public static final int FORMAT = 1;

    /** The software and hardware the run trained on. */
    public record Environment(
            @JsonProperty("lab") String lab,
            @JsonProperty("djl") String djl,
            @JsonProperty("libtorch") String libtorch,
            @JsonProperty("flavor") String flavor,
            @JsonProperty("device") String device,
            @JsonProperty("threads") int threads,
            @JsonProperty("java") String java,
            @JsonProperty("os") String os) {}

    /** Progress so far; rewritten at each checkpoint and at the end. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Training(
            @JsonProperty("status") String status,
            @JsonProperty("steps") long steps,
            @JsonProperty("epoch") double epoch,
            @JsonProperty("running_accuracy") double runningAccuracy,
            @JsonProperty("last_loss") double lastLoss,
            @JsonProperty("wall_seconds") double wallSeconds,
            @JsonProperty("stop_reason") String stopReason,
            @JsonProperty("updated") String updated) {

        /** The status word as an enum. */
        public RunStatus runStatus() {
            return RunStatus.of(status);
        }
    }

    public RunInfo withTraining(Training t) {
        return new RunInfo(format, preset, created, hyperparameters, environment, parameterCount, t, importedFrom);
    }

    /** The software and device a run trains on, recorded when training starts on a machine. */
    public RunInfo withEnvironment(Environment e) {
        return new RunInfo(format, preset, created, hyperparameters, e, parameterCount, training, importedFrom);
    }

    public RunInfo withHyperparameters(Map<String, String> h) {
        return new RunInfo(format, preset, created, h, environment, parameterCount, training, importedFrom);
    }

    /** Where a run's weights came from when it was imported (file, naming scheme), not trained here. */
    public RunInfo withImportedFrom(Map<String, String> from) {
        return new RunInfo(format, preset, created, hyperparameters, environment, parameterCount, training, from);
    }
}

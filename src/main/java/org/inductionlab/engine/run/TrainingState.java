package org.inductionlab.engine.run;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where training stood at a checkpoint: enough, with the weights and the optimizer's moments, to continue
 * at the same step on the same data (the data of step s depends only on the seed and s).
 */
public record TrainingState(
        @JsonProperty("step") long step,
        @JsonProperty("optimizer_updates") long optimizerUpdates,
        @JsonProperty("elapsed_seconds") double elapsedSeconds,
        @JsonProperty("recent_accuracies") double[] recentAccuracies,
        @JsonProperty("last_loss") double lastLoss,
        @JsonProperty("curriculum_stage") int curriculumStage) {}

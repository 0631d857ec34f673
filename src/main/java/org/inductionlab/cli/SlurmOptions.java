package org.inductionlab.cli;

import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.lab.study.SlurmJob;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The Slurm options of a job array, one picocli mixin for every command that submits one ({@code study run
 * --slurm}, {@code eval --shards --slurm}): a task is one run or one shard.
 */
final class SlurmOptions {
    @Option(names = "--partition", paramLabel = "P", description = "Slurm partition")
    String partition;

    @Option(names = "--time", paramLabel = "T", description = "Slurm time limit per task (a run or a shard), e.g. 1:00:00")
    String time;

    @Option(names = "--cpus", paramLabel = "C", description = "CPUs per task, also its threads (default 2)")
    Integer cpus;

    @Option(names = "--gpus", paramLabel = "G", description = "GPUs per task (default 0)")
    Integer gpus;

    @Option(names = "--mem", paramLabel = "M", description = "memory per task, e.g. 8G")
    String memory;

    @Option(names = "--account", paramLabel = "A", description = "Slurm account")
    String account;

    @Option(names = "--qos", paramLabel = "Q", description = "Slurm QOS")
    String qos;

    @Option(names = "--module", paramLabel = "M", description = "'module load M' in the job script (repeatable)")
    List<String> modules = new ArrayList<>();

    @Option(names = "--max-parallel", paramLabel = "K", description = "at most K tasks at once (--array=…%%K)")
    Integer maxParallel;

    /** Whether any of them was given. */
    boolean given() {
        return partition != null || time != null || cpus != null || gpus != null || memory != null || account != null
                || qos != null || !modules.isEmpty() || maxParallel != null;
    }

    /** Refuses them where the work runs here ({@code --local}). */
    void refuseLocally() {
        if (given()) {
            throw new InvalidConfigException("local", "Slurm options (--partition, --time, --cpus, …) go with --slurm");
        }
    }

    /** The job's options, with the defaults: 2 CPUs, no GPU, no cap on tasks at once. */
    SlurmJob.Options options() {
        return new SlurmJob.Options(partition, time, cpus == null ? 2 : cpus, gpus == null ? 0 : gpus, memory, account,
                qos, modules, maxParallel == null ? 0 : maxParallel);
    }
}

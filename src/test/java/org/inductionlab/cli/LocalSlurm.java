package org.inductionlab.cli;

import org.inductionlab.engine.lab.study.Slurm;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Slurm cluster for tests: Debian's munge and slurm-wlm, started without systemd under a
 * temporary folder (its own config, ports, state and logs) and stopped by {@link #close}. It uses only what
 * is installed — a test changes nothing on the machine outside its temporary folder —, and the calling test
 * is skipped, saying why, where the packages are missing (.ci/run installs them) or the user is not root.
 * Clients reach it through {@link #environment()} (SLURM_CONF).
 */
final class LocalSlurm implements AutoCloseable {

    private final Path dir;
    private final Map<String, String> env;
    private final java.time.Instant started = java.time.Instant.now();

    private LocalSlurm(Path dir) {
        this.dir = dir;
        this.env = Map.of("SLURM_CONF", dir.resolve("slurm.conf").toString());
    }

    /** Starts a cluster with the installed Slurm; skips the calling test when it is missing or cannot run. */
    static LocalSlurm start() throws IOException, InterruptedException {
        List<String> missing = missing();
        Assumptions.assumeTrue(missing.isEmpty(), "slurm-wlm and munge are not installed (no " + String.join(", ", missing)
                + "): the Slurm study test is skipped; .ci/run installs them, or apt-get install slurm-wlm munge");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "the single-node Slurm of the tests runs its daemons as root; this user is "
                        + System.getProperty("user.name") + ": the Slurm test is skipped");
        Path dir = Files.createTempDirectory("lab-slurm");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalSlurm s = new LocalSlurm(dir);
        try {
            s.startDaemons();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    Map<String, String> environment() {
        return env;
    }

    Path logs() {
        return dir.resolve("log");
    }

    /** The executables of slurm-wlm and munge that the cluster needs and this machine lacks. */
    private static List<String> missing() {
        List<String> out = new ArrayList<>();
        for (String exe : new String[] {"/usr/bin/sbatch", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged"}) {
            if (!Files.isExecutable(Path.of(exe))) {
                out.add(exe);
            }
        }
        return out;
    }

    private void startDaemons() throws IOException, InterruptedException {
        for (String d : new String[] {"munge", "state", "spool", "log"}) {
            Files.createDirectories(dir.resolve(d));
            Files.setPosixFilePermissions(dir.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        byte[] key = new byte[1024];
        new SecureRandom().nextBytes(key);
        Path keyFile = dir.resolve("munge.key");
        Files.write(keyFile, key);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("r--------"));
        Path socket = dir.resolve("munge/munge.socket.2");
        check(exec(List.of("/usr/sbin/munged", "--key-file=" + keyFile, "--socket=" + socket,
                "--pid-file=" + dir.resolve("munged.pid"), "--log-file=" + dir.resolve("log/munged.log"),
                "--seed-file=" + dir.resolve("munge.seed"), "--force"), 30), "munged");

        String host = shortHostname();
        int cpus = Runtime.getRuntime().availableProcessors();
        String conf = String.join("\n",
                "ClusterName=lab",
                "SlurmctldHost=" + host + "(127.0.0.1)",
                "AuthType=auth/munge",
                "CredType=cred/munge",
                "AuthInfo=socket=" + socket,
                "SlurmUser=" + System.getProperty("user.name"),
                "SlurmctldPort=" + freePort(),
                "SlurmdPort=" + freePort(),
                "StateSaveLocation=" + dir.resolve("state"),
                "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"),
                "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("log/slurmctld.log"),
                "SlurmdLogFile=" + dir.resolve("log/slurmd.log"),
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "SchedulerType=sched/backfill",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_CPU",
                "ReturnToService=2",
                "KillWait=5",
                "MailProg=/bin/true",
                "AccountingStorageType=accounting_storage/none",
                "JobAcctGatherType=jobacct_gather/none",
                "NodeName=" + host + " NodeAddr=127.0.0.1 CPUs=" + cpus + " State=UNKNOWN",
                "PartitionName=debug Nodes=" + host + " Default=YES MaxTime=INFINITE State=UP", "");
        Files.writeString(dir.resolve("slurm.conf"), conf, StandardCharsets.UTF_8);
        String confPath = dir.resolve("slurm.conf").toString();
        check(exec(List.of("/usr/sbin/slurmctld", "-f", confPath), 30), "slurmctld");
        check(exec(List.of("/usr/sbin/slurmd", "-f", confPath, "-N", host), 30), "slurmd");
        // the first scheduling pass comes a few seconds after start: wait until the node is idle
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            Slurm.Output o = new Slurm(env).run(null, List.of("sinfo", "--noheader", "--format=%t"));
            if (o.code() == 0 && o.out().trim().startsWith("idle")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IOException("the test cluster's node did not come up; see " + logs());
    }

    /** This machine's short name, as slurmd would take it (the kernel's, without a lookup that can fail). */
    private static String shortHostname() throws IOException {
        Path kernel = Path.of("/proc/sys/kernel/hostname");
        String name = Files.isReadable(kernel) ? Files.readString(kernel).trim() : InetAddress.getLocalHost().getHostName();
        return name.split("\\.")[0];
    }

    private void check(int code, String daemon) throws IOException {
        if (code != 0) {
            throw new IOException(daemon + " did not start (exit " + code + "); see " + logs());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int exec(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** Cancels what is left, stops the daemons by their PID files and waits until they have gone. */
    @Override
    public void close() throws IOException {
        try {
            new Slurm(env).run(null, List.of("scancel", "--user=" + System.getProperty("user.name")));
        } catch (IOException ignored) {
            // not started
        }
        List<ProcessHandle> daemons = new ArrayList<>();
        for (String pid : new String[] {"slurmd.pid", "slurmctld.pid", "munged.pid"}) {
            Path f = dir.resolve(pid);
            if (Files.exists(f)) {
                ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).ifPresent(h -> {
                    h.destroy();
                    daemons.add(h);
                });
            }
        }
        awaitGone(daemons);
        // a job step's daemon whose slurmd has gone waits for it forever: once slurmd is gone (no step can
        // start after that), stop those this cluster started (Debian's is slurmstepd-wlm; each works in this
        // cluster's folder, which tells them from another test cluster's)
        awaitGone(ProcessHandle.allProcesses()
                .filter(h -> h.info().command().map(c -> c.matches(".*/slurmstepd(-wlm)?")).orElse(false))
                .filter(h -> h.info().startInstant().map(t -> t.isAfter(started)).orElse(false))
                .filter(this::worksHere)
                .peek(ProcessHandle::destroy)
                .toList());
    }

    /** Whether the process works in this cluster's folder (Linux: /proc/PID/cwd). */
    private boolean worksHere(ProcessHandle h) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "cwd")).startsWith(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Waits up to 15 s for {@code processes} to end, then kills what is left. */
    private static void awaitGone(List<ProcessHandle> processes) {
        long deadline = System.currentTimeMillis() + 15_000;
        for (ProcessHandle h : processes) {
            while (h.isAlive() && System.currentTimeMillis() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }
}

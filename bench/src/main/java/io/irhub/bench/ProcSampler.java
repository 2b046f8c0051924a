package io.irhub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Samples, every {@code period}, from /proc: the watched process's RSS and CPU time (utime + stime), the CPU time of
 * the PostgreSQL server's processes (children of its postmaster), the bench JVM's own, and the whole machine's
 * busy/total jiffies. Summaries are taken over any window of the run.
 */
final class ProcSampler implements AutoCloseable {
    record Sample(long nanos, long rssKb, long hwmKb, long ticks, long pgTicks, long selfTicks, long machineBusy,
                  long machineTotal) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final long pid;
    private final long postmasterPid;
    private final long selfPid = ProcessHandle.current().pid();
    private final java.util.concurrent.ScheduledExecutorService ticks =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "proc-sampler");
                t.setDaemon(true);
                return t;
            });
    private final double ticksPerSecond;
    private final AtomicLong peakHwm = new AtomicLong();
    // PostgreSQL backends come and go (a pool closing ends them): count each one's increments, so the CPU of a backend
    // that has exited stays counted
    private final Map<Long, Long> pgLast = new java.util.HashMap<>();
    private long pgCumulative;

    ProcSampler(long pid, long postmasterPid, long periodMillis, double ticksPerSecond) {
        this.pid = pid;
        this.postmasterPid = postmasterPid;
        this.ticksPerSecond = ticksPerSecond;
        sampleOnce();
        ticks.scheduleAtFixedRate(this::sampleOnce, periodMillis, periodMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    static double clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Double.parseDouble(out);
        } catch (Exception e) {
            return 100;
        }
    }

    private void sampleOnce() {
        long[] st = stat(pid);
        long[] status = status(pid);
        long pg = 0;
        if (postmasterPid > 0) {
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : (Iterable<Path>) procs::iterator) {
                    String name = p.getFileName().toString();
                    if (!Character.isDigit(name.charAt(0))) {
                        continue;
                    }
                    long other = Long.parseLong(name);
                    long[] s = stat(other);
                    if (s != null && (other == postmasterPid || s[2] == postmasterPid)) {
                        long ticks = s[0] + s[1];
                        synchronized (pgLast) {
                            Long prev = pgLast.put(other, ticks);
                            pgCumulative += prev == null ? 0 : Math.max(0, ticks - prev);
                        }
                    }
                }
            } catch (IOException e) {
                // best effort
            }
            synchronized (pgLast) {
                pg = pgCumulative;
            }
        }
        long[] self = stat(selfPid);
        long[] machine = machine();
        Sample s = new Sample(System.nanoTime(), status == null ? 0 : status[0], status == null ? 0 : status[1],
                st == null ? -1 : st[0] + st[1], pg, self == null ? 0 : self[0] + self[1], machine[0], machine[1]);
        if (status != null) {
            peakHwm.accumulateAndGet(status[1], Math::max);
        }
        synchronized (samples) {
            samples.add(s);
        }
    }

    /** utime, stime, ppid of a process, or null when it is gone. */
    static long[] stat(long pid) {
        try {
            String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return new long[]{Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** VmRSS, VmHWM in kB. */
    private static long[] status(long pid) {
        try {
            long rss = 0;
            long hwm = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kb(line);
                }
            }
            return new long[]{rss, hwm};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private static long[] machine() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long user = Long.parseLong(f[1]);
            long nice = Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]);
            long iowait = Long.parseLong(f[5]);
            long irq = Long.parseLong(f[6]);
            long softirq = Long.parseLong(f[7]);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            long busy = user + nice + system + irq + softirq + steal;
            return new long[]{busy, busy + idle + iowait};
        } catch (IOException | RuntimeException e) {
            return new long[]{0, 1};
        }
    }

    long peakHwmKb() {
        return peakHwm.get();
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** CPU and memory over [from, to] (System.nanoTime()). */
    Map<String, Object> summary(long from, long to) {
        sampleOnce();
        List<Sample> in = samples().stream().filter(s -> s.nanos >= from - 250_000_000L && s.nanos <= to + 250_000_000L).toList();
        Map<String, Object> m = new LinkedHashMap<>();
        if (in.size() < 2) {
            return m;
        }
        Sample a = in.get(0);
        Sample b = in.get(in.size() - 1);
        double wall = (b.nanos - a.nanos) / 1e9;
        // the watched process may have exited before the last sample
        List<Sample> alive = in.stream().filter(x -> x.ticks >= 0).toList();
        Sample pa = alive.isEmpty() ? a : alive.get(0);
        Sample pb = alive.isEmpty() ? a : alive.get(alive.size() - 1);
        long peakRss = alive.stream().mapToLong(Sample::rssKb).max().orElse(0);
        double peakCores = 0;
        // peak over ~1 s windows
        for (int i = 0, j = 0; i < alive.size(); i++) {
            while (j < alive.size() && alive.get(j).nanos - alive.get(i).nanos < 1_000_000_000L) {
                j++;
            }
            if (j >= alive.size()) {
                break;
            }
            Sample x = alive.get(i);
            Sample y = alive.get(j);
            peakCores = Math.max(peakCores, (y.ticks - x.ticks) / ticksPerSecond / ((y.nanos - x.nanos) / 1e9));
        }
        double cpuSeconds = (pb.ticks - pa.ticks) / ticksPerSecond;
        double processWall = Math.max(1e-9, (pb.nanos - pa.nanos) / 1e9);
        m.put("wall_seconds", round(wall, 2));
        m.put("cpu_seconds", round(cpuSeconds, 2));
        m.put("avg_cores", round(cpuSeconds / processWall, 2));
        m.put("peak_cores_1s", round(peakCores, 2));
        m.put("peak_rss_mb", round(peakRss / 1024.0, 1));
        m.put("vm_hwm_mb", round(pb.hwmKb / 1024.0, 1));
        m.put("postgres_avg_cores", round((b.pgTicks - a.pgTicks) / ticksPerSecond / wall, 2));
        m.put("bench_jvm_avg_cores", round((b.selfTicks - a.selfTicks) / ticksPerSecond / wall, 2));
        long total = b.machineTotal - a.machineTotal;
        double machineBusyFraction = total <= 0 ? 0 : (double) (b.machineBusy - a.machineBusy) / total;
        int cores = Runtime.getRuntime().availableProcessors();
        double pgCores = (b.pgTicks - a.pgTicks) / ticksPerSecond / wall;
        double selfCores = (b.selfTicks - a.selfTicks) / ticksPerSecond / wall;
        m.put("machine_busy_cores", round(machineBusyFraction * cores, 2));
        m.put("machine_cores", cores);
        // what neither the watched process, PostgreSQL nor the bench used: other load on the machine
        m.put("other_cores", round(Math.max(0, machineBusyFraction * cores - cpuSeconds / wall - pgCores - selfCores), 2));
        return m;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}

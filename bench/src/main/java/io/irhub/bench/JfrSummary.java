package io.irhub.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads the hub's flight recording and summarizes one time window (the full-speed phase): where the CPU samples are
 * (threads, methods, subsystems), what the threads waited on (locks, pool, sockets), and GC. Also runnable alone:
 * {@code java -cp … io.irhub.bench.JfrSummary hub.jfr [fromEpochMillis toEpochMillis]}.
 */
final class JfrSummary {
    /** Subsystems a sample counts toward when any frame of its stack is in them (inclusive, so they overlap). */
    private static final Map<String, Predicate<String>> SUBSYSTEMS = new LinkedHashMap<>();

    static {
        SUBSYSTEMS.put("PostgreSQL JDBC driver (org.postgresql)", f -> f.startsWith("org.postgresql."));
        SUBSYSTEMS.put("HikariCP pool", f -> f.startsWith("com.zaxxer.hikari."));
        SUBSYSTEMS.put("audit chainer (AuditLog.chainPending)", f -> f.startsWith("io.irhub.routes.store.AuditLog.chainPending"));
        SUBSYSTEMS.put("intake accept (PipelineStore.accept)", f -> f.startsWith("io.irhub.routes.store.PipelineStore.accept"));
        SUBSYSTEMS.put("planning (PlanStep.plan)", f -> f.startsWith("io.irhub.routes.PlanStep.plan"));
        SUBSYSTEMS.put("dispatch claim+intent (PipelineStore.claim)", f -> f.startsWith("io.irhub.routes.store.PipelineStore.claim"));
        SUBSYSTEMS.put("dispatch outcome (PipelineStore.complete)", f -> f.startsWith("io.irhub.routes.store.PipelineStore.complete"));
        SUBSYSTEMS.put("Okta connector (OktaTarget.execute)", f -> f.startsWith("io.irhub.connector.okta.OktaTarget.execute"));
        SUBSYSTEMS.put("JDK HttpClient (jdk.internal.net.http)", f -> f.startsWith("jdk.internal.net.http."));
        SUBSYSTEMS.put("Vert.x / Netty (HTTP server)", f -> f.startsWith("io.vertx.") || f.startsWith("io.netty."));
        SUBSYSTEMS.put("Camel engine (org.apache.camel)", f -> f.startsWith("org.apache.camel."));
        SUBSYSTEMS.put("Jackson JSON", f -> f.startsWith("com.fasterxml.jackson."));
        SUBSYSTEMS.put("logging (slf4j, log4j2)", f -> f.startsWith("org.slf4j.") || f.startsWith("org.apache.logging."));
        SUBSYSTEMS.put("Micrometer metrics", f -> f.startsWith("io.micrometer."));
        SUBSYSTEMS.put("SHA-256 / crypto (MessageDigest, sun.security)", f -> f.startsWith("java.security.MessageDigest")
                || f.startsWith("sun.security.provider."));
    }

    private JfrSummary() {
    }

    public static void main(String[] args) throws IOException {
        Instant from = args.length > 2 ? Instant.ofEpochMilli(Long.parseLong(args[1])) : Instant.MIN;
        Instant to = args.length > 2 ? Instant.ofEpochMilli(Long.parseLong(args[2])) : Instant.MAX;
        Map<String, Object> s = summarize(Path.of(args[0]), from, to, -1, -1);
        System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(s));
    }

    /**
     * @param pgPort    the store's port (socket reads toward it are "PostgreSQL")
     * @param oktaPort  the stand-in's port
     */
    static Map<String, Object> summarize(Path file, Instant from, Instant to, int pgPort, int oktaPort) throws IOException {
        long samples = 0;
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> topFrame = new HashMap<>();
        Map<String, Long> topIrhubFrame = new HashMap<>();
        Map<String, Long> subsystems = new LinkedHashMap<>();
        SUBSYSTEMS.keySet().forEach(k -> subsystems.put(k, 0L));
        long nativeSamples = 0;
        Map<String, Long> nativeByThread = new HashMap<>();
        Map<String, Double> monitorWaitMs = new HashMap<>();
        Map<String, Double> parkMs = new HashMap<>();
        Map<String, Double> socketReadMs = new HashMap<>();
        Map<String, Long> socketReads = new HashMap<>();
        long gcCount = 0;
        double gcPauseMs = 0;
        double cpuJvm = 0;
        double cpuMachine = 0;
        long cpuEvents = 0;
        // per thread: summed (user + system) load and the number of jdk.ThreadCPULoad events (every 10 s per thread)
        Map<Long, double[]> threadLoad = new HashMap<>();
        Map<Long, String> threadName = new HashMap<>();
        Instant first = null;
        Instant last = null;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                Instant t = e.getStartTime();
                if (t.isBefore(from) || t.isAfter(to)) {
                    continue;
                }
                first = first == null || t.isBefore(first) ? t : first;
                last = last == null || t.isAfter(last) ? t : last;
                String type = e.getEventType().getName();
                switch (type) {
                    case "jdk.ExecutionSample" -> {
                        samples++;
                        String thread = threadGroup(e.getThread("sampledThread"));
                        byThread.merge(thread, 1L, Long::sum);
                        RecordedStackTrace st = e.getStackTrace();
                        if (st == null || st.getFrames().isEmpty()) {
                            break;
                        }
                        List<RecordedFrame> frames = st.getFrames();
                        topFrame.merge(frame(frames.get(0)), 1L, Long::sum);
                        for (RecordedFrame f : frames) {
                            String name = frame(f);
                            if (name.startsWith("io.irhub.")) {
                                topIrhubFrame.merge(name, 1L, Long::sum);
                                break;
                            }
                        }
                        for (Map.Entry<String, Predicate<String>> s : SUBSYSTEMS.entrySet()) {
                            for (RecordedFrame f : frames) {
                                if (s.getValue().test(frame(f))) {
                                    subsystems.merge(s.getKey(), 1L, Long::sum);
                                    break;
                                }
                            }
                        }
                    }
                    case "jdk.NativeMethodSample" -> {
                        nativeSamples++;
                        nativeByThread.merge(threadGroup(e.getThread("sampledThread")), 1L, Long::sum);
                    }
                    case "jdk.JavaMonitorEnter" -> {
                        String cls = e.getClass("monitorClass") == null ? "?" : e.getClass("monitorClass").getName();
                        monitorWaitMs.merge(cls + " @ " + firstIrhubOrTop(e.getStackTrace()), ms(e), Double::sum);
                    }
                    case "jdk.ThreadPark" -> {
                        String site = parkSite(e.getStackTrace());
                        if (site != null) {
                            parkMs.merge(threadGroup(e.getThread()) + " @ " + site, ms(e), Double::sum);
                        }
                    }
                    case "jdk.SocketRead" -> {
                        int port = e.getInt("port");
                        String peer = port == pgPort ? "PostgreSQL :" + port : port == oktaPort ? "Okta stand-in :" + port
                                : "port " + port;
                        String key = threadGroup(e.getThread()) + " <- " + peer;
                        socketReadMs.merge(key, ms(e), Double::sum);
                        socketReads.merge(key, 1L, Long::sum);
                    }
                    case "jdk.GarbageCollection" -> {
                        gcCount++;
                        gcPauseMs += e.getDuration("sumOfPauses").toNanos() / 1e6;
                    }
                    case "jdk.ThreadCPULoad" -> {
                        RecordedThread th = e.getThread("eventThread");
                        if (th != null) {
                            double[] v = threadLoad.computeIfAbsent(th.getId(), k -> new double[2]);
                            v[0] += e.getFloat("user") + e.getFloat("system");
                            v[1]++;
                            threadName.put(th.getId(), threadGroup(th));
                        }
                    }
                    case "jdk.CPULoad" -> {
                        cpuEvents++;
                        cpuJvm += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                        cpuMachine += e.getFloat("machineTotal");
                    }
                    default -> {
                    }
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        double seconds = first == null ? 0 : (last.toEpochMilli() - first.toEpochMilli()) / 1000.0;
        m.put("window_seconds", ProcSampler.round(seconds, 1));
        m.put("execution_samples", samples);
        m.put("cpu_jvm_avg_fraction_of_machine", cpuEvents == 0 ? null : ProcSampler.round(cpuJvm / cpuEvents, 3));
        m.put("cpu_machine_avg_fraction", cpuEvents == 0 ? null : ProcSampler.round(cpuMachine / cpuEvents, 3));
        m.put("samples_by_thread_pct", pct(byThread, samples, 12));
        // thread CPU (jdk.ThreadCPULoad is a fraction of the whole machine): in cores, summed per thread group;
        // unlike execution samples this includes the JIT compiler and GC threads
        int cpus = Runtime.getRuntime().availableProcessors();
        Map<String, Double> groupCores = new HashMap<>();
        threadLoad.forEach((id, v) -> groupCores.merge(threadName.get(id), cpus * v[0] / v[1], Double::sum));
        Map<String, Object> cores = new LinkedHashMap<>();
        groupCores.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(14)
                .forEach(e -> cores.put(e.getKey(), ProcSampler.round(e.getValue(), 3)));
        m.put("thread_cpu_cores", cores);
        m.put("thread_cpu_cores_total", ProcSampler.round(groupCores.values().stream().mapToDouble(Double::doubleValue).sum(), 2));
        m.put("subsystems_inclusive_pct", pct(subsystems, samples, 30));
        m.put("top_frames_self_pct", pct(topFrame, samples, 15));
        m.put("top_irhub_frames_pct", pct(topIrhubFrame, samples, 10));
        m.put("native_samples", nativeSamples);
        m.put("native_samples_by_thread_pct", pct(nativeByThread, nativeSamples, 10));
        m.put("monitor_enter_wait_ms", top(monitorWaitMs, 8));
        m.put("thread_park_ms_non_idle", top(parkMs, 10));
        m.put("socket_read_ms_over_threshold", top(socketReadMs, 8));
        m.put("socket_reads_over_threshold", topLong(socketReads, 8));
        m.put("gc_count", gcCount);
        m.put("gc_pause_ms_total", ProcSampler.round(gcPauseMs, 1));
        return m;
    }

    private static double ms(RecordedEvent e) {
        return e.getDuration().toNanos() / 1e6;
    }

    static String frame(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static String firstIrhubOrTop(RecordedStackTrace st) {
        if (st == null || st.getFrames().isEmpty()) {
            return "?";
        }
        for (RecordedFrame f : st.getFrames()) {
            String name = frame(f);
            if (name.startsWith("io.irhub.") || name.startsWith("org.slf4j.") || name.startsWith("org.apache.logging.")) {
                return name;
            }
        }
        return frame(st.getFrames().get(0));
    }

    /**
     * The first frame of a park that is not the JDK's queue/lock machinery; null for the idle waits of consumers and
     * pools (an empty seda queue, an idle executor), which say nothing about contention.
     */
    private static String parkSite(RecordedStackTrace st) {
        if (st == null) {
            return null;
        }
        for (RecordedFrame f : st.getFrames()) {
            String name = frame(f);
            if (name.startsWith("java.util.concurrent.") || name.startsWith("jdk.internal.misc.")
                    || name.startsWith("java.lang.Thread.")) {
                continue;
            }
            if (name.startsWith("org.apache.camel.component.seda.SedaConsumer")
                    || name.startsWith("org.apache.camel.support.DefaultTimeoutMap")
                    || name.startsWith("io.netty.") || name.startsWith("io.vertx.core.impl.btc")
                    || name.startsWith("jdk.internal.net.http.HttpClientImpl$SelectorManager")
                    || name.startsWith("com.zaxxer.hikari.util.ConcurrentBag") && !isBorrow(st)) {
                return null;
            }
            return name;
        }
        return null;
    }

    private static boolean isBorrow(RecordedStackTrace st) {
        return st.getFrames().stream().anyMatch(f -> frame(f).equals("com.zaxxer.hikari.util.ConcurrentBag.borrow"));
    }

    /** Camel seda consumers by endpoint, pools by name without their number. */
    static String threadGroup(RecordedThread t) {
        if (t == null) {
            return "?";
        }
        String name = t.getJavaName() == null ? t.getOSName() : t.getJavaName();
        if (name == null) {
            return "?";
        }
        int seda = name.indexOf("seda://");
        if (seda >= 0) {
            String endpoint = name.substring(seda + 7);
            int q = endpoint.indexOf('?');
            return "camel seda " + (q < 0 ? endpoint : endpoint.substring(0, q));
        }
        int timer = name.indexOf("timer://");
        if (timer >= 0) {
            String endpoint = name.substring(timer + 8);
            int q = endpoint.indexOf('?');
            return "camel timer " + (q < 0 ? endpoint : endpoint.substring(0, q));
        }
        return name.replaceAll("[-#\\s]*\\d+$", "").replaceAll("\\d+", "#");
    }

    private static Map<String, Object> pct(Map<String, Long> counts, long total, int limit) {
        Map<String, Object> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(e -> out.put(e.getKey(), total == 0 ? 0 : ProcSampler.round(100.0 * e.getValue() / total, 1)));
        return out;
    }

    private static Map<String, Object> top(Map<String, Double> values, int limit) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(limit)
                .forEach(e -> out.put(e.getKey(), ProcSampler.round(e.getValue(), 1)));
        return out;
    }

    private static Map<String, Object> topLong(Map<String, Long> values, int limit) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}

package io.irhub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The benchmark: starts the stand-in and the packaged hub on fresh databases, fires the storms (warm-up, fixed rate,
 * full speed), checks that nothing was lost and that the audit chain verifies, runs the plain-JDBC baseline, and
 * writes results/latest.json, results/latency.png and RESULTS.md. See bench/README.md.
 */
public final class BenchMain {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Command-line options, {@code --name value}. */
    static final class Options {
        final Map<String, String> values = new LinkedHashMap<>();

        Options(String[] args) {
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument " + args[i]);
                }
                String name = args[i].substring(2);
                if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    values.put(name, args[++i]);
                } else {
                    values.put(name, "true");
                }
            }
        }

        String str(String name, String dflt) {
            return values.getOrDefault(name, dflt);
        }

        int integer(String name, int dflt) {
            return Integer.parseInt(str(name, Integer.toString(dflt)));
        }

        double dbl(String name, double dflt) {
            return Double.parseDouble(str(name, Double.toString(dflt)));
        }

        boolean bool(String name, boolean dflt) {
            return Boolean.parseBoolean(str(name, Boolean.toString(dflt)));
        }

        Integer optionalInt(String name) {
            return values.containsKey(name) ? Integer.valueOf(values.get(name)) : null;
        }
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Options o = new Options(args);
        long t0 = System.nanoTime();
        OktaStandIn.requireNoDelay();
        Path benchDir = Path.of(o.str("bench-dir", "bench")).toAbsolutePath();
        Path jar = Path.of(o.str("jar", "hub-runtime/target/irhub.jar")).toAbsolutePath();
        Path out = Files.createDirectories(Path.of(o.str("out", benchDir.resolve("results").toString())).toAbsolutePath());
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path work = Files.createDirectories(benchDir.resolve("target").resolve("run-" + stamp));
        String runId = "r" + stamp.replace("_", "");

        int signals = o.integer("signals", 50_000);
        int identities = o.integer("identities", 5_000);
        int senders = o.integer("senders", 8);
        int batch = o.integer("batch", 1);
        double rate = o.dbl("rate", 200);
        int duration = o.integer("duration", 30);
        int warmup = o.integer("warmup", 30);
        double targetMs = o.dbl("target-p99-ms", 50);
        double targetThroughput = o.dbl("target-throughput", 2000);
        double targetRatio = o.dbl("target-ratio", 0.5);
        long oktaLatency = o.integer("target-latency-ms", 0);
        int fullTimeout = o.integer("full-timeout", 360);
        // the whole harness must fit in --budget seconds: the full-speed wait gets what the later steps leave over
        long budgetEnd = t0 + o.integer("budget", 540) * 1_000_000_000L;
        int baselineMaxSeconds = o.integer("baseline-max-seconds", 45);
        boolean jfr = o.bool("jfr", true);
        List<String> baselineModes = o.bool("baseline", true)
                ? Arrays.asList(o.str("baseline-modes", "single-commit,per-step").split(",")) : List.of();
        int baselineConcurrency = o.integer("baseline-concurrency", senders);
        List<String> hubJavaOpts = Arrays.asList(o.str("hub-java-opts", "-Xmx768m -XX:+ExitOnOutOfMemoryError").trim().split("\\s+"));

        Map<String, Object> result = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        result.put("setup", setup);
        setup.put("date_utc", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        setup.put("commit", o.str("commit", "unknown"));
        setup.put("hub_build", o.str("hub-build", jar.toString()));
        if (o.values.containsKey("note")) {
            setup.put("note", o.str("note", ""));
        }
        setup.put("machine", machine());
        setup.put("options", new LinkedHashMap<>(Map.of("signals", signals, "identities", identities, "senders", senders,
                "batch", batch, "rate_per_s", rate, "duration_s", duration, "warmup_s", warmup,
                "target_latency_ms", oktaLatency, "baseline_concurrency", baselineConcurrency)));
        setup.put("hub_java_opts", String.join(" ", hubJavaOpts));

        double ticks = ProcSampler.clockTicks();
        ConcurrentHashMap<String, LongAdder> suspendsByPrefix = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, PhaseRun> phases = new ConcurrentHashMap<>();
        try (Db db = Db.open(o.str("pg-host", "127.0.0.1"), o.integer("pg-port", 5432), o.bool("embedded", false), work);
             OktaStandIn okta = new OktaStandIn(o.integer("standin-threads", oktaLatency > 0 ? 64 : 16), oktaLatency)) {
            setup.put("store", db.description);
            db.dropLeftovers("irhub_bench_");
            String hubDb = db.freshDatabase("irhub_bench_hub_" + stamp);
            String baseDb = db.freshDatabase("irhub_bench_base_" + stamp);
            long postmaster = db.postmasterPid();
            boolean autovacuumOff = AutovacuumStandIn.serverAutovacuumOff(db, hubDb);
            String standInMode = o.str("autovacuum-standin", "auto");
            boolean emulate = standInMode.equals("on") || (standInMode.equals("auto") && autovacuumOff);
            int naptime = o.integer("autovacuum-naptime", 20);
            setup.put("server_autovacuum", autovacuumOff ? "off" : "on");
            AutovacuumStandIn autovacuum = emulate ? new AutovacuumStandIn(db, hubDb, naptime * 1000L) : null;
            setup.put("autovacuum_stand_in", emulate ? "on: autovacuum's default thresholds applied to the hub's database every "
                    + naptime + " s by the harness" : "off");
            okta.listener((login, t) -> {
                String prefix = Signals.phaseOf(login);
                if (prefix == null) {
                    return;
                }
                suspendsByPrefix.computeIfAbsent(prefix, k -> new LongAdder()).increment();
                PhaseRun p = phases.get(prefix);
                if (p != null) {
                    p.suspended(login, t);
                }
            });

            Path jfrFile = jfr ? work.resolve("hub.jfr") : null;
            Map<String, Object> hubResult = new LinkedHashMap<>();
            result.put("hub", hubResult);
            Instant fullFrom;
            Instant fullTo;
            PhaseRun fixed;
            PhaseRun full;
            Map<String, long[]> fullPerSecond;
            HubProcess hub = new HubProcess(jar, work.resolve("hub"), db.url(hubDb), db.user, okta.baseUrl(),
                    o.optionalInt("hub-pool-size"), o.optionalInt("hub-partitions"), hubJavaOpts, jfrFile);
            long hubStart = System.nanoTime();
            hub.start(Duration.ofSeconds(90));
            log("hub up in %.1f s (pid %d, log %s)", (System.nanoTime() - hubStart) / 1e9, hub.pid(), hub.log);
            ProcSampler sampler = new ProcSampler(hub.pid(), postmaster, 200, ticks);
            Load load = new Load(hub.hookUrl(), hub.token);
            try (HubStore store = new HubStore(db, hubDb)) {
                // warm-up: JIT, pools, Okta tokens; not reported
                PhaseRun warm = new PhaseRun(runId, "warm", (int) (rate * warmup), identities);
                phases.put(warm.name, warm);
                if (warm.signals > 0) {
                    log("warm-up: %d signals at %s/s", warm.signals, Plot.fmt(rate));
                    load.fixedRate(warm, rate, 512);
                    Load.awaitConfirmations(warm, Duration.ofSeconds(60));
                    store.awaitFinished(warm.name, warm.acceptedCount.get(), Duration.ofSeconds(60));
                    store.awaitChained(Duration.ofSeconds(60));
                }

                // fixed rate, open loop
                fixed = new PhaseRun(runId, "fixed", (int) Math.round(rate * duration), identities);
                phases.put(fixed.name, fixed);
                log("fixed rate: %d signals at %s/s (open loop, latency from the schedule)", fixed.signals, Plot.fmt(rate));
                RouteMetrics.Snapshot fixedMetrics = RouteMetrics.scrape(hub.metricsUrl());
                load.fixedRate(fixed, rate, 512);
                boolean fixedDone = Load.awaitConfirmations(fixed, Duration.ofSeconds(60));
                long fixedEnd = System.nanoTime();
                int open = fixedDone ? 0 : fixed.closeOpen(fixedEnd);
                Map<String, Object> fixedCpu = sampler.summary(fixed.startNanos, fixed.lastConfirmNanos > 0 ? fixed.lastConfirmNanos : fixedEnd);
                Map<String, Object> fixedRoutes = RouteMetrics.delta(fixedMetrics, RouteMetrics.scrape(hub.metricsUrl()));
                store.awaitFinished(fixed.name, fixed.acceptedCount.get(), Duration.ofSeconds(60));
                store.awaitChained(Duration.ofSeconds(60));
                Map<String, Object> fr = new LinkedHashMap<>();
                fr.put("rate_per_s", rate);
                fr.put("signals", fixed.signals);
                fr.put("accepted", fixed.acceptedCount.get());
                fr.put("refused", fixed.refusedCount.get());
                fr.put("errors", fixed.errorCount.get());
                fr.put("achieved_send_rate_per_s", ProcSampler.round(fixed.signals / ((fixed.lastSendNanos - fixed.startNanos) / 1e9), 1));
                fr.put("sender_stalls", fixed.senderStalls.get());
                fr.put("not_contained_within_timeout", open);
                fr.put("containment_ms", percentiles(fixed.containment));
                fr.put("accept_ms", percentiles(fixed.acceptance));
                fr.put("hub_process", fixedCpu);
                fr.put("stages_from_store", store.stages(runId, fixed.name));
                fr.put("routes", fixedRoutes);
                hubResult.put("fixed_rate", fr);
                log("fixed rate: containment p50 %s ms, p99 %s ms, max %s ms", ms(fixed.containment, 50),
                        ms(fixed.containment, 99), Plot.fmt(fixed.containment.getMaxValue() / 1000.0));

                // full speed, closed loop
                full = new PhaseRun(runId, "full", signals, identities);
                phases.put(full.name, full);
                long auditBefore = store.auditRows();
                long commitsBefore = store.commits();
                long walBefore = store.walSyncs();
                RouteMetrics.Snapshot fullMetrics = RouteMetrics.scrape(hub.metricsUrl());
                fullFrom = Instant.now();
                log("full speed: %d signals over %d identities, %d senders, %d per delivery", signals, identities, senders, batch);
                load.fullSpeed(full, senders, batch);
                double acceptSeconds = (full.lastAcceptNanos - full.startNanos) / 1e9;
                log("full speed: all %d accepted in %.1f s (%.0f/s); waiting for the pipeline", full.acceptedCount.get(),
                        acceptSeconds, full.acceptedCount.get() / acceptSeconds);
                long reserve = (90L + baselineModes.size() * (baselineMaxSeconds + 10L)) * 1_000_000_000L;
                long waitNanos = Math.min(fullTimeout * 1_000_000_000L, budgetEnd - reserve - System.nanoTime());
                boolean allConfirmed = Load.awaitConfirmations(full, Duration.ofNanos(Math.max(1_000_000_000L, waitNanos)));
                if (!allConfirmed) {
                    log("full speed: time budget used up with %d of %d suspends confirmed; measuring what completed",
                            full.confirmedCount.get(), full.acceptedCount.get());
                }
                long storeDone = store.awaitFinished(full.name, full.acceptedCount.get(), Duration.ofSeconds(allConfirmed ? 60 : 1));
                fullTo = Instant.now();
                long endNanos = storeDone > 0 ? storeDone : System.nanoTime();
                Map<String, Object> fullCpu = sampler.summary(full.startNanos, endNanos);
                Map<String, Object> fullRoutes = RouteMetrics.delta(fullMetrics, RouteMetrics.scrape(hub.metricsUrl()));
                long auditAfter = store.auditRows();
                // pg_stat_database lags each backend by up to a second (PostgreSQL 15 flushes a backend's counters at
                // most once a second); the reading before the storm lags alike, so over a window of a minute or more
                // the difference is off by about 1 %, and there is no condition to wait for that would remove it
                long commitsAfter = store.commits();
                long walAfter = store.walSyncs();
                long chained = store.awaitChained(Duration.ofSeconds(allConfirmed ? 60 : 5));
                double e2eSeconds = (endNanos - full.startNanos) / 1e9;
                long finished = store.finishedActions(full.name);
                Map<String, Object> fs = new LinkedHashMap<>();
                fs.put("signals", signals);
                fs.put("senders", senders);
                fs.put("batch", batch);
                fs.put("accepted", full.acceptedCount.get());
                fs.put("refused", full.refusedCount.get());
                fs.put("errors", full.errorCount.get());
                fs.put("error_samples", new ArrayList<>(full.errors));
                fs.put("accept_seconds", ProcSampler.round(acceptSeconds, 2));
                fs.put("accepted_per_s", ProcSampler.round(full.acceptedCount.get() / acceptSeconds, 1));
                fs.put("all_contained", allConfirmed && storeDone > 0);
                fs.put("still_in_pipeline_at_end", full.acceptedCount.get() - finishedOrZero(store, full.name));
                fs.put("end_to_end_seconds", ProcSampler.round(e2eSeconds, 2));
                fs.put("completed_per_s", ProcSampler.round(finished / e2eSeconds, 1));
                fs.put("suspends_confirmed_per_s", ProcSampler.round(full.confirmedCount.get()
                        / ((full.lastConfirmNanos - full.startNanos) / 1e9), 1));
                fs.put("actions_finished_in_store", finished);
                fs.put("audit_rows_written", auditAfter - auditBefore);
                fs.put("audit_rows_per_s", ProcSampler.round((auditAfter - auditBefore) / e2eSeconds, 1));
                fs.put("audit_chain_caught_up_s_after_last_outcome", chained < 0 ? null : ProcSampler.round((chained - endNanos) / 1e9, 2));
                fs.put("store_transactions_per_s", ProcSampler.round((commitsAfter - commitsBefore) / e2eSeconds, 1));
                fs.put("store_transactions_per_signal", ProcSampler.round((commitsAfter - commitsBefore) / (double) Math.max(1, finished), 2));
                if (walBefore >= 0) {
                    fs.put("wal_flushes_per_s_server", ProcSampler.round((walAfter - walBefore) / e2eSeconds, 1));
                }
                fs.put("in_pipeline_ms_closed_loop", percentiles(full.containment));
                fs.put("hub_process", fullCpu);
                fs.put("stages_from_store", store.stages(runId, full.name));
                fs.put("routes", fullRoutes);
                hubResult.put("full_speed", fs);
                fullPerSecond = store.perSecond(runId, full.name, (int) Math.ceil(e2eSeconds) + 2);
                log("full speed: %s completed/s end to end (%d in %.1f s), audit rows %s/s", fs.get("completed_per_s"),
                        finished, e2eSeconds, fs.get("audit_rows_per_s"));

                // nothing lost, chain intact
                Map<String, Object> loss = store.lossCheck(List.of(warm, fixed, full));
                Map<String, Object> standIn = new LinkedHashMap<>();
                for (PhaseRun p : List.of(warm, fixed, full)) {
                    long suspends = suspendsByPrefix.getOrDefault(p.name, new LongAdder()).sum();
                    standIn.put(p.name, Map.of("accepted", p.acceptedCount.get(), "suspends_answered", suspends,
                            "unmatched", p.unmatchedSuspends.get()));
                    if (suspends != p.acceptedCount.get()) {
                        loss.put("ok", false);
                        ((List<String>) loss.get("problems")).add(p.name + ": " + suspends + " suspends for "
                                + p.acceptedCount.get() + " accepted signals");
                    }
                }
                loss.put("stand_in", standIn);
                loss.put("stand_in_token_requests", okta.tokenRequests.sum());
                loss.put("stand_in_refused_calls", okta.refused.sum());
                if (!Boolean.TRUE.equals(fs.get("all_contained"))) {
                    loss.put("note", "the time budget ended with signals still in the pipeline: accepted and stored, not yet "
                            + "planned or dispatched (a restarted hub resumes them); they show below as without plan/outcome");
                }
                HubProcess.Verify verify = hub.auditVerify(Duration.ofSeconds(120));
                loss.put("audit_verify_exit_code", verify.exitCode());
                loss.put("audit_verify_output", lastLine(verify.output()));
                loss.put("ok", Boolean.TRUE.equals(loss.get("ok")) && verify.exitCode() == 0);
                hubResult.put("loss_check", loss);
                log("loss check: %s; audit verify exit %d: %s", loss.get("ok"), verify.exitCode(), lastLine(verify.output()));
                hubResult.put("peak_rss_mb_whole_run", ProcSampler.round(sampler.peakHwmKb() / 1024.0, 1));
                hubResult.put("process_whole_run", sampler.summary(hubStart, System.nanoTime()));
            } finally {
                sampler.close();
                load.close();
                hub.close();
                if (autovacuum != null) {
                    autovacuum.close();
                    setup.put("autovacuum_stand_in_passes", Map.of("analyze", autovacuum.analyzes.get(), "vacuum", autovacuum.vacuums.get()));
                }
            }

            if (jfrFile != null && Files.exists(jfrFile)) {
                Map<String, Object> js = JfrSummary.summarize(jfrFile, fullFrom, fullTo, db.port,
                        java.net.URI.create(okta.baseUrl()).getPort());
                js.put("file", benchDir.getParent().relativize(jfrFile).toString());
                js.put("window_utc", fullFrom + " .. " + fullTo);
                hubResult.put("jfr_full_speed", js);
                Path text = out.resolve("jfr-summary.txt");
                Files.writeString(text, "Flight recording of the hub: " + js.get("file") + "\nFull-speed window (UTC): "
                        + js.get("window_utc") + "\n\n# jfr summary (whole recording)\n" + jfrTool("summary", jfrFile)
                        + "\n# full-speed window, aggregated by io.irhub.bench.JfrSummary\n" + JSON.writeValueAsString(js) + "\n");
            }

            // the plain-JDBC baseline, same stand-in, same server, its own database, hub stopped
            Map<String, Object> baselines = new LinkedHashMap<>();
            result.put("baseline", baselines);
            for (String mode : baselineModes) {
                String prefix = mode.equals("per-step") ? "step" : "base";
                Map<String, Object> b = runBaseline(db, baseDb, okta.baseUrl(), runId, prefix, mode, signals, identities,
                        baselineConcurrency, hubJavaOpts, postmaster, ticks, baselineMaxSeconds);
                b.put("suspends_answered", suspendsByPrefix.getOrDefault(prefix, new LongAdder()).sum());
                baselines.put(mode, b);
                log("baseline %s: %s signals/s", mode, b.get("per_second"));
            }

            // verdict
            Map<String, Object> fs = cast(((Map<String, Object>) result.get("hub")).get("full_speed"));
            Map<String, Object> fr = cast(((Map<String, Object>) result.get("hub")).get("fixed_rate"));
            double hubRate = ((Number) fs.get("completed_per_s")).doubleValue();
            double p99 = ((Number) cast(fr.get("containment_ms")).get("p99")).doubleValue();
            Map<String, Object> verdict = new LinkedHashMap<>();
            verdict.put("throughput_per_s", hubRate);
            verdict.put("throughput_target", targetThroughput);
            verdict.put("throughput_met", hubRate >= targetThroughput);
            verdict.put("p99_ms", p99);
            verdict.put("p99_target_ms", targetMs);
            verdict.put("p99_met", p99 < targetMs && ((Number) fr.get("not_contained_within_timeout")).intValue() == 0);
            Object single = baselines.get("single-commit");
            if (single != null) {
                double base = ((Number) cast(single).get("per_second")).doubleValue();
                verdict.put("baseline_per_s", base);
                verdict.put("ratio_to_baseline", ProcSampler.round(hubRate / base, 3));
                verdict.put("ratio_target", targetRatio);
                verdict.put("ratio_met", hubRate / base >= targetRatio);
            }
            Object perStep = baselines.get("per-step");
            if (perStep != null) {
                verdict.put("ratio_to_per_step_baseline", ProcSampler.round(hubRate / ((Number) cast(perStep).get("per_second")).doubleValue(), 3));
            }
            verdict.put("nothing_lost_and_chain_verifies", cast(((Map<String, Object>) result.get("hub")).get("loss_check")).get("ok"));
            result.put("verdict", verdict);

            Files.writeString(out.resolve("latest.json"), JSON.writeValueAsString(result));
            double baseRate = single == null ? 0 : ((Number) cast(single).get("per_second")).doubleValue();
            Plot.write(out.resolve("latency.png"), "irhub bench " + setup.get("date_utc") + " — commit "
                            + abbreviate(String.valueOf(setup.get("commit"))) + ", " + cast(setup.get("machine")).get("cpus") + " CPUs",
                    fixed, rate, targetMs, fullPerSecond, confirmedPerSecond(full, fullPerSecond), baseRate, hubRate);
            Path md = Path.of(o.str("results-md", benchDir.resolve("RESULTS.md").toString()));
            Files.writeString(md, Report.markdown(result, Files.exists(md) ? Files.readString(md) : ""));
            log("wrote %s, %s, %s (harness %.0f s)", out.resolve("latest.json"), out.resolve("latency.png"), md,
                    (System.nanoTime() - t0) / 1e9);
            if (!o.bool("keep-db", false)) {
                db.dropCreated();
            } else {
                log("kept databases %s and %s", hubDb, baseDb);
            }
        }
    }

    private static long finishedOrZero(HubStore store, String phase) {
        try {
            return store.finishedActions(phase);
        } catch (Exception e) {
            return 0;
        }
    }

    /** Output of the JDK's {@code jfr} tool. */
    private static String jfrTool(String command, Path file) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(), command,
                    file.toString()).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return text;
        } catch (Exception e) {
            return "(jfr " + command + " failed: " + e.getMessage() + ")\n";
        }
    }

    private static long[] confirmedPerSecond(PhaseRun run, Map<String, long[]> like) {
        int n = like.values().stream().mapToInt(a -> a.length).max().orElse(1);
        long[] bins = new long[n];
        for (long t : run.confirmed) {
            if (t > 0) {
                int b = (int) ((t - run.startNanos) / 1_000_000_000L);
                if (b >= 0 && b < n) {
                    bins[b]++;
                }
            }
        }
        return bins;
    }

    private static Map<String, Object> runBaseline(Db db, String database, String oktaUrl, String runId, String prefix,
                                                   String mode, int signals, int identities, int concurrency,
                                                   List<String> javaOpts, long postmaster, double ticks, int maxSeconds)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(javaOpts);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Baseline.class.getName(),
                "--jdbc", db.url(database), "--user", db.user, "--target", oktaUrl, "--signals", Integer.toString(signals),
                "--identities", Integer.toString(identities), "--concurrency", Integer.toString(concurrency),
                "--mode", mode, "--phase", prefix, "--run-id", runId, "--max-seconds", Integer.toString(maxSeconds)));
        log("baseline %s: %d signals, %d workers", mode, signals, concurrency);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        CHILDREN.add(p);
        ProcSampler sampler = new ProcSampler(p.pid(), postmaster, 200, ticks);
        long start = System.nanoTime();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        long end = System.nanoTime();
        Map<String, Object> cpu = sampler.summary(start, end);
        sampler.close();
        String text = new String(output, StandardCharsets.UTF_8);
        String line = text.lines().filter(l -> l.startsWith("BASELINE ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the baseline printed no result:\n" + text));
        Map<String, Object> b = cast(JSON.readValue(line.substring("BASELINE ".length()), Map.class));
        b.put("process", cpu);
        return b;
    }

    static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        for (double p : new double[]{50, 90, 95, 99, 99.9}) {
            m.put("p" + (p == Math.rint(p) ? Integer.toString((int) p) : Double.toString(p)),
                    ProcSampler.round(h.getValueAtPercentile(p) / 1000.0, 2));
        }
        m.put("max", ProcSampler.round(h.getMaxValue() / 1000.0, 2));
        m.put("mean", ProcSampler.round(h.getMean() / 1000.0, 2));
        return m;
    }

    private static String ms(Histogram h, double p) {
        return Plot.fmt(h.getValueAtPercentile(p) / 1000.0);
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    m.put("cpu_model", l.substring(l.indexOf(':') + 1).trim());
                    break;
                }
            }
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    m.put("memory_gb", ProcSampler.round(Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0, 1));
                }
            }
            m.put("load_average_at_start", Files.readString(Path.of("/proc/loadavg")).trim());
        } catch (Exception e) {
            // best effort
        }
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")");
        return m;
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    private static String abbreviate(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    static void log(String format, Object... args) {
        System.out.printf("[bench] " + format + "%n", args);
    }

    private BenchMain() {
    }

    /** Child processes (the hub, the baseline) to stop when the harness is stopped (Ctrl-C, SIGTERM from run.sh). */
    static final java.util.Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : CHILDREN) {
                if (p.isAlive()) {
                    p.destroy();
                    try {
                        if (!p.waitFor(15, TimeUnit.SECONDS)) {
                            p.destroyForcibly();
                        }
                    } catch (InterruptedException e) {
                        p.destroyForcibly();
                    }
                }
            }
        }, "stop-children"));
    }

    static {
        // belt and braces: run.sh passes -Dsun.net.httpserver.nodelay=true
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }
}

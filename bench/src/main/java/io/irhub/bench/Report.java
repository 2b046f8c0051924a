package io.irhub.bench;

import java.util.List;
import java.util.Map;

import static io.irhub.bench.BenchMain.cast;

/**
 * RESULTS.md from latest.json. Everything is regenerated except the hand-written analysis between the
 * {@code analysis:start} / {@code analysis:end} markers, which is carried over from the previous file.
 */
final class Report {
    static final String START = "<!-- analysis:start -->";
    static final String END = "<!-- analysis:end -->";

    private Report() {
    }

    static String markdown(Map<String, Object> r, String previous) {
        Map<String, Object> setup = cast(r.get("setup"));
        Map<String, Object> machine = cast(setup.get("machine"));
        Map<String, Object> options = cast(setup.get("options"));
        Map<String, Object> hub = cast(r.get("hub"));
        Map<String, Object> fr = cast(hub.get("fixed_rate"));
        Map<String, Object> fs = cast(hub.get("full_speed"));
        Map<String, Object> loss = cast(hub.get("loss_check"));
        Map<String, Object> verdict = cast(r.get("verdict"));
        Map<String, Object> baselines = cast(r.get("baseline"));
        Map<String, Object> lat = cast(fr.get("containment_ms"));
        Map<String, Object> acc = cast(fr.get("accept_ms"));
        Map<String, Object> fsProc = cast(fs.get("hub_process"));
        Map<String, Object> frProc = cast(fr.get("hub_process"));

        StringBuilder md = new StringBuilder();
        md.append("# irhub benchmark: latest figures\n\n");
        md.append("Written by `bench/run.sh` (see [README.md](README.md) for what it does and how to run it). ")
                .append("Raw figures: [results/latest.json](results/latest.json); plot: [results/latency.png](results/latency.png).\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "date (UTC)", setup.get("date_utc"));
        row(md, "commit", "`" + setup.get("commit") + "`");
        row(md, "hub build", setup.get("hub_build"));
        if (setup.containsKey("note")) {
            row(md, "note", setup.get("note"));
        }
        if (setup.containsKey("hub_classpath_patch")) {
            row(md, "**hub packaging defect**", setup.get("hub_classpath_patch"));
        }
        row(md, "machine", machine.get("cpus") + " CPUs (" + machine.get("cpu_model") + "), "
                + machine.get("memory_gb") + " GB RAM, " + machine.get("os"));
        row(md, "load average at start", machine.get("load_average_at_start"));
        row(md, "java", machine.get("java"));
        row(md, "store", setup.get("store"));
        row(md, "autovacuum", "server: " + setup.get("server_autovacuum") + "; stand-in: " + setup.get("autovacuum_stand_in")
                + (setup.containsKey("autovacuum_stand_in_passes") ? " " + setup.get("autovacuum_stand_in_passes") : ""));
        row(md, "hub JVM", "`" + setup.get("hub_java_opts") + "`, flight recording on (settings=profile)");
        row(md, "storm", options.get("signals") + " signals over " + options.get("identities") + " identities, one "
                + "auto `suspend` each; full speed with " + options.get("senders") + " senders x " + options.get("batch")
                + " signal(s) per POST; fixed rate " + options.get("rate_per_s") + "/s for " + options.get("duration_s")
                + " s after a " + options.get("warmup_s") + " s warm-up; stand-in latency " + options.get("target_latency_ms") + " ms");
        md.append('\n');

        md.append("## Results\n\n");
        md.append("| measure | value | target | met |\n|---|---|---|---|\n");
        md.append("| actions completed/s, end to end with durable audit (full speed) | **")
                .append(num(fs.get("completed_per_s"))).append("** (").append(fs.get("actions_finished_in_store"))
                .append(" in ").append(fs.get("end_to_end_seconds")).append(" s")
                .append(Boolean.TRUE.equals(fs.get("all_contained")) ? "" : "; time budget ended with "
                        + fs.get("still_in_pipeline_at_end") + " of " + fs.get("accepted") + " still in the pipeline")
                .append(") | >= ")
                .append(num(verdict.get("throughput_target"))).append(" | ").append(yes(verdict.get("throughput_met"))).append(" |\n");
        md.append("| signals accepted/s at the webhook (full speed) | ").append(num(fs.get("accepted_per_s")))
                .append(" (202 after the signal row commits) | | |\n");
        md.append("| detection-to-containment at ").append(num(fr.get("rate_per_s")))
                .append("/s (scheduled send -> suspend answered), p50 / p95 / p99 / max | ")
                .append(lat.get("p50")).append(" / ").append(lat.get("p95")).append(" / **").append(lat.get("p99"))
                .append("** / ").append(lat.get("max")).append(" ms | p99 < ").append(num(verdict.get("p99_target_ms")))
                .append(" ms | ").append(yes(verdict.get("p99_met"))).append(" |\n");
        md.append("| webhook answer at the fixed rate (scheduled send -> 202), p50 / p99 / max | ")
                .append(acc.get("p50")).append(" / ").append(acc.get("p99")).append(" / ").append(acc.get("max")).append(" ms | | |\n");
        if (verdict.containsKey("ratio_to_baseline")) {
            md.append("| hub throughput / plain-JDBC baseline (single commit) | **")
                    .append(pct(verdict.get("ratio_to_baseline"))).append("** (").append(num(verdict.get("throughput_per_s")))
                    .append(" / ").append(num(verdict.get("baseline_per_s"))).append(") | >= ")
                    .append(pct(verdict.get("ratio_target"))).append(" | ").append(yes(verdict.get("ratio_met"))).append(" |\n");
        }
        if (verdict.containsKey("ratio_to_per_step_baseline")) {
            md.append("| hub throughput / baseline with the hub's commit points (per step) | ")
                    .append(pct(verdict.get("ratio_to_per_step_baseline"))).append(" | | |\n");
        }
        md.append("| audit rows written/s (full speed) | ").append(num(fs.get("audit_rows_per_s"))).append(" (")
                .append(fs.get("audit_rows_written")).append(" rows; chain caught up ")
                .append(fs.get("audit_chain_caught_up_s_after_last_outcome")).append(" s after the last outcome) | | |\n");
        md.append("| store transactions/s at full speed, incl. read-only (per signal) | ").append(num(fs.get("store_transactions_per_s"))).append(" (")
                .append(fs.get("store_transactions_per_signal")).append(")");
        if (fs.containsKey("wal_flushes_per_s_server")) {
            md.append("; server WAL flushes/s ").append(num(fs.get("wal_flushes_per_s_server")));
        }
        md.append(" | | |\n");
        md.append("| hub process at full speed: CPU avg / peak (1 s), cores | ").append(fsProc.get("avg_cores"))
                .append(" / ").append(fsProc.get("peak_cores_1s")).append(" | | |\n");
        md.append("| hub process at ").append(num(fr.get("rate_per_s"))).append("/s: CPU avg, cores | ")
                .append(frProc.get("avg_cores")).append(" | | |\n");
        md.append("| hub peak memory (VmHWM, whole run) | ").append(hub.get("peak_rss_mb_whole_run")).append(" MB | | |\n");
        md.append("| PostgreSQL / bench JVM / whole machine at full speed, cores busy | ")
                .append(fsProc.get("postgres_avg_cores")).append(" / ").append(fsProc.get("bench_jvm_avg_cores"))
                .append(" / ").append(fsProc.get("machine_busy_cores")).append(" of ").append(fsProc.get("machine_cores"))
                .append(" (other load on the machine: ").append(fsProc.get("other_cores")).append(")")
                .append(" | | |\n");
        md.append("| loss check: every accepted signal has its plan, outcome and 4 audit rows; one suspend each | ")
                .append(loss.get("accepted_by_hub")).append(" accepted, ").append(loss.get("signal_rows")).append(" stored, ")
                .append(loss.get("missing_or_double_plan")).append(" without plan, ")
                .append(loss.get("missing_or_double_outcome")).append(" without outcome, ")
                .append(loss.get("incomplete_audit_story")).append(" with incomplete audit | nothing lost | ")
                .append(yes(loss.get("ok"))).append(" |\n");
        md.append("| `irhub audit verify` | exit ").append(loss.get("audit_verify_exit_code")).append(": ")
                .append(loss.get("audit_verify_output")).append(" | exit 0 | ")
                .append(yes(Integer.valueOf(0).equals(loss.get("audit_verify_exit_code")))).append(" |\n");
        md.append('\n');
        if (loss.containsKey("note")) {
            md.append("Loss check note: ").append(loss.get("note")).append(".\n\n");
        }
        Object problems = loss.get("problems");
        if (problems instanceof List<?> l && !l.isEmpty()) {
            md.append("Loss-check problems: ").append(l).append("\n\n");
        }
        if (((Number) fs.get("errors")).longValue() + ((Number) fs.get("refused")).longValue() > 0) {
            md.append("Full-speed deliveries refused/failed: ").append(fs.get("refused")).append(" / ")
                    .append(fs.get("errors")).append(' ').append(fs.get("error_samples")).append("\n\n");
        }

        md.append("![latency](results/latency.png)\n\n");

        md.append("## Where a signal's time goes (from the hub's own timestamps)\n\n");
        md.append("Per stage: rows / time span of their timestamps; waits are per signal between consecutive stages ")
                .append("(`signal.received_at`, `plan.created_at`, the `action-intent` and `action-outcome` audit rows).\n\n");
        md.append("| phase | accept/s | plan/s | intent/s | outcome/s | accept->plan p50 / p99 | plan->intent p50 / p99 | intent->outcome p50 / p99 |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        stageRow(md, "full speed", cast(fs.get("stages_from_store")));
        stageRow(md, "fixed " + num(fr.get("rate_per_s")) + "/s", cast(fr.get("stages_from_store")));
        md.append('\n');

        md.append("Route timers from the hub's own metrics (`camel_route_policy_seconds`): busy = summed exchange time / window, ")
                .append("in threads (each `partition-N` route has one consumer: it plans, carries out the plan's first action and dispatches the rest of its identities' actions; intake runs on the Vert.x worker pool).\n\n");
        md.append("| route | full speed: exchanges | mean ms | busy threads | fixed rate: mean ms | busy threads |\n|---|---|---|---|---|---|\n");
        Map<String, Object> fullRoutes = cast(fs.get("routes"));
        Map<String, Object> fixedRoutes = cast(fr.get("routes"));
        if (fullRoutes != null) {
            fullRoutes.forEach((route, v) -> {
                Map<String, Object> f = cast(v);
                Map<String, Object> x = fixedRoutes == null ? null : cast(fixedRoutes.get(route));
                md.append("| `").append(route).append("` | ").append(f.get("exchanges")).append(" | ").append(f.get("mean_ms"))
                        .append(" | ").append(f.get("busy_threads")).append(" | ")
                        .append(x == null ? "" : x.get("mean_ms")).append(" | ").append(x == null ? "" : x.get("busy_threads")).append(" |\n");
            });
        }
        md.append('\n');

        Object jfrObj = hub.get("jfr_full_speed");
        if (jfrObj != null) {
            Map<String, Object> jfr = cast(jfrObj);
            md.append("## Flight recording of the hub, full-speed window\n\n");
            md.append("`").append(jfr.get("file")).append("` (under `target/`, so gone after `mvn clean`; ")
                    .append("`jfr summary` and this window's aggregation are kept in [results/jfr-summary.txt](results/jfr-summary.txt)); ")
                    .append(jfr.get("window_seconds")).append(" s, ")
                    .append(jfr.get("execution_samples")).append(" execution samples; JVM CPU ")
                    .append(pct(jfr.get("cpu_jvm_avg_fraction_of_machine"))).append(" of the machine, machine ")
                    .append(pct(jfr.get("cpu_machine_avg_fraction"))).append("; GC ").append(jfr.get("gc_count"))
                    .append(" collections, ").append(jfr.get("gc_pause_ms_total")).append(" ms paused).\n\n");
            md.append("CPU by thread (`jdk.ThreadCPULoad`, cores, summed per thread group; includes JIT and GC threads, total ")
                    .append(jfr.get("thread_cpu_cores_total")).append("):\n\n");
            table(md, cast(jfr.get("thread_cpu_cores")), "thread", "cores");
            md.append("Execution samples by thread (% of samples):\n\n");
            table(md, cast(jfr.get("samples_by_thread_pct")), "thread", "%");
            md.append("Execution samples by subsystem (inclusive: a sample counts for every subsystem on its stack):\n\n");
            table(md, cast(jfr.get("subsystems_inclusive_pct")), "subsystem", "%");
            md.append("Hottest methods (self):\n\n");
            table(md, cast(jfr.get("top_frames_self_pct")), "method", "%");
            md.append("Waits (summed durations of events over JFR's thresholds):\n\n");
            table(md, cast(jfr.get("monitor_enter_wait_ms")), "monitor enter (class @ site)", "ms");
            table(md, cast(jfr.get("thread_park_ms_non_idle")), "park (thread @ site; idle consumer waits left out)", "ms");
            table(md, cast(jfr.get("socket_read_ms_over_threshold")), "socket read (thread <- peer)", "ms");
        }

        md.append("## Baseline: the same durable work by hand (plain JDBC + HttpClient, no framework)\n\n");
        md.append("| mode | work per signal | workers | signals/s | signals done in seconds | process CPU avg (cores) | PostgreSQL (cores) |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Object> e : baselines.entrySet()) {
            Map<String, Object> b = cast(e.getValue());
            Map<String, Object> p = cast(b.get("process"));
            String work = e.getKey().equals("per-step")
                    ? "commit(signal + accepted audit); commit(intent audit); POST suspend; commit(outcome audit)"
                    : "INSERT signal; INSERT intent audit; POST suspend; INSERT outcome audit; COMMIT";
            md.append("| ").append(e.getKey()).append(" | ").append(work).append(" | ").append(b.get("concurrency"))
                    .append(" | **").append(num(b.get("per_second"))).append("** | ").append(b.get("succeeded")).append(" in ")
                    .append(b.get("seconds")).append(" | ")
                    .append(p.get("avg_cores")).append(" | ").append(p.get("postgres_avg_cores")).append(" |\n");
        }
        md.append('\n');

        md.append(analysis(previous));
        md.append("\n");
        return md.toString();
    }

    /** The hand-written part of the previous RESULTS.md, or a placeholder. */
    static String analysis(String previous) {
        int s = previous.indexOf(START);
        int e = previous.indexOf(END);
        if (s >= 0 && e > s) {
            return previous.substring(s, e + END.length()) + "\n";
        }
        return START + "\n## Analysis\n\n(Not written yet: what bounds throughput, with evidence from the recording above.)\n"
                + END + "\n";
    }

    private static void stageRow(StringBuilder md, String phase, Map<String, Object> s) {
        md.append("| ").append(phase).append(" | ").append(num(s.get("accept_per_s"))).append(" | ")
                .append(num(s.get("plan_per_s"))).append(" | ").append(num(s.get("intent_per_s"))).append(" | ")
                .append(num(s.get("outcome_per_s"))).append(" | ")
                .append(s.get("accept_to_plan_ms_p50")).append(" / ").append(s.get("accept_to_plan_ms_p99")).append(" ms | ")
                .append(s.get("plan_to_intent_ms_p50")).append(" / ").append(s.get("plan_to_intent_ms_p99")).append(" ms | ")
                .append(s.get("intent_to_outcome_ms_p50")).append(" / ").append(s.get("intent_to_outcome_ms_p99")).append(" ms |\n");
    }

    private static void table(StringBuilder md, Map<String, Object> m, String key, String unit) {
        if (m == null || m.isEmpty()) {
            md.append("(none in the window: ").append(key).append(")\n\n");
            return;
        }
        md.append("| ").append(key).append(" | ").append(unit).append(" |\n|---|---|\n");
        m.forEach((k, v) -> md.append("| `").append(k.replace("|", "\\|")).append("` | ").append(v).append(" |\n"));
        md.append('\n');
    }

    private static void row(StringBuilder md, String k, Object v) {
        md.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    static String num(Object o) {
        if (!(o instanceof Number n)) {
            return String.valueOf(o);
        }
        double v = n.doubleValue();
        return v == Math.rint(v) ? String.format("%,.0f", v) : String.format("%,.1f", v);
    }

    static String pct(Object o) {
        return o instanceof Number n ? String.format("%.0f %%", n.doubleValue() * 100) : String.valueOf(o);
    }

    static String yes(Object o) {
        return Boolean.TRUE.equals(o) ? "yes" : "**no**";
    }
}

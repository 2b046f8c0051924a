#!/usr/bin/env bash
# The irhub benchmark: one command. See bench/README.md.
#
#   bench/run.sh                      # the packaged hub of this working tree (built if missing or stale)
#   bench/run.sh --hub-src head       # the hub exactly as committed at HEAD (git archive, built under bench/target/)
#   bench/run.sh --hub-src 83ec359    # ... or at any commit
#   bench/run.sh --signals 20000 --duration 20 --target-latency-ms 5 ...   # harness options, see bench/README.md
#
# Writes bench/results/latest.json, bench/results/latency.png and bench/RESULTS.md. Needs a JDK 17 and Maven;
# uses PostgreSQL on 127.0.0.1:5432 when it answers (fresh databases irhub_bench_*), else an embedded one.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
cd "$ROOT"

HUB_SRC=worktree
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --hub-src) HUB_SRC="$2"; shift 2 ;;
    --wait-quiet) WAIT_QUIET="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; echo; sed -n '/^## Options/,/^## /p' "$BENCH/README.md" 2>/dev/null | sed '$d'; exit 0 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
WAIT_QUIET="${WAIT_QUIET:-0}"
MVN=(mvn -B -q)

log() { printf '[run.sh] %s\n' "$*"; }

COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)"

# --- the packaged hub ---------------------------------------------------------------------------------------------
newer_sources() { # $1 = source root, $2 = jar: any main source or pom newer than the jar?
  find "$1/pom.xml" "$1/connectors" "$1/routes" "$1/hub-runtime" \
       \( -path '*/src/main/*' -o -name pom.xml \) -newer "$2" -print -quit 2>/dev/null | grep -q .
}
case "$HUB_SRC" in
  worktree)
    JAR="$ROOT/hub-runtime/target/irhub.jar"
    if [[ ! -f "$JAR" || ! -d "$ROOT/hub-runtime/target/lib" ]] || newer_sources "$ROOT" "$JAR"; then
      log "building the hub: mvn -B -q -DskipTests package (in $ROOT)"
      "${MVN[@]}" -DskipTests package
    fi
    if [[ -n "$(git status --porcelain --untracked-files=no -- pom.xml connectors routes hub-runtime 2>/dev/null)" ]]; then
      COMMIT="$COMMIT + uncommitted changes"
    fi
    HUB_BUILD="working tree: hub-runtime/target/irhub.jar"
    ;;
  *)
    [[ "$HUB_SRC" == head ]] && HUB_SRC=HEAD
    COMMIT="$(git rev-parse --verify "${HUB_SRC}^{commit}" 2>/dev/null)" \
      || { echo "--hub-src is worktree, head or a commit; '$HUB_SRC' is none of them" >&2; exit 2; }
    SRC="$BENCH/target/hub-src-${COMMIT:0:12}"
    JAR="$SRC/hub-runtime/target/irhub.jar"
    if [[ ! -f "$JAR" ]]; then
      log "building the hub as committed at ${COMMIT:0:12} in $SRC"
      rm -rf "$SRC" && mkdir -p "$SRC"
      git archive "$COMMIT" | tar -x -C "$SRC"
      (cd "$SRC" && "${MVN[@]}" -DskipTests package) \
        || { echo "the hub at ${COMMIT:0:12} does not build (see above)" >&2; exit 1; }
    fi
    HUB_BUILD="git archive of ${COMMIT:0:12}, built under bench/target/hub-src-${COMMIT:0:12}"
    ;;
esac

# --- the harness (a standalone Maven project; not a module of the root pom) ----------------------------------------
BENCH_JAR="$BENCH/target/irhub-bench.jar"
if [[ ! -f "$BENCH_JAR" ]] || [[ -n "$(find "$BENCH/pom.xml" "$BENCH/src" -newer "$BENCH_JAR" -print -quit)" ]]; then
  log "building the harness: mvn -B -q -DskipTests -f bench/pom.xml package"
  "${MVN[@]}" -DskipTests -f "$BENCH/pom.xml" package
fi

# --- a quiet machine makes numbers worth keeping ------------------------------------------------------------------
if [[ "$WAIT_QUIET" -gt 0 ]]; then
  deadline=$((SECONDS + WAIT_QUIET))
  while (( SECONDS < deadline )); do
    load1="$(cut -d' ' -f1 /proc/loadavg)"
    awk -v l="$load1" 'BEGIN { exit !(l < 0.5) }' && break
    log "load average $load1; waiting for a quiet machine (until $((deadline - SECONDS)) s from now)"
    sleep 10
  done
fi
log "load average: $(cat /proc/loadavg)"

# --- run; the harness stops the hub and the baseline it started, also when interrupted ------------------------------
JAVA_BIN="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"$JAVA_BIN" -Dsun.net.httpserver.nodelay=true -Xmx1g -XX:+UseParallelGC \
  -cp "$BENCH_JAR:$BENCH/target/lib/*" io.irhub.bench.BenchMain \
  --bench-dir "$BENCH" --jar "$JAR" --commit "$COMMIT" --hub-build "$HUB_BUILD" ${ARGS[@]+"${ARGS[@]}"} &
HARNESS=$!
trap 'kill -TERM "$HARNESS" 2>/dev/null || true; wait "$HARNESS" 2>/dev/null || true' INT TERM
trap 'kill -TERM "$HARNESS" 2>/dev/null || true' EXIT
STATUS=0
wait "$HARNESS" || STATUS=$?
trap - EXIT
exit "$STATUS"

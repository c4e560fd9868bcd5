#!/usr/bin/env bash
# compare.sh AFTER [BEFORE]
#
# BEFORE/AFTER speed comparison of two gpucascade CLI builds, run interleaved in one session
# (rep 1: before then after, rep 2: after then before, ...), best of $REPS (default 3) for each.
#
#   AFTER / BEFORE: a CLI, given as any of
#       /path/gpucascade                    (the apphost of a publish or build output)
#       /path/GpuCascade.Cli.dll            (run with `dotnet`)
#       "dotnet /path/GpuCascade.Cli.dll"   (a command line, split on spaces)
#       /path/dir                           (a publish folder: dir/gpucascade, else dir/GpuCascade.Cli.dll)
#   BEFORE defaults to $PERF_DIR/baseline/gpucascade (a publish of the earlier commit, see bench/compare/README.md).
#
# Environment: REPS [3], W0_PER_REP [3] (W0 runs per rep: it is short), PERF_DIR [/tmp/perf] (iso256.yaml, iso1024.yaml from gen_iso.py, c_cascade and its inputs),
#              OUT [PERF_DIR/out/<date>] (every JSON, log and the raw results.tsv), SKIP_C=1 skips c_cascade.
#
# Measures:
#   bench --workload W0 --backend managed                       (bench's own seconds and path-steps/s)
#   bench --workload W1 --backend managed --cpu-paths 4096      (idem)
#   run [default|iso256|iso1024] --quiet --threads 1|2 --json F (wall time of the process, and the engine's
#                                                                 run.elapsedSeconds)
#   c_cascade iso256|iso1024 --threads 1|2                      (reference only: its simulation time and wall time)
# Checks: the JSON results of before and after are identical outside `run` and `backend` (the reproducible part,
# as tests/GpuCascade.Tests TestScenarios.Reproducible / CliTests compare them) for the default scenario, iso256 and
# iso1024, every rep and both thread counts; and bench's work counters (W0, W1) are equal.
# Exit status: 0 when every check says MATCH, 1 when one says DIFFER, 2 on a usage or run error.
set -euo pipefail

PERF_DIR=${PERF_DIR:-/tmp/perf}
REPS=${REPS:-3}
W0_PER_REP=${W0_PER_REP:-3}
[[ $# -ge 1 && $# -le 2 ]] || { sed -n '2,12p' "$0" >&2; exit 2; }

resolve() {   # prints the command words, one per line
    local a=$1
    if [[ $a == *" "* ]]; then printf '%s\n' $a; return; fi
    if [[ -d $a ]]; then
        if [[ -x $a/gpucascade ]]; then a=$a/gpucascade; else a=$a/GpuCascade.Cli.dll; fi
    fi
    [[ -e $a ]] || { echo "compare.sh: no such CLI: $a" >&2; exit 2; }
    if [[ $a == *.dll ]]; then printf '%s\n' dotnet "$a"; else printf '%s\n' "$a"; fi
}
mapfile -t AFTER < <(resolve "$1")
mapfile -t BEFORE < <(resolve "${2:-$PERF_DIR/baseline/gpucascade}")
[[ ${#AFTER[@]} -gt 0 && ${#BEFORE[@]} -gt 0 ]] || exit 2
cli() { if [[ $1 == before ]]; then echo "${BEFORE[@]}"; else echo "${AFTER[@]}"; fi; }

OUT=${OUT:-$PERF_DIR/out/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
TSV=$OUT/results.tsv
: > "$TSV"
CC=$PERF_DIR/c_cascade
for f in iso256 iso1024; do
    [[ -f $PERF_DIR/$f.yaml ]] || { echo "compare.sh: missing $PERF_DIR/$f.yaml" >&2; exit 2; }
    if [[ -z ${SKIP_C:-} && ! -f $PERF_DIR/$f.in.txt ]]; then
        [[ -n ${PEERS_DIR:-} ]] || { echo "compare.sh: set PEERS_DIR to the native peer's folder (c_cascade_prep.py), or SKIP_C=1" >&2; exit 2; }
        python3 "$PEERS_DIR/c_cascade_prep.py" "$PERF_DIR/$f.yaml" "$PERF_DIR/$f.in.txt"
    fi
done

{
    echo "before: $(cli before)"
    echo "  after: $(cli after)"
    echo "  reps: $REPS, interleaved; output: $OUT"
    echo "  machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/header.txt" >&2

now() { echo "$EPOCHREALTIME"; }
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$TSV"; }   # name side rep metric value

run_bench() {   # side rep workload extra...
    local side=$1 rep=$2 w=$3; shift 3
    local j=$OUT/bench-$w-$side-$rep.json
    if ! $(cli "$side") bench --workload "$w" --backend managed "$@" --json "$j" > "$OUT/bench-$w-$side-$rep.log" 2>&1; then
        echo "compare.sh: bench $w failed on $side (see $OUT/bench-$w-$side-$rep.log)" >&2; exit 2
    fi
    python3 - "$j" "$w" "$side" "$rep" "$TSV" <<'EOF'
import json, sys
j, w, side, rep, tsv = sys.argv[1:]
r = json.load(open(j))["results"][0]
if r.get("error"): sys.exit(f"bench {w} {side}: {r['error']}")
with open(tsv, "a") as f:
    f.write(f"bench {w}\t{side}\t{rep}\tseconds\t{r['seconds']!r}\n")
    f.write(f"bench {w}\t{side}\t{rep}\tpath-steps/s\t{r['pathStepsPerSecond']!r}\n")
EOF
}

run_run() {   # side rep label threads [scenario]
    local side=$1 rep=$2 label=$3 t=$4 scen=${5:-}
    local j=$OUT/run-$label-t$t-$side-$rep.json t0 t1
    local -a args=(run)
    [[ -n $scen ]] && args+=("$scen")
    args+=(--quiet --threads "$t" --backend managed --json "$j")
    t0=$(now)
    if ! $(cli "$side") "${args[@]}" > "$OUT/run-$label-t$t-$side-$rep.log" 2>&1; then
        echo "compare.sh: run $label --threads $t failed on $side (see $OUT/run-$label-t$t-$side-$rep.log)" >&2; exit 2
    fi
    t1=$(now)
    record "run $label t$t" "$side" "$rep" wall "$(python3 -c "print($t1 - $t0)")"
    record "run $label t$t" "$side" "$rep" engine "$(python3 -c "import json; print(json.load(open('$j'))['run']['elapsedSeconds'])")"
}

run_c() {   # rep label threads
    local rep=$1 label=$2 t=$3 t0 t1 line
    t0=$(now)
    line=$("$CC" "$PERF_DIR/$label.in.txt" --threads "$t" --json "$OUT/c-$label-t$t-$rep.json")
    t1=$(now)
    echo "$line" > "$OUT/c-$label-t$t-$rep.log"
    record "c_cascade $label t$t" native "$rep" wall "$(python3 -c "print($t1 - $t0)")"
    record "c_cascade $label t$t" native "$rep" engine "$(python3 -c "import json; print(json.load(open('$OUT/c-$label-t$t-$rep.json'))['run']['seconds'])")"
}

for rep in $(seq 1 "$REPS"); do
    if (( rep % 2 )); then order=(before after); else order=(after before); fi
    echo "rep $rep/$REPS (${order[*]})" >&2
    for k in $(seq 1 "$W0_PER_REP"); do   # W0 takes ~0.1 s: more samples
        for s in "${order[@]}"; do run_bench "$s" "$rep.$k" W0; done
    done
    for s in "${order[@]}"; do run_bench "$s" "$rep" W1 --cpu-paths 4096; done
    for t in 1 2; do
        for s in "${order[@]}"; do run_run "$s" "$rep" default "$t"; done
        for s in "${order[@]}"; do run_run "$s" "$rep" iso256 "$t" "$PERF_DIR/iso256.yaml"; done
        for s in "${order[@]}"; do run_run "$s" "$rep" iso1024 "$t" "$PERF_DIR/iso1024.yaml"; done
        if [[ -z ${SKIP_C:-} ]]; then
            run_c "$rep" iso256 "$t"
            run_c "$rep" iso1024 "$t"
        fi
    done
done

python3 - "$OUT" "$TSV" "$REPS" "$((REPS * W0_PER_REP))" <<'EOF'
import glob, json, os, sys
out, tsv, REPS, W0N = sys.argv[1:]
rows = {}
for line in open(tsv):
    name, side, rep, metric, value = line.rstrip("\n").split("\t")
    rows.setdefault((name, metric), {}).setdefault(side, []).append(float(value))

def best(metric, v):
    return max(v) if metric == "path-steps/s" else min(v)

names = []
for (name, metric) in rows:
    if name not in names: names.append(name)
print()
print(f"{'benchmark':28s} {'metric':13s} {'before':>11s} {'after':>11s} {'after/before':>12s} {'speedup':>8s} {'spread b/a':>13s}")
print("-" * 102)
for name in names:
    if name.startswith("c_cascade"): continue
    for metric in ("seconds", "path-steps/s", "wall", "engine"):
        d = rows.get((name, metric))
        if not d: continue
        b, a = best(metric, d["before"]), best(metric, d["after"])
        label = {"seconds": "bench s", "wall": "wall s", "engine": "engine s"}.get(metric, metric)
        fmt = (lambda x: f"{x:11.3e}") if metric == "path-steps/s" else (lambda x: f"{x:11.3f}")
        ratio = a / b
        speed = a / b if metric == "path-steps/s" else b / a
        sp = lambda v: (max(v) / min(v) - 1) * 100
        print(f"{name:28s} {label:13s} {fmt(b)} {fmt(a)} {ratio:12.3f} {speed:7.2f}x {sp(d['before']):5.0f}%/{sp(d['after']):3.0f}%")
print("after/before: of seconds (< 1 is faster) or of path-steps/s (> 1 is faster); speedup > 1 is faster.")
print("wall s: the whole process (startup, scenario load, run, JSON); engine s: the JSON's run.elapsedSeconds.")
print("best of", REPS, "each (W0: of", W0N, "); spread: worst/best - 1 of each side's samples, a measure of the noise")
print("load average at the end:", open("/proc/loadavg").read().split()[:3])

cnames = [n for n in names if n.startswith("c_cascade")]
if cnames:
    print()
    print(f"{'native peer (reference)':28s} {'sim s':>8s} {'wall s':>8s} {'before/native':>14s} {'after/native':>13s}")
    print("-" * 76)
    for n in cnames:
        sim = min(rows[(n, "engine")]["native"]); wall = min(rows[(n, "wall")]["native"])
        run = "run " + n.split(" ", 1)[1]
        e = rows.get((run, "engine"), {})
        rb = min(e["before"]) / sim if e else float("nan"); ra = min(e["after"]) / sim if e else float("nan")
        print(f"{n:28s} {sim:8.3f} {wall:8.3f} {rb:13.2f}x {ra:12.2f}x")
    print("x/native: the engine's run.elapsedSeconds over c_cascade's simulation time, same scenario and threads.")

# --- identical results
def reproducible(path):
    j = json.load(open(path))
    j.pop("run", None); j.pop("backend", None)
    return json.dumps(j, sort_keys=True)

def diff(a, b, prefix="", acc=None):
    acc = [] if acc is None else acc
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b: acc.append(f"{prefix}{k}: only in {'after' if k in b else 'before'}")
            else: diff(a[k], b[k], f"{prefix}{k}.", acc)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)): diff(x, y, f"{prefix}[{i}].", acc)
    elif json.dumps(a) != json.dumps(b):
        acc.append(f"{prefix.rstrip('.')}: {a!r} vs {b!r}")
    return acc

print()
bad = False
for label in ("default", "iso256", "iso1024"):
    files = {s: sorted(glob.glob(f"{out}/run-{label}-t*-{s}-*.json")) for s in ("before", "after")}
    if not files["before"] or not files["after"]: continue
    ref = reproducible(files["before"][0])
    same_before = all(reproducible(f) == ref for f in files["before"])
    same_after = all(reproducible(f) == ref for f in files["after"])
    verdict = "MATCH" if same_before and same_after else "DIFFER"
    bad |= verdict == "DIFFER"
    n = len(files["before"]) + len(files["after"])
    note = "" if same_before else " (the before runs differ among themselves!)"
    print(f"results {label:8s} before vs after, outside run/backend ({n} JSONs, threads 1 and 2): {verdict}{note}")
    if verdict == "DIFFER":
        for f in files["after"]:
            if reproducible(f) != ref:
                d = diff(json.loads(ref), json.loads(reproducible(f)))
                print(f"  {os.path.basename(f)}: {len(d)} differences, first: " + "; ".join(d[:5]))
                break
for w in ("W0", "W1"):
    works = {s: [json.dumps(json.load(open(f))["results"][0]["work"], sort_keys=True)
                 for f in sorted(glob.glob(f"{out}/bench-{w}-{s}-*.json"))] for s in ("before", "after")}
    if not works["before"]: continue
    ok = len(set(works["before"] + works["after"])) == 1
    bad |= not ok
    print(f"bench {w} work counters (pathSteps, marginChecks, cohortLiquidations) before vs after: "
          f"{'MATCH' if ok else 'DIFFER'}  {works['before'][0]}" + ("" if ok else f" vs {works['after'][0]}"))
sys.exit(1 if bad else 0)
EOF

#!/bin/sh
# A run of JOBS parallel jobs of one image that are not a matrix, one at a time (-p 1), with warm
# containers against the same run with --no-warm, interleaved in one run of this script (prints
# ratios, asserts nothing). Each job runs one `true` step, so the run is mostly job starts. Needs
# dockerd and IMAGE (default pipe-test/runner:bookworm from tests/images/build.sh).
# Usage: bench/bench_warm_parallel.sh [PIPE] [RUNS] [JOBS] [IMAGE]
set -eu
pipe=$(cd "$(dirname "${1:-build/runner/pipe}")" && pwd)/$(basename "${1:-build/runner/pipe}")
runs=${2:-5}
jobs=${3:-4}
image=${4:-pipe-test/runner:bookworm}
work=$(mktemp -d)
unset CI GITHUB_ACTIONS
trap 'rm -rf "$work"' EXIT

cd "$work"
printf 'on: push\njobs:\n' > workflow.yml
i=0
while [ "$i" -lt "$jobs" ]; do
  printf '  j%s:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n' "$i" >> workflow.yml
  i=$((i + 1))
done

now_ns() { date +%s%N; }

# Appends the milliseconds `pipe run` with the extra arguments "$@" takes to the file $1.
time_into() {
  out=$1
  shift
  start=$(now_ns)
  "$pipe" run workflow.yml --backend docker -p 1 -P "ubuntu-latest=$image" "$@" > run.log 2>&1 ||
    { echo "bench_warm_parallel: pipe run $* failed" >&2; tail -20 run.log >&2; exit 1; }
  end=$(now_ns)
  echo $(((end - start) / 1000000)) >> "$out"
}

median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

: > cold.times
: > warm.times
n=0
while [ "$n" -lt "$runs" ]; do  # interleaved, so load that drifts affects both alike
  time_into cold.times --no-warm
  time_into warm.times
  n=$((n + 1))
done
cold_ms=$(median cold.times)
warm_ms=$(median warm.times)
echo "$jobs parallel jobs of $image, -p 1, one step each (median of $runs runs):"
echo "  --no-warm (each job creates and starts its container)  ${cold_ms} ms"
echo "  warm containers                                        ${warm_ms} ms"
echo "  warm / --no-warm                                       $(awk "BEGIN { printf \"%.2f\", $warm_ms / $cold_ms }")x"
echo "  per job saved                                          $(awk "BEGIN { printf \"%.0f\", ($cold_ms - $warm_ms) / $jobs }") ms"

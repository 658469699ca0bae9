# Shared by the throughput benchmarks (run_artifacts.sh, run_cache.sh): their arguments, a scratch
# directory, the `cp` baseline and the rates they print. Sourced, after `set -euo pipefail`.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# bench_start NAME [PIPE] [MB]: sets `pipe` and `mb` and enters a fresh scratch directory `work`,
# removed on exit together with `$work-store`.
bench_start() {
  pipe=$(realpath "${2:-build/runner/pipe}")
  mb=${3:-500}
  work=$(mktemp -d "${TMPDIR:-/tmp}/pipe-bench-$1-XXXXXX")
  trap 'rm -rf "$work" "$work-store"' EXIT
  cd "$work"
}

# cp_millis FILE: milliseconds `cp` and `sync` of FILE take on this disk, the baseline.
cp_millis() {
  local start
  start=$(date +%s%N)
  cp "$1" copy.bin
  sync copy.bin
  echo $(( ($(date +%s%N) - start) / 1000000 ))
  rm copy.bin
}

# rate MB MS: megabytes per second.
rate() { python3 -c "print(f'{$1 / ($2 / 1000):.0f}')"; }

# pct_of_cp MS: the `cp` baseline's time as a percentage of MS.
pct_of_cp() { python3 -c "print(f'{100 * $cp_ms / $1:.0f}')"; }

# run_pipe ARGS...: `pipe run ARGS` into `out`; shows its end and exits unless it succeeded and
# printed "identical".
run_pipe() {
  out=$("$pipe" run "$@" 2>&1) || { echo "$out" | tail -30; exit 1; }
  echo "$out" | grep -q identical || { echo "$out" | tail -30; exit 1; }
}

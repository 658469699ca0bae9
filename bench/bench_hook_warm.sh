#!/bin/sh
# A hooked commit whose lint job runs one step in a warm container (the hook's default, asked for
# explicitly here so a missing engine or image fails instead of timing the host twice) against
# the same hook with the job on the host, in one run (target: at most 2x). Needs dockerd and IMAGE (default
# pipe-test/runner:bookworm from tests/images/build.sh). The warm container is removed at the end.
# Usage: bench/bench_hook_warm.sh [PIPE] [RUNS] [FILES] [IMAGE]
set -eu
pipe=$(cd "$(dirname "${1:-build/runner/pipe}")" && pwd)/$(basename "${1:-build/runner/pipe}")
runs=${2:-20}
files=${3:-500}
image=${4:-pipe-test/runner:bookworm}
work=$(mktemp -d)
unset CI GITHUB_ACTIONS PIPE_SKIP

cd "$work"
git init -q -b main
git config user.email bench@example.com
git config user.name bench
mkdir -p .github/workflows src
printf 'platforms:\n  ubuntu-latest: %s\n' "$image" > .pipe.yml
cat > .github/workflows/lint.yml <<'YML'
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: |
          ! grep -rn FIXME src
          test -z "$(find src -name '*.c' -size +100k)"
YML
i=0
while [ "$i" -lt "$files" ]; do
  echo "int f$i(void) { return $i; }" > "src/f$i.c"
  i=$((i + 1))
done
git add -A
git commit -qm init --no-verify
echo "int g(void) { return 1; }" >> src/f0.c
git add src/f0.c

now_ns() { date +%s%N; }

# Timings (ms) of the command in "$@", one per line, into the file named by $1.
time_into() {
  out=$1
  shift
  start=$(now_ns)
  "$@" > /dev/null 2>&1 || { echo "bench_hook_warm: $* failed" >&2; "$@"; exit 1; }
  end=$(now_ns)
  echo $(((end - start) / 1000000)) >> "$out"
}

median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

trap 'rm -rf "$work"' EXIT

"$pipe" hook run --backend docker --warm > /dev/null 2>&1 || true  # the first commit creates the container
if "$pipe" hook run 2>&1 >/dev/null | grep "pipe: hook:" >&2; then
  echo "bench_hook_warm: the default hook would not run in a container here" >&2
  exit 1
fi
: > "$work/host.times"
: > "$work/warm.times"
: > "$work/default.times"
n=0
while [ "$n" -lt "$runs" ]; do  # interleaved, so load that drifts affects all alike
  time_into "$work/host.times" "$pipe" hook run --backend host
  time_into "$work/warm.times" "$pipe" hook run --backend docker --warm
  time_into "$work/default.times" "$pipe" hook run  # the same container, after the engine and image check
  n=$((n + 1))
done
host_ms=$(median "$work/host.times")
warm_ms=$(median "$work/warm.times")
default_ms=$(median "$work/default.times")
echo "hooked commit, lint job on the host:            ${host_ms} ms (median of $runs, $files files)"
echo "hooked commit, lint job in a warm container:    ${warm_ms} ms"
echo "the same with no --backend (checked default):   ${default_ms} ms"
echo "warm container / host:                          $(awk "BEGIN { printf \"%.2f\", $warm_ms / $host_ms }")x (target <= 2x)"
echo "default / host:                                 $(awk "BEGIN { printf \"%.2f\", $default_ms / $host_ms }")x"
# The warm container would wait its idle time; one with an idle time of a second replaces it.
"$pipe" hook run --backend docker --warm --warm-idle 1 > /dev/null 2>&1 || true

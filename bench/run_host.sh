#!/usr/bin/env bash
# Benchmarks of `pipe run` on the host backend, each printed as a ratio measured in this run:
#   1. per-step overhead: 200 `run: true` steps vs one bash doing the same work per step
#      (a script file written, the five file-command files created and read back);
#   2. a 256-combination matrix of trivial jobs with -p 2: wall time and peak RSS;
#   3. output throughput: a step printing 200 MB of lines vs `cat` of the same bytes to /dev/null.
# Usage: bench/run_host.sh [path/to/pipe]   (default: build/runner/pipe)
set -euo pipefail
pipe=$(realpath "${1:-build/runner/pipe}")
work=$(mktemp -d /tmp/pipe-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.6f}')"; }

# 1. per-step overhead
{
  echo "on: push"; echo "jobs:"; echo "  steps:"; echo "    runs-on: self-hosted"; echo "    steps:"
  for _ in $(seq 200); do echo "      - run: 'true'"; done
} > steps.yml
cat > floor.sh <<'SH'
# The same work per step with shell builtins only: five empty files, a script file, one bash.
d=$(mktemp -d)
for i in $(seq 200); do
  for f in env output state path summary; do : > "$d/$f.$i"; done
  printf 'true\n' > "$d/script.$i.sh"; bash -e "$d/script.$i.sh"
  for f in env output path summary; do read -r _ < "$d/$f.$i" || true; done
done
rm -rf "$d"
SH
t0=$(now); "$pipe" run --backend host steps.yml > /dev/null; t1=$(now)
t2=$(now); bash floor.sh; t3=$(now)
pipe_s=$(elapsed "$t0" "$t1"); floor_s=$(elapsed "$t2" "$t3")
python3 -c "p=$pipe_s; f=$floor_s; print(f'steps:  200 steps  pipe {p:.3f}s  bash floor {f:.3f}s  overhead {(p-f)/200*1000:.2f} ms/step  ratio {p/f:.2f}x')"

# 2. a 256-combination matrix with -p 2
cat > matrix.yml <<'YML'
on: push
jobs:
  m:
    runs-on: self-hosted
    strategy:
      matrix:
        a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
        b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    steps:
      - run: 'true'
YML
/usr/bin/time -f '%e %M' -o time.txt "$pipe" run --backend host -p 2 matrix.yml > /dev/null
read -r wall rss < time.txt
echo "matrix: 256 jobs with -p 2  wall ${wall}s  peak RSS $((rss / 1024)) MB"

# 3. output throughput: 200 MB of lines. The file lives in /dev/shm when there is one, so no
# reader waits for the disk (this VM drops page cache often); the commands then run in turn,
# 5 times, and each median is printed. Two more floors put the ratio in proportion:
#   `cat | cat`   the bytes cross one pipe, as any tool that captures a step's output must;
#   a one-step `run: 'true'` workflow: pipe's fixed cost per run (start, git, bash, run record).
shm=/dev/shm; [ -d "$shm" ] && [ -w "$shm" ] || shm="$work"
big=$(mktemp "$shm/pipe-bench-XXXXXX.txt")
trap 'rm -rf "$work" "$big"' EXIT
python3 -c "
import sys
line = ('x' * 99 + '\\n').encode()
with open(sys.argv[1], 'wb') as f:
    for _ in range(2_000_000): f.write(line)
" "$big"
printf 'on: push\njobs:\n  out:\n    runs-on: self-hosted\n    steps:\n      - run: cat %s\n' "$big" > output.yml
printf 'on: push\njobs:\n  out:\n    runs-on: self-hosted\n    steps:\n      - run: "true"\n' > fixed.yml
PIPE="$pipe" BIG="$big" python3 - <<'PY'
import os, shutil, statistics, subprocess, time
pipe, big = os.environ["PIPE"], os.environ["BIG"]
def timed(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
commands = {
    "pipe": [pipe, "run", "--backend", "host", "output.yml"],
    "fixed": [pipe, "run", "--backend", "host", "fixed.yml"],
    "cat": ["cat", big],
    "capture": ["sh", "-c", f"cat {big} | cat"],
}
runs = {name: [] for name in commands}
for _ in range(5):
    for name, argv in commands.items():
        shutil.rmtree(".pipe", ignore_errors=True)  # each run records a 250 MB log: keep one at a time
        runs[name].append(timed(argv))
p, fixed, c, f = (statistics.median(runs[k]) for k in ("pipe", "fixed", "cat", "capture"))
print(f"output: 200 MB, medians of 5  pipe {200/p:.0f} MB/s ({p:.3f}s)  cat {200/c:.0f} MB/s ({c:.4f}s)  "
      f"ratio {c/p*100:.1f}% of cat")
print(f"        floors: cat|cat {f:.3f}s = {c/f*100:.0f}% of cat;  pipe's fixed cost per run {fixed:.3f}s;  "
      f"pipe streams at {200/(p - fixed):.0f} MB/s once started, {f/(p - fixed)*100:.0f}% of cat|cat")
PY

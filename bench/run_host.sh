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

# 3. output throughput: 200 MB of lines
python3 -c "
import sys
line = ('x' * 99 + '\n').encode()
with open('big.txt', 'wb') as f:
    for _ in range(2_000_000): f.write(line)
"
cat > output.yml <<YML
on: push
jobs:
  out:
    runs-on: self-hosted
    steps:
      - run: cat $work/big.txt
YML
t0=$(now); "$pipe" run --backend host output.yml > /dev/null; t1=$(now)
t2=$(now); cat big.txt > /dev/null; t3=$(now)
pipe_s=$(elapsed "$t0" "$t1"); cat_s=$(elapsed "$t2" "$t3")
python3 -c "p=$pipe_s; c=$cat_s; print(f'output: 200 MB  pipe {200/p:.0f} MB/s ({p:.3f}s)  cat {200/c:.0f} MB/s ({c:.4f}s)  ratio {c/p*100:.1f}% of cat')"

#!/usr/bin/env bash
# What the live view costs where it is drawn: a step printing 100 MB of lines through a
# pseudo-terminal (script(1)), `--progress tty` against `--progress plain` of the same binary,
# medians of 5 runs each, in turns. The pseudo-terminal is the floor both share; the ratio is
# the live view's cost. (On a pipe or a file the live view is never drawn: bench/run_host.sh's
# throughput numbers measure that path.)
# Usage: bench/run_live_view.sh [path/to/pipe] [MB]   (default: build/runner/pipe, 100)
set -euo pipefail
pipe=$(realpath "${1:-build/runner/pipe}")
mb=${2:-100}
command -v script >/dev/null || { echo "run_live_view: script(1) (util-linux) is needed"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pipe-bench-live-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 -c "
import sys
line = ('y' * 99 + '\\n').encode()
with open('big.txt', 'wb') as f:
    for _ in range($mb * 10_000): f.write(line)
"
printf 'on: push\njobs:\n  out:\n    runs-on: self-hosted\n    steps:\n      - run: cat big.txt\n' > output.yml
PIPE="$pipe" MB="$mb" python3 - <<'PY'
import os, shutil, statistics, subprocess, time
pipe, mb = os.environ["PIPE"], int(os.environ["MB"])
env = dict(os.environ, TERM="xterm-256color")
for name in ("CI", "GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR"):
    env.pop(name, None)
def timed(progress):
    shutil.rmtree(".pipe", ignore_errors=True)
    command = f"{pipe} run --backend host --progress {progress} output.yml"
    t = time.perf_counter()
    subprocess.run(["script", "-q", "-e", "-c", command, "/dev/null"], stdout=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - t
runs = {"tty": [], "plain": []}
for _ in range(5):
    for progress in runs:
        runs[progress].append(timed(progress))
tty, plain = (statistics.median(runs[k]) for k in ("tty", "plain"))
print(f"live view: {mb} MB through a pseudo-terminal, medians of 5  --progress tty {tty:.3f}s  "
      f"--progress plain {plain:.3f}s  ratio {tty/plain:.3f}x")
PY

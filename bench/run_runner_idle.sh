#!/usr/bin/env bash
# Idle cost of `pipe runner daemon`: with no work queued, the CPU a daemon uses and the requests
# it sends per fetch interval. A Python stand-in answers Register, Declare and an empty FetchTask
# (Connect JSON, as a Gitea/Forgejo server does) and counts the calls.
# Usage: bench/run_runner_idle.sh [path/to/pipe] [seconds]   (defaults: build/runner/pipe, 30)
set -euo pipefail
pipe=$(realpath "${1:-build/runner/pipe}")
seconds=${2:-30}
work=$(mktemp -d /tmp/pipe-bench-runner-XXXXXX)
server_pid=""
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

cat > server.py <<'PY'
import http.server, json, sys
calls = {}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        method = self.path.rsplit("/", 1)[-1]
        calls[method] = calls.get(method, 0) + 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = {"Ping": {"data": "pong"},
                "Register": {"runner": {"id": "1", "uuid": "u", "token": "t", "name": "bench"}},
                "Declare": {"runner": {"id": "1", "uuid": "u", "name": "bench"}},
                "FetchTask": {"tasksVersion": "5"}}.get(method, {})
        data = json.dumps(body).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
        with open("calls.json", "w") as f: json.dump(calls, f)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open("port", "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 server.py & server_pid=$!
while [ ! -s port ]; do sleep 0.05; done
url="http://127.0.0.1:$(cat port)"
"$pipe" runner register --no-interactive --instance "$url" --token x --labels linux:host >/dev/null
printf 'runner:\n  fetch_interval: 2s\n' > config.yml
"$pipe" runner daemon --config config.yml >/dev/null 2>&1 & daemon_pid=$!
sleep 1
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$daemon_pid/stat"; }
fetches() { python3 -c "import json;print(json.load(open('calls.json')).get('FetchTask',0))"; }
cpu0=$(cpu); f0=$(fetches)
sleep "$seconds"
cpu1=$(cpu); f1=$(fetches)
python3 - "$cpu0" "$cpu1" "$ticks" "$seconds" "$f0" "$f1" <<'PY'
import sys
cpu0, cpu1, ticks, secs, f0, f1 = map(float, sys.argv[1:])
print(f"idle daemon over {secs:.0f} s: {100 * (cpu1 - cpu0) / ticks / secs:.3f}% of a core, "
      f"{f1 - f0:.0f} FetchTask calls ({(f1 - f0) / (secs / 2):.2f} per 2 s interval)")
PY

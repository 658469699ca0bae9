#!/usr/bin/env bash
# Artifact throughput through pipe's artifact service, next to `cp` of the same file on the same
# disk in the same run: @actions/artifact (as upload-artifact and download-artifact use it)
# uploads a 500 MB file in one job and downloads it in the next, on the host backend.
# The file is sent as it is (archive: false): zip compression would measure the client's CPU.
# A third job moves the same file with curl (bench/artifact_curl.sh): the service alone, without
# the node client's own work (hashing, buffering, one JavaScript thread).
# Usage: bench/run_artifacts.sh [path/to/pipe] [MB]   (needs .ci/setup's @actions/artifact)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export PIPE_TEST_NPM=${PIPE_TEST_NPM:-$HOME/.cache/pipe-test/npm-artifact}
bench_start artifacts "$@"
cp -r "$here/fixtures/artifacts/client" client
cp "$here/bench/artifact_curl.sh" .
head -c "$((mb * 1024 * 1024))" /dev/urandom > big.bin
cp_ms=$(cp_millis big.bin)

cat > workflow.yml <<'YML'
on: push
jobs:
  up:
    runs-on: self-hosted
    steps:
      - uses: ./client
        with: {mode: upload, name: big.bin, files: big.bin, archive: 'false'}
  down:
    needs: up
    runs-on: self-hosted
    steps:
      - uses: ./client
        with: {mode: download, name: big.bin, path: got}
      - run: cmp big.bin got/big.bin && echo identical
  service-alone:
    needs: down
    runs-on: self-hosted
    steps:
      - uses: ./client  # a job with an action step gets the service's URL and token
        with: {mode: list}
      - run: bash artifact_curl.sh big.bin by-curl
YML
run_pipe --backend host workflow.yml
up_ms=$(echo "$out" | sed -n 's/.*uploaded .* ms=\([0-9]*\).*/\1/p')
down_ms=$(echo "$out" | sed -n 's/.*| downloaded .* ms=\([0-9]*\).*/\1/p')
curl_up_ms=$(echo "$out" | sed -n 's/.*curl uploaded ms=\([0-9]*\).*/\1/p')
curl_down_ms=$(echo "$out" | sed -n 's/.*curl downloaded ms=\([0-9]*\).*/\1/p')
echo "artifact of ${mb} MB:"
echo "  cp        $(rate "$mb" "$cp_ms") MB/s  (${cp_ms} ms)"
echo "  upload    $(rate "$mb" "$up_ms") MB/s  (${up_ms} ms)   $(pct_of_cp "$up_ms")% of cp"
echo "  download  $(rate "$mb" "$down_ms") MB/s  (${down_ms} ms)   $(pct_of_cp "$down_ms")% of cp"
echo "the service alone, with curl as the client (one stream each way):"
echo "  upload    $(rate "$mb" "$curl_up_ms") MB/s  (${curl_up_ms} ms)   $(pct_of_cp "$curl_up_ms")% of cp"
echo "  download  $(rate "$mb" "$curl_down_ms") MB/s  (${curl_down_ms} ms)   $(pct_of_cp "$curl_down_ms")% of cp"

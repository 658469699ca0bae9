#!/usr/bin/env bash
# Cache throughput through pipe's cache service, next to `cp` of the same file on the same disk in
# the same run, on the host backend: `transfer` is the service alone (the calls @actions/cache
# makes, timed by bench/cache_transfer.js), `save`/`restore` the whole of @actions/cache's
# saveCache/restoreCache, whose tar and zstd run in the client.
# Usage: bench/run_cache.sh [path/to/pipe] [MB]   (needs .ci/setup's @actions/cache)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export PIPE_TEST_NPM_CACHE=${PIPE_TEST_NPM_CACHE:-$HOME/.cache/pipe-test/npm-cache}
bench_start cache "$@"
cp -r "$here/fixtures/cache/.github" .github
cp "$here/bench/cache_transfer.js" .
mkdir data
head -c "$((mb * 1024 * 1024))" /dev/urandom > data/big.bin
cp_ms=$(cp_millis data/big.bin)

cat > workflow.yml <<'YML'
on: push
jobs:
  bench:
    runs-on: self-hosted
    steps:
      - run: node cache_transfer.js data/big.bin && rm data/big.bin.restored
      - run: echo "save start=$(date +%s%N)"
      - uses: ./.github/actions/cache-probe
        with: {mode: save, path: data, key: bench-e2e, library: '5'}
      - run: echo "save end=$(date +%s%N)" && mv data data.orig
      - run: echo "restore start=$(date +%s%N)"
      - uses: ./.github/actions/cache-probe
        with: {mode: restore, path: data, key: bench-e2e, library: '5'}
      - run: echo "restore end=$(date +%s%N)" && cmp data/big.bin data.orig/big.bin && echo identical
YML
run_pipe --backend host --cache-dir "$work-store" workflow.yml
field() { echo "$out" | sed -n "s/.*$1=\([0-9][0-9]*\).*/\1/p" | head -1; }
t_save=$(field "transfer save ms"); t_restore=$(field "transfer restore ms")
e_save=$(( ($(field "save end") - $(field "save start")) / 1000000 ))
e_restore=$(( ($(field "restore end") - $(field "restore start")) / 1000000 ))
echo "cache entry of ${mb} MB (random bytes):"
echo "  cp                 $(rate "$mb" "$cp_ms") MB/s  (${cp_ms} ms)"
echo "  transfer save      $(rate "$mb" "$t_save") MB/s  (${t_save} ms)   $(pct_of_cp "$t_save")% of cp"
echo "  transfer restore   $(rate "$mb" "$t_restore") MB/s  (${t_restore} ms)   $(pct_of_cp "$t_restore")% of cp"
echo "  saveCache          $(rate "$mb" "$e_save") MB/s  (${e_save} ms, with tar and zstd)"
echo "  restoreCache       $(rate "$mb" "$e_restore") MB/s  (${e_restore} ms, with unzstd and tar)"

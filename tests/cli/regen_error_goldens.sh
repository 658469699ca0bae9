#!/usr/bin/env bash
# Rewrites fixtures/errors/<case>.err from the current `pipe validate` output.
# Read the diff before committing: a golden pins exactly what users see.
set -euo pipefail
pipe_exe=${1:?usage: regen_error_goldens.sh PATH/TO/pipe}
cd "$(dirname "$0")/../../fixtures/errors"
for file in *.yml; do
  "$pipe_exe" validate -C . "$file" 2> "${file%.yml}.err" >/dev/null || true
done

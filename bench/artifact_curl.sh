#!/usr/bin/env bash
# Inside a pipe job: one artifact up and down through pipe's artifact service with curl instead
# of @actions/artifact (CreateArtifact, one Put Blob streamed from the file, FinalizeArtifact,
# GetSignedArtifactURL, one GET), to time the service apart from the node client.
# Usage: bash artifact_curl.sh FILE NAME
set -euo pipefail
file=$1 name=$2
auth="Authorization: Bearer $ACTIONS_RUNTIME_TOKEN"
api="${ACTIONS_RESULTS_URL}twirp/github.actions.results.api.v1.ArtifactService"
# The run and job ids are the token's `scp` claim, as the actions read them.
read -r run job < <(python3 -c '
import base64, json, os
claims = os.environ["ACTIONS_RUNTIME_TOKEN"].split(".")[1]
scope = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["scp"]
print(*[part for part in scope.split() if part.startswith("Actions.Results:")][0].split(":")[1:])')
ids="\"workflow_run_backend_id\":\"$run\",\"workflow_job_run_backend_id\":\"$job\",\"name\":\"$name\""
twirp() { curl -sf -H "$auth" -H 'Content-Type: application/json' -d "{$ids$2}" "$api/$1"; }
field() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
now() { date +%s%N; }

upload_url=$(twirp CreateArtifact ',"version":4' | field signed_upload_url)
start=$(now)
curl -sf -o /dev/null -X PUT -H 'x-ms-blob-type: BlockBlob' -T "$file" "$upload_url"
twirp FinalizeArtifact ",\"size\":\"$(stat -c %s "$file")\"" > /dev/null
echo "curl uploaded ms=$(( ($(now) - start) / 1000000 ))"
download_url=$(twirp GetSignedArtifactURL '' | field signed_url)
start=$(now)
curl -sf -o "$file.got" "$download_url"
echo "curl downloaded ms=$(( ($(now) - start) / 1000000 ))"
cmp "$file" "$file.got" && rm "$file.got"

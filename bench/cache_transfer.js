// Inside a pipe job: one cache entry up and down through pipe's cache service the way
// @actions/cache moves it (twirp calls, Azure's BlockBlobClient.uploadFile with 64 MiB blocks
// and 8 at a time, one plain GET streamed to a file), timed without the client's tar and zstd.
// Usage: node cache_transfer.js FILE   (PIPE_TEST_NPM_CACHE names .ci/setup's npm folder)
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');

const npm = path.join(process.env.PIPE_TEST_NPM_CACHE, 'node_modules');
const {BlockBlobClient} = require(require.resolve('@azure/storage-blob', {paths: [path.join(npm, 'actions-cache-5')]}));
const file = process.argv[2];
const base = process.env.ACTIONS_RESULTS_URL;

async function twirp(method, body) {
  const response = await fetch(`${base}twirp/github.actions.results.api.v1.CacheService/${method}`, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Authorization: `Bearer ${process.env.ACTIONS_RUNTIME_TOKEN}`},
    body: JSON.stringify(body),
  });
  return response.json();
}

function download(url, to) {
  return new Promise((resolve, reject) => {
    http.get(url, (response) => {
      const out = fs.createWriteStream(to);
      response.pipe(out);
      out.on('finish', resolve);
      out.on('error', reject);
    }).on('error', reject);
  });
}

async function main() {
  const size = fs.statSync(file).size;
  const entry = {key: `bench-${Date.now()}`, version: 'bench'};
  let started = Date.now();
  const created = await twirp('CreateCacheEntry', entry);
  await new BlockBlobClient(created.signed_upload_url).uploadFile(file, {
    blockSize: 64 * 1024 * 1024, concurrency: 8, maxSingleShotSize: 128 * 1024 * 1024});
  const finalized = await twirp('FinalizeCacheEntryUpload', {...entry, size_bytes: `${size}`});
  if (!finalized.ok) throw new Error(finalized.message);
  console.log(`transfer save ms=${Date.now() - started}`);
  started = Date.now();
  const found = await twirp('GetCacheEntryDownloadURL', {key: entry.key, restore_keys: [], version: entry.version});
  await download(found.signed_download_url, `${file}.restored`);
  console.log(`transfer restore ms=${Date.now() - started}`);
  if (fs.statSync(`${file}.restored`).size !== size) throw new Error('the restored file differs in size');
}

main().catch((error) => { console.log(`::error::${error.message}`); process.exitCode = 1; });

// The cache service on a real service host, spoken to by the official client (@actions/cache,
// both majors, both APIs) and, for what the client never sends, by plain HTTP.
#include <httplib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "runner/cache/cache_api.hpp"
#include "support/files.hpp"
#include "support/npm_library.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace pipeline::runner;
using pipeline::test::run_process;
using pipeline::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string k_twirp = "/twirp/github.actions.results.api.v1.CacheService/";

std::string npm_dir() {
  std::string why;
  return pipeline::test::npm_library("PIPE_TEST_NPM_CACHE", "npm-cache",
                                     {"node_modules/actions-cache-5/lib/cache.js", "node_modules/actions-cache-4/lib/cache.js"},
                                     "@actions/cache", why);
}

void write_random(const fs::path& path, std::size_t size) {
  std::mt19937_64 random(size);
  std::string data(size, '\0');  // size is a multiple of 8
  for (std::size_t at = 0; at + 8 <= size; at += 8) {
    const std::uint64_t word = random();
    std::memcpy(data.data() + at, &word, 8);
  }
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

/// A service host with the cache mounted, for a run on refs/heads/main of octo/hello.
struct Service {
  TempDir store_dir{"cache-service-store"};
  TempDir workspace{"cache-service-ws"};
  services::ServiceHost host;
  cache::Store store{store_dir.path};
  cache::CacheRoutes routes{store, cache::RunScope{"octo/hello", "refs/heads/main", "", "main"}, host};
  services::Caller caller{"1", "build"};

  Service() {
    host.mount(routes);
    REQUIRE(host.start(services::ListenAddresses{"127.0.0.1", ""}).ok());
  }

  /// Runs the probe action's script as actions/cache would run in a job with these variables.
  pipeline::test::ProcessResult probe(const std::map<std::string, std::string>& inputs, const std::string& npm) {
    const fs::path output = workspace.path / "output.txt";
    std::ofstream(output, std::ios::trunc).close();
    for (const auto& [name, value] : host.job_env(caller, services::Reach::host)) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    for (const auto& [name, value] : routes.job_env(host.base_url(services::Reach::host))) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    ::setenv("PIPE_TEST_NPM_CACHE", npm.c_str(), 1);
    ::setenv("GITHUB_SERVER_URL", "https://github.com", 1);
    ::setenv("GITHUB_WORKSPACE", workspace.path.c_str(), 1);
    ::setenv("RUNNER_TEMP", store_dir.path.c_str(), 1);
    ::setenv("GITHUB_OUTPUT", output.c_str(), 1);
    for (const char* name : {"INPUT_RESTORE-KEYS", "INPUT_LOOKUP-ONLY", "INPUT_LIBRARY", "INPUT_SERVICE"}) {
      ::unsetenv(name);
    }
    for (const auto& [name, value] : inputs) {
      std::string upper = "INPUT_" + name;
      for (auto& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      ::setenv(upper.c_str(), value.c_str(), 1);
    }
    const std::string script = std::string(PIPE_FIXTURES_DIR) + "/cache/.github/actions/cache-probe/index.js";
    return run_process({"/usr/bin/node", script}, workspace.path.string());
  }

  httplib::Client client() const {
    const std::string url = host.base_url(services::Reach::host);
    httplib::Client c(url.substr(0, url.size() - 1));
    c.set_bearer_token_auth(host.token(caller).c_str());
    return c;
  }
};

void round_trip(const std::string& library, const std::string& service, std::size_t size) {
  const std::string npm = npm_dir();
  if (npm.empty()) {
    WARN("skipped: @actions/cache is not installed in ~/.cache/pipe-test/npm-cache (.ci/setup installs it)");
    return;
  }
  Service s;
  write_random(s.workspace.path / "deps" / "blob.bin", size);
  std::ofstream(s.workspace.path / "deps" / "small.txt") << "small\n";
  const std::string original = pipeline::test::read_file(s.workspace.path / "deps" / "blob.bin");
  const std::map<std::string, std::string> common{{"path", "deps"}, {"library", library}, {"service", service}};

  auto with = [&](std::map<std::string, std::string> extra) {
    extra.insert(common.begin(), common.end());
    return extra;
  };
  auto saved = s.probe(with({{"mode", "save"}, {"key", "deps-linux-1"}}), npm);
  INFO(saved.out + saved.err);
  REQUIRE(saved.exit_code == 0);
  CHECK_THAT(saved.out, Catch::Contains("probe save deps-linux-1: saved=[true]"));

  fs::remove_all(s.workspace.path / "deps");
  auto restored = s.probe(with({{"mode", "restore"}, {"key", "deps-linux-2"}, {"restore-keys", "deps-linux-"}}), npm);
  INFO(restored.out + restored.err);
  REQUIRE(restored.exit_code == 0);
  CHECK_THAT(restored.out, Catch::Contains("probe restore deps-linux-2: matched=[deps-linux-1]"));
  CHECK(pipeline::test::read_file(s.workspace.path / "deps" / "blob.bin") == original);
  CHECK(pipeline::test::read_file(s.workspace.path / "deps" / "small.txt") == "small\n");

  auto again = s.probe(with({{"mode", "save"}, {"key", "deps-linux-1"}}), npm);
  INFO(again.out + again.err);
  CHECK_THAT(again.out, Catch::Contains("probe save deps-linux-1: saved=[false]"));
  CHECK_THAT(again.out, Catch::Contains("Failed to save: Unable to reserve cache with key deps-linux-1, another job "
                                        "may be creating this cache."));
  CHECK(s.store.entries("octo/hello").size() == 1);
}

}  // namespace

TEST_CASE("@actions/cache 4 over the v2 API: Put Blob, then a plain GET", "[cache][npm]") {
  round_trip("4", "v2", 3 << 20);
}

TEST_CASE("@actions/cache 5 over the v1 API: PATCH chunks, then a plain GET", "[cache][npm]") {
  round_trip("5", "v1", 3 << 20);
}

TEST_CASE("@actions/cache 5 over the v2 API: an archive over 128 MiB goes up in blocks", "[cache][npm]") {
  round_trip("5", "v2", 130 << 20);
}

TEST_CASE("an upload that never finishes is never restored", "[cache]") {
  Service s;
  auto client = s.client();
  const nlohmann::json create{{"key", "half"}, {"version", "v"}};
  auto created = client.Post((k_twirp + "CreateCacheEntry").c_str(), create.dump(), "application/json");
  REQUIRE(created);
  REQUIRE(created->status == 200);
  const auto body = nlohmann::json::parse(created->body);
  CHECK(body["ok"] == true);
  const std::string url = body["signed_upload_url"];
  const std::string path = url.substr(url.find('/', std::string("http://").size()));

  httplib::Client blob(s.host.base_url(services::Reach::host).substr(0, s.host.base_url(services::Reach::host).size() - 1));
  auto block = blob.Put((path + "&comp=block&blockid=AAAA").c_str(), "first half", "application/octet-stream");
  REQUIRE(block);
  CHECK(block->status == 201);

  const nlohmann::json lookup{{"key", "half"}, {"restore_keys", nlohmann::json::array({"ha"})}, {"version", "v"}};
  auto looked = client.Post((k_twirp + "GetCacheEntryDownloadURL").c_str(), lookup.dump(), "application/json");
  REQUIRE(looked);
  CHECK(nlohmann::json::parse(looked->body)["ok"] == false);

  auto twice = client.Post((k_twirp + "CreateCacheEntry").c_str(), create.dump(), "application/json");
  REQUIRE(twice);
  CHECK(twice->status == 409);
  CHECK(nlohmann::json::parse(twice->body)["msg"] ==
        "another job is already uploading a cache entry with the same key, version, and scope");

  const nlohmann::json finalize{{"key", "half"}, {"version", "v"}, {"size_bytes", "999"}};
  auto finalized = client.Post((k_twirp + "FinalizeCacheEntryUpload").c_str(), finalize.dump(), "application/json");
  REQUIRE(finalized);
  CHECK(nlohmann::json::parse(finalized->body)["ok"] == false);
  CHECK(s.store.entries("octo/hello").empty());
}

TEST_CASE("the cache API wants the runtime token, the blobs a valid signature", "[cache]") {
  Service s;
  const std::string base = s.host.base_url(services::Reach::host);
  httplib::Client anonymous(base.substr(0, base.size() - 1));
  auto refused = anonymous.Post((k_twirp + "CreateCacheEntry").c_str(), "{}", "application/json");
  REQUIRE(refused);
  CHECK(refused->status == 401);
  auto unsigned_get = anonymous.Get("/_cache/entries/0123abcd");
  REQUIRE(unsigned_get);
  CHECK(unsigned_get->status == 403);
  auto v1 = anonymous.Get("/_apis/artifactcache/cache?keys=a&version=b");
  REQUIRE(v1);
  CHECK(v1->status == 401);
}

TEST_CASE("refused cache uploads are read to their end, so the connection serves the next request", "[cache]") {
  Service s;
  auto client = s.client();
  // The same keep-alive connection: a body left unread would be taken for the next request.
  client.set_keep_alive(true);
  const nlohmann::json create{{"key", "streamed"}, {"version", "v"}};
  auto created = client.Post((k_twirp + "CreateCacheEntry").c_str(), create.dump(), "application/json");
  REQUIRE(created);
  const std::string url = nlohmann::json::parse(created->body)["signed_upload_url"];
  const std::string path = url.substr(url.find('/', std::string("http://").size()));
  const std::string body(1'000'000, 'x');

  auto unknown_comp = client.Put((path + "&comp=nonsense").c_str(), body, "application/octet-stream");
  REQUIRE(unknown_comp);
  CHECK(unknown_comp->status == 400);
  httplib::Headers range{{"Content-Range", "bytes 0-999999/*"}};
  auto unknown_id = client.Patch("/_apis/artifactcache/caches/999", range, body, "application/octet-stream");
  REQUIRE(unknown_id);
  CHECK(unknown_id->status == 404);
  auto block = client.Put((path + "&comp=block&blockid=AAAA").c_str(), body, "application/octet-stream");
  REQUIRE(block);
  CHECK(block->status == 201);
  auto listed = client.Put((path + "&comp=blocklist").c_str(), "<BlockList><Latest>AAAA</Latest></BlockList>",
                           "application/xml");
  REQUIRE(listed);
  CHECK(listed->status == 201);
  const nlohmann::json finalize{{"key", "streamed"}, {"version", "v"}, {"size_bytes", "1000000"}};
  auto finalized = client.Post((k_twirp + "FinalizeCacheEntryUpload").c_str(), finalize.dump(), "application/json");
  REQUIRE(finalized);
  CHECK(nlohmann::json::parse(finalized->body)["ok"] == true);
  const auto entries = s.store.entries("octo/hello");
  REQUIRE(entries.size() == 1);
  CHECK(pipeline::test::read_file(s.store.archive("octo/hello", entries[0].id)) == body);
}

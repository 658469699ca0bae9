// A forge task's artifacts and caches: upload-artifact's client (@actions/artifact) reaches the
// forge's own artifact service (the stand-in's v4 API) with the task's runtime token, while
// @actions/cache saves to and restores from pipe's cache service on the runner machine, across
// tasks. The official libraries come from .ci/setup's npm installs; without them the test skips.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>

#include "forge_runner.hpp"
#include "support/npm_library.hpp"
#include "support/scoped_env.hpp"
#include "workflow/base/text_encoding.hpp"

using namespace forge_test;

using pipeline::Base64Padding;
using pipeline::base64url_encode;
using pipeline::test::ScopedEnv;

namespace {

/// A runtime token shaped as Gitea's: a JWT whose `scp` claim names the run and the job.
std::string forge_runtime_token() {
  const json claims{{"scp", "Actions.Results:77:88"}, {"exp", 4102444800}, {"TaskID", 5}};
  return base64url_encode(R"({"alg":"HS256","typ":"JWT"})", Base64Padding::without) + "." + base64url_encode(claims.dump(), Base64Padding::without) + ".c2lnbmF0dXJlLW9mLXRoZS1mb3JnZQ";
}

/// The folder .ci/setup installed `marker` under, or "" when it did not.
std::string npm_dir(const char* variable, const char* folder, const char* marker) {
  std::string why;
  return pipeline::test::npm_library(variable, folder, {marker}, folder, why);
}

}  // namespace

TEST_CASE("a task's artifacts go to the forge with the task's runtime token; its caches stay on the runner",
          "[forge][runner][artifacts]") {
  const std::string artifact_npm = npm_dir("PIPE_TEST_NPM", "npm-artifact", "node_modules/@actions/artifact/lib/artifact.js");
  const std::string cache_npm = npm_dir("PIPE_TEST_NPM_CACHE", "npm-cache", "node_modules/actions-cache-4/lib/cache.js");
  if (artifact_npm.empty() || cache_npm.empty()) {
    WARN("skipped: @actions/artifact or @actions/cache is not installed (.ci/setup installs them)");
    return;
  }
  ForgeStandin standin;
  Runner runner(standin);
  REQUIRE(runner.registered);
  const ScopedEnv npm_artifact("PIPE_TEST_NPM", artifact_npm);
  const ScopedEnv npm_cache("PIPE_TEST_NPM_CACHE", cache_npm);
  const ScopedEnv cache_home("XDG_CACHE_HOME", (runner.dir.path / "cache").string());
  const std::string fixtures = PIPE_FIXTURES_DIR;
  const std::string token = forge_runtime_token();
  const std::string prepare = "      - run: |\n          cp -r " + fixtures + "/artifacts/client ./client\n"
                              "          mkdir -p .github/actions && cp -r " + fixtures +
                              "/cache/.github/actions/cache-probe .github/actions/\n";
  auto first = task(61, prepare +
                            "          printf 'built on the runner\\n' > out.txt\n"
                            "      - uses: ./client\n        with: {mode: upload, name: from-task, files: out.txt}\n"
                            "      - uses: ./.github/actions/cache-probe\n"
                            "        with: {mode: save, path: out.txt, key: forge-cache-one}\n");
  first.context["gitea_runtime_token"] = token;
  auto second = task(62, prepare +
                             "      - uses: ./.github/actions/cache-probe\n"
                             "        with: {mode: restore, path: out.txt, key: forge-cache-one}\n"
                             "      - run: echo \"restored [$(cat out.txt)]\"\n");
  second.context["gitea_runtime_token"] = token;
  standin.enqueue(first);
  standin.enqueue(second);
  const auto r = runner.once();
  INFO(r.out + r.err);
  REQUIRE(standin.wait_finished(61, k_limit));
  REQUIRE(standin.wait_finished(62, k_limit));
  const std::string log = joined(standin.record(61).rows) + joined(standin.record(62).rows);
  INFO(log);
  CHECK(standin.result(61) == "RESULT_SUCCESS");
  CHECK(standin.result(62) == "RESULT_SUCCESS");

  const auto artifacts = standin.artifacts();
  REQUIRE(artifacts.size() == 1);
  CHECK(artifacts[0].name == "from-task");
  CHECK(artifacts[0].token == token);
  CHECK(artifacts[0].run_id == "77");
  CHECK(artifacts[0].job_id == "88");
  CHECK(artifacts[0].finalized);
  CHECK(artifacts[0].size == static_cast<std::int64_t>(artifacts[0].content.size()));
  CHECK(artifacts[0].content.rfind("PK", 0) == 0);  // the zip upload-artifact makes
  CHECK(log.find("uploaded from-task id=1") != std::string::npos);

  CHECK(log.find("probe save forge-cache-one: saved=[true]") != std::string::npos);
  CHECK(log.find("probe restore forge-cache-one: matched=[forge-cache-one]") != std::string::npos);
  CHECK(log.find("restored [built on the runner]") != std::string::npos);
  CHECK(fs::exists(runner.dir.path / "cache" / "pipe" / "actions-cache"));
  CHECK(log.find(token) == std::string::npos);
}

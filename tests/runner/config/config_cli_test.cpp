// `pipe config` through the real binary: each setting with the origin that won.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/run_process.hpp"
#include "support/vault_stub.hpp"

namespace fs = std::filesystem;

TEST_CASE("pipe config shows flag > environment > repository > user > default", "[config]") {
  const fs::path root = pipeline::test::make_temp_dir("config-cli");
  fs::create_directories(root / "xdg/pipe");
  fs::create_directories(root / "repo");
  std::ofstream(root / "xdg/pipe/config.yml") << "backend: docker\nparallel: 2\nactions-url: https://user\n"
                                                 "vault:\n  namespace: user-ns\n";
  std::ofstream(root / "repo/.pipe.yml") << "platforms:\n  ubuntu-latest: host\nactions-url: https://repo\n";
  ::setenv("XDG_CONFIG_HOME", (root / "xdg").c_str(), 1);
  ::setenv("VAULT_NAMESPACE", "env-ns", 1);
  const auto result = pipeline::test::run_process(
      {PIPE_EXE, "config", "-C", (root / "repo").string(), "--backend", "host", "-P", "self=img:1"});
  ::unsetenv("VAULT_NAMESPACE");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const std::string repo_file = (root / "repo/.pipe.yml").string();
  const std::string user_file = (root / "xdg/pipe/config.yml").string();
  CHECK_THAT(result.out, Catch::Contains("backend = host  (flag)\n"));
  CHECK_THAT(result.out, Catch::Contains("parallel = 2  (" + user_file + ":2)\n"));
  CHECK_THAT(result.out, Catch::Contains("actions-url = https://repo  (" + repo_file + ":3)\n"));
  CHECK_THAT(result.out, Catch::Contains("vault.namespace = env-ns  (environment)\n"));
  CHECK_THAT(result.out, Catch::Contains("vault.auth.method = token  (default)\n"));
  CHECK_THAT(result.out, Catch::Contains("platforms.self = img:1  (flag)\n"));
  CHECK_THAT(result.out, Catch::Contains("platforms.ubuntu-latest = host  (" + repo_file + ":2)\n"));
  CHECK(result.out.find("platforms.self") < result.out.find("platforms.ubuntu-latest"));

  std::ofstream(root / "repo/.pipe.yml") << "vault:\n  adress: x\n";
  const auto bad = pipeline::test::run_process({PIPE_EXE, "config", "-C", (root / "repo").string()});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains(repo_file + ":2:3: error: unknown setting 'vault.adress'") &&
                          Catch::Contains("did you mean 'address'?"));
}

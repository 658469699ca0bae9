// End to end: `pipe run --backend host` with a secret from Vault (the stand-in), then a search
// of everything pipe left in the repository and its run records for the secret's value.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/vault_stub.hpp"

namespace fs = std::filesystem;

namespace {

using pipeline::test::files_containing;
using pipeline::test::read_file;
using pipeline::test::write_file;

}  // namespace

TEST_CASE("pipe run takes a Vault secret from the config and never writes it", "[vault][e2e]") {
  const std::string secret = "vault-e2e-s3cr3t-value";
  const std::string second_line = "second-line-of-key";
  pipeline::test::VaultStub stub;
  stub.add_token("e2e-token-0000");
  stub.add_mount("secret", 2);
  stub.put("secret", "ci/app", {{"token", secret}, {"key", "first-line-of-key\n" + second_line}});
  const fs::path root = pipeline::test::make_temp_dir("vault-e2e");
  const fs::path repo = root / "repo";
  write_file(repo / ".pipe.yml", "platforms:\n  ubuntu-latest: host\nvault:\n  address: " + stub.address() +
                                "\n  secrets: |\n    secret/data/ci/app token | APP_TOKEN ;\n"
                                "    secret/ci/app key | KEY\n");
  write_file(repo / ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo \"token is $APP_TOKEN\"; echo \"$APP_TOKEN\" > token-copy.txt; rm token-copy.txt\n"
        "        env:\n          APP_TOKEN: ${{ secrets.APP_TOKEN }}\n"
        "      - run: printf 'key is %s\\n' \"$KEY\"\n"
        "        env:\n          KEY: ${{ secrets.KEY }}\n");
  ::setenv("XDG_CONFIG_HOME", (root / "xdg").c_str(), 1);
  ::setenv("VAULT_TOKEN", "e2e-token-0000", 1);
  const auto result = pipeline::test::run_process({PIPE_EXE, "run", "--backend", "host", "-C", repo.string()});
  ::unsetenv("VAULT_TOKEN");
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("token is ***"));
  CHECK_THAT(result.out, Catch::Contains("***"));
  for (const auto& needle : {secret, second_line, std::string("first-line-of-key")}) {
    INFO(needle);
    CHECK(result.out.find(needle) == std::string::npos);
    CHECK(result.err.find(needle) == std::string::npos);
    CHECK(files_containing(repo, needle).empty());
  }
  CHECK(fs::exists(repo / ".pipe" / "runs"));
  CHECK(files_containing(repo, "e2e-token-0000").empty());

  const auto listed =
      pipeline::test::run_process({PIPE_EXE, "secrets", "list", "-C", repo.string(), "-s", "EXTRA=extra-value"});
  INFO(listed.err);
  ::setenv("VAULT_TOKEN", "e2e-token-0000", 1);
  const auto listed_ok =
      pipeline::test::run_process({PIPE_EXE, "secrets", "list", "-C", repo.string(), "-s", "EXTRA=extra-value"});
  ::unsetenv("VAULT_TOKEN");
  CHECK(listed.exit_code == 2);  // no token: Vault is configured, so listing needs it
  REQUIRE(listed_ok.exit_code == 0);
  CHECK_THAT(listed_ok.out, Catch::Contains("APP_TOKEN") && Catch::Contains("vault secret/data/ci/app"));
  CHECK_THAT(listed_ok.out, Catch::Contains("KEY") && Catch::Contains("vault secret/ci/app"));
  CHECK_THAT(listed_ok.out, Catch::Contains("EXTRA") && Catch::Contains("command line"));
  CHECK(listed_ok.out.find(secret) == std::string::npos);
  CHECK(listed_ok.out.find("extra-value") == std::string::npos);
}

TEST_CASE("the --log-level debug trace names Vault requests but never the token or the values", "[vault][e2e][trace]") {
  const std::string secret = "vault-trace-s3cr3t-value";
  const std::string token = "trace-token-2222";
  pipeline::test::VaultStub stub;
  stub.add_token(token);
  stub.add_mount("secret", 2);
  stub.put("secret", "ci/app", {{"token", secret}});
  const fs::path root = pipeline::test::make_temp_dir("vault-trace");
  const fs::path repo = root / "repo";
  write_file(repo / ".pipe.yml", "platforms:\n  ubuntu-latest: host\nvault:\n  address: " + stub.address() +
                                "\n  secrets: secret/data/ci/app token | APP_TOKEN\n");
  write_file(repo / ".github/workflows/ci.yml",
             "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
             "      - run: echo \"token is $APP_TOKEN\"\n        env:\n          APP_TOKEN: ${{ secrets.APP_TOKEN }}\n");
  const fs::path log = root / "trace.log";
  ::setenv("XDG_CONFIG_HOME", (root / "xdg").c_str(), 1);
  ::setenv("VAULT_TOKEN", token.c_str(), 1);
  const auto result = pipeline::test::run_process(
      {PIPE_EXE, "run", "--backend", "host", "-C", repo.string(), "--log-level", "debug", "--log-file", log.string()});
  ::unsetenv("VAULT_TOKEN");
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const std::string trace = read_file(log);
  INFO(trace);
  CHECK_THAT(trace, Catch::Contains("vault GET /v1/secret/data/ci/app -> 200"));
  CHECK_THAT(trace, Catch::Contains("scheduler: build ready and started"));
  CHECK_THAT(trace, Catch::Contains("scheduler: build finished: success"));
  CHECK(trace.find(secret) == std::string::npos);
  CHECK(trace.find(token) == std::string::npos);
}

TEST_CASE("pipe run: a refused Vault read stops the run and names the path", "[vault][e2e]") {
  pipeline::test::VaultStub stub;
  stub.add_token("e2e-token-1111");
  stub.add_mount("secret", 2);
  stub.deny("secret/data/prod");
  const fs::path root = pipeline::test::make_temp_dir("vault-e2e-403");
  const fs::path repo = root / "repo";
  write_file(repo / ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo hi\n        env:\n          P: ${{ secrets.PASSWORD }}\n");
  ::setenv("XDG_CONFIG_HOME", (root / "xdg").c_str(), 1);
  ::setenv("VAULT_TOKEN", "e2e-token-1111", 1);
  ::setenv("VAULT_ADDR", stub.address().c_str(), 1);
  const auto result = pipeline::test::run_process({PIPE_EXE, "run", "--backend", "host", "-P", "ubuntu-latest=host",
                                                   "-C", repo.string(), "--vault-secret", "secret/prod/db password"});
  ::unsetenv("VAULT_TOKEN");
  ::unsetenv("VAULT_ADDR");
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("'secret/prod/db'") && Catch::Contains("403"));
  CHECK(result.err.find("e2e-token-1111") == std::string::npos);
}

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "runner/config/config.hpp"
#include "runner/job/run_inputs.hpp"
#include "support/temp_dir.hpp"
#include "support/vault_stub.hpp"

using namespace pipeline::runner;
namespace fs = std::filesystem;

namespace {

config::EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("config: every key with its file:line origin", "[config]") {
  config::LoadedConfig loaded;
  config::parse_config_text(
      "platforms:\n  ubuntu-latest: host\n  big: node:20\nbackend: docker\nparallel: 3\n"
      "secret-files: [a.env, b.env]\nenv-files: one.env\n"
      "vault:\n  address: https://v:8200\n  skip-verify: true\n  auth:\n    method: approle\n    role-id-file: rid\n"
      "  secrets: |\n    secret/data/ci x | X\nhook:\n  jobs: [lint]\nactions-url: https://gh.example\n",
      "/r/.pipe.yml", loaded);
  REQUIRE(loaded.diagnostics.empty());
  const auto& cfg = loaded.config;
  const auto platforms = cfg.under("platforms");
  REQUIRE(platforms.size() == 2);
  CHECK(platforms[0]->key == "platforms.ubuntu-latest");
  CHECK(platforms[1]->values.front() == "node:20");
  CHECK(cfg.value("backend") == "docker");
  CHECK(cfg.find("backend")->origin == "/r/.pipe.yml:4");
  CHECK(cfg.list("secret-files") == std::vector<std::string>{"a.env", "b.env"});
  CHECK(cfg.list("env-files") == std::vector<std::string>{"one.env"});
  CHECK(cfg.value("vault.auth.method") == "approle");
  CHECK(cfg.path("vault.auth.role-id-file") == "/r/rid");
  CHECK(cfg.value("vault.secrets") == "secret/data/ci x | X\n");
  CHECK(cfg.list("hook.jobs") == std::vector<std::string>{"lint"});
  CHECK(cfg.value("actions-url") == "https://gh.example");
}

TEST_CASE("config: unknown keys and wrong shapes are diagnostics with file:line:col", "[config]") {
  config::LoadedConfig loaded;
  config::parse_config_text("backnd: host\nvault:\n  auth:\n    methd: jwt\nplatforms: [a]\nparallel: [1]\n",
                            "/r/.pipe.yml", loaded);
  REQUIRE(loaded.diagnostics.size() == 4);
  CHECK(loaded.diagnostics[0].where.line == 1);
  CHECK(loaded.diagnostics[0].where.column == 1);
  CHECK(loaded.diagnostics[0].hint == "did you mean 'backend'?");
  CHECK(loaded.diagnostics[1].where.line == 4);
  CHECK(loaded.diagnostics[1].where.column == 5);
  CHECK(loaded.diagnostics[1].hint == "did you mean 'method'?");
  const std::string text = loaded.format();
  CHECK_THAT(text, Catch::Contains("/r/.pipe.yml:4:5: error: unknown setting 'vault.auth.methd'"));
  CHECK_THAT(text, Catch::Contains("'platforms' must be a mapping"));
  CHECK_THAT(text, Catch::Contains("'parallel' must be a single value"));

  config::LoadedConfig broken;
  config::parse_config_text("a: [\n", "/r/.pipe.yml", broken);
  REQUIRE(broken.diagnostics.size() == 1);
  CHECK(broken.diagnostics[0].where.line >= 1);
}

TEST_CASE("config: the workflow loader's checks apply (duplicate keys and depth and size and UTF-8)", "[config]") {
  config::LoadedConfig duplicate;
  config::parse_config_text("backend: host\nparallel: 2\nbackend: docker\n", "/r/.pipe.yml", duplicate);
  REQUIRE(duplicate.diagnostics.size() == 1);
  CHECK_THAT(duplicate.format(), Catch::StartsWith("/r/.pipe.yml:3:1: error: key 'backend' is already defined"));

  config::LoadedConfig deep;
  config::parse_config_text("platforms: " + std::string(200, '[') + std::string(200, ']') + "\n", "/r/.pipe.yml", deep);
  REQUIRE_FALSE(deep.diagnostics.empty());
  CHECK_THAT(deep.format(), Catch::Contains("/r/.pipe.yml:1:"));
  CHECK_THAT(deep.format(), Catch::Contains("nest"));

  config::LoadedConfig big;
  config::parse_config_text("backend: host\n#" + std::string(6 * 1024 * 1024, 'x') + "\n", "/r/.pipe.yml", big);
  REQUIRE(big.diagnostics.size() == 1);
  CHECK_THAT(big.diagnostics[0].message, Catch::Contains("5 MiB"));
  CHECK(big.config.find("backend") == nullptr);

  config::LoadedConfig latin1;
  config::parse_config_text("backend: host\nhook:\n  workflow: caf\xe9.yml\n", "/r/.pipe.yml", latin1);
  REQUIRE(latin1.diagnostics.size() == 1);
  CHECK_THAT(latin1.format(), Catch::StartsWith("/r/.pipe.yml:3:"));
  CHECK_THAT(latin1.format(), Catch::Contains("not valid UTF-8"));
}

TEST_CASE("config: the repository overrides the user, the environment overrides both", "[config]") {
  const std::string root = pipeline::test::make_temp_dir("config");
  write(fs::path(root) / "xdg/pipe/config.yml",
        "backend: docker\nparallel: 2\nvault:\n  address: https://user:8200\n  namespace: user-ns\n");
  write(fs::path(root) / "repo/.pipe.yml", "backend: host\n");
  auto loaded = config::load_config(root + "/repo", env_of({{"XDG_CONFIG_HOME", root + "/xdg"},
                                                            {"VAULT_NAMESPACE", "env-ns"}}));
  REQUIRE(loaded.diagnostics.empty());
  CHECK(loaded.config.value("backend") == "host");
  CHECK(loaded.config.find("backend")->origin == root + "/repo/.pipe.yml:1");
  CHECK(loaded.config.value("parallel") == "2");
  CHECK(loaded.config.find("parallel")->origin == root + "/xdg/pipe/config.yml:2");
  CHECK(loaded.config.value("vault.namespace") == "env-ns");
  CHECK(loaded.config.find("vault.namespace")->origin == "environment");
  CHECK(config::user_config_path(env_of({{"HOME", "/h"}})) == "/h/.config/pipe/config.yml");
}

TEST_CASE("apply_config: flags win, config fills the rest", "[config]") {
  const std::string repo = pipeline::test::make_temp_dir("config-apply");
  write(fs::path(repo) / ".pipe.yml",
        "platforms:\n  ubuntu-latest: host\n  self: img:1\nbackend: host\nparallel: 4\nsecret-files: [s.env]\n"
        "vault:\n  address: http://127.0.0.1:1\n  secrets: a/b c\n");
  ::setenv("XDG_CONFIG_HOME", (repo + "/no-user-config").c_str(), 1);
  job::RunOptions given;
  given.platforms = {{"ubuntu-latest", "node:20"}};
  given.parallel = 1;
  given.vault_secrets = {"x/y z"};
  auto options = job::apply_config(given, repo);
  REQUIRE(options);
  REQUIRE(options->platforms.size() == 3);
  CHECK(options->platforms[0] == std::make_pair(std::string("ubuntu-latest"), std::string("node:20")));
  CHECK(options->platforms[1].second == "host");
  CHECK(options->backend == job::BackendChoice::host);
  CHECK(options->parallel == 1);
  CHECK(options->secret_files == std::vector<std::string>{repo + "/s.env"});
  CHECK(options->vault.address == "http://127.0.0.1:1");
  CHECK(options->vault_secrets == std::vector<std::string>{"a/b c", "x/y z"});

  write(fs::path(repo) / ".pipe.yml", "backend: hots\n");
  auto bad = job::apply_config(given, repo);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains(".pipe.yml:1") && Catch::Contains("hots"));
}

TEST_CASE("apply_config: strict comes from --strict or the config, and must be true or false", "[config]") {
  const std::string repo = pipeline::test::make_temp_dir("config-strict");
  ::setenv("XDG_CONFIG_HOME", (repo + "/no-user-config").c_str(), 1);
  job::RunOptions given;
  CHECK_FALSE(job::apply_config(given, repo)->strict);
  write(fs::path(repo) / ".pipe.yml", "strict: true\n");
  CHECK(job::apply_config(given, repo)->strict);
  write(fs::path(repo) / ".pipe.yml", "strict: false\n");
  given.strict = true;
  CHECK(job::apply_config(given, repo)->strict);
  write(fs::path(repo) / ".pipe.yml", "strict: yes please\n");
  auto bad = job::apply_config(given, repo);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == repo + "/.pipe.yml:1: strict 'yes please' is not true or false");
}

TEST_CASE("apply_config: the step agent is on unless --no-agent or `agent: false` turns it off", "[config]") {
  const std::string repo = pipeline::test::make_temp_dir("config-agent");
  ::setenv("XDG_CONFIG_HOME", (repo + "/no-user-config").c_str(), 1);
  job::RunOptions given;
  CHECK(job::apply_config(given, repo)->agent);
  write(fs::path(repo) / ".pipe.yml", "agent: false\n");
  CHECK_FALSE(job::apply_config(given, repo)->agent);
  write(fs::path(repo) / ".pipe.yml", "agent: true\n");
  given.agent = false;
  CHECK_FALSE(job::apply_config(given, repo)->agent);
  write(fs::path(repo) / ".pipe.yml", "agent: off\n");
  auto bad = job::apply_config(given, repo);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == repo + "/.pipe.yml:1: agent 'off' is not true or false");
}

TEST_CASE("apply_config: warm containers are on unless --no-warm or `warm: false`; a bad value is an error at it", "[config]") {
  const std::string repo = pipeline::test::make_temp_dir("config-warm");
  ::setenv("XDG_CONFIG_HOME", (repo + "/no-user-config").c_str(), 1);
  job::RunOptions given;
  CHECK(job::apply_config(given, repo)->warm);
  write(fs::path(repo) / ".pipe.yml", "warm: false\n");
  CHECK_FALSE(job::apply_config(given, repo)->warm);
  write(fs::path(repo) / ".pipe.yml", "warm: true\n");
  CHECK(job::apply_config(given, repo)->warm);
  given.warm = false;
  CHECK_FALSE(job::apply_config(given, repo)->warm);
  write(fs::path(repo) / ".pipe.yml", "parallel: 2\nwarm: maybe\n");
  auto bad = job::apply_config(given, repo);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == repo + "/.pipe.yml:2:7: error: 'warm' must be true or false, not 'maybe'\n"
                               "  warm: maybe\n"
                               "        ^");
}

TEST_CASE("collect_secrets: files < vault < GITHUB_TOKEN from env < -s", "[config][vault]") {
  pipeline::test::VaultStub stub;
  stub.add_token("tok-123456");
  stub.add_mount("secret", 2);
  stub.put("secret", "ci/app", {{"token", "from-vault-1"}, {"shared", "vault-shared"}, {"dbPass", "pw-12345"}});
  const std::string repo = pipeline::test::make_temp_dir("config-secrets");
  write(fs::path(repo) / ".secrets", "shared=file-shared\nONLY_FILE=file-only\nGITHUB_TOKEN=file-token\n");
  ::setenv("VAULT_TOKEN", "tok-123456", 1);
  ::setenv("GITHUB_TOKEN", "env-gh-token", 1);
  ::setenv("FROM_ENV_SECRET", "env-value", 1);
  job::RunOptions options;
  options.vault.address = stub.address();
  options.vault_secrets = {"secret/data/ci/app token | APP_TOKEN; secret/ci/app shared | shared", "secret/ci/app **"};
  options.github_token_from_env = true;
  options.secrets = {"APP_TOKEN=cli-wins", "FROM_ENV_SECRET"};
  auto secrets = job::collect_secrets(options, repo);
  ::unsetenv("VAULT_TOKEN");
  REQUIRE(secrets);
  std::map<std::string, std::pair<std::string, std::string>> by_name;
  for (const auto& s : *secrets) {
    by_name[s.name] = {s.value, s.origin};
  }
  CHECK(by_name["ONLY_FILE"].second == "file " + repo + "/.secrets");
  CHECK(by_name["shared"] == std::make_pair(std::string("vault-shared"), std::string("vault secret/ci/app")));
  CHECK(by_name["dbPass"].first == "pw-12345");
  CHECK(by_name["token"].first == "from-vault-1");
  CHECK(by_name["GITHUB_TOKEN"] == std::make_pair(std::string("env-gh-token"), std::string("environment (GITHUB_TOKEN)")));
  CHECK(by_name["APP_TOKEN"] == std::make_pair(std::string("cli-wins"), std::string("command line")));
  CHECK(by_name["FROM_ENV_SECRET"] == std::make_pair(std::string("env-value"), std::string("environment")));

  options.vault_secrets.clear();
  options.secrets = {"NO_SUCH_VARIABLE_FOR_PIPE"};
  auto missing = job::collect_secrets(options, repo);
  REQUIRE_FALSE(missing);  // stdin of the test is not a terminal: no prompt
  CHECK_THAT(missing.error().message, Catch::Contains("NO_SUCH_VARIABLE_FOR_PIPE"));
  ::unsetenv("GITHUB_TOKEN");

  ::setenv("VAULT_TOKEN", "tok-123456", 1);
  options.secrets.clear();
  options.github_token_from_env = false;
  options.vault_secrets = {"secret/ci/app *"};
  auto upper = job::collect_secrets(options, repo);
  options.vault_secrets = {"secret/data/ci/app * | MYAPP_; secret/ci/app ** | raw_"};
  auto prefixed = job::collect_secrets(options, repo);
  options.vault_secrets = {"secret/ci/app nokey"};
  auto no_key = job::collect_secrets(options, repo);
  ::unsetenv("VAULT_TOKEN");
  REQUIRE(upper);
  std::vector<std::string> names;
  for (const auto& s : *upper) {
    names.push_back(s.name);
  }
  CHECK(names == std::vector<std::string>{"shared", "ONLY_FILE", "GITHUB_TOKEN", "DBPASS", "SHARED", "TOKEN"});
  REQUIRE(prefixed);
  std::map<std::string, std::string> prefixed_values;
  for (const auto& s : *prefixed) {
    prefixed_values[s.name] = s.value;
  }
  CHECK(prefixed_values["MYAPP_DBPASS"] == "pw-12345");
  CHECK(prefixed_values["MYAPP_TOKEN"] == "from-vault-1");
  CHECK(prefixed_values["raw_dbPass"] == "pw-12345");
  CHECK(prefixed_values["raw_shared"] == "vault-shared");
  REQUIRE_FALSE(no_key);
  CHECK(no_key.error().message == "vault: 'secret/ci/app' has no key 'nokey'");
}

TEST_CASE("collect_secrets with SecretReach::local_only sends Vault nothing but checks its lines", "[config][vault]") {
  pipeline::test::VaultStub stub;
  stub.add_token("tok-123456");
  stub.add_mount("secret", 2);
  stub.put("secret", "ci/app", {{"token", "from-vault-1"}});
  const std::string repo = pipeline::test::make_temp_dir("config-local-only");
  write(fs::path(repo) / ".secrets", "ONLY_FILE=file-only\n");
  ::setenv("VAULT_TOKEN", "tok-123456", 1);
  job::RunOptions options;
  options.vault.address = stub.address();
  options.vault_secrets = {"secret/data/ci/app token | APP_TOKEN"};
  auto secrets = job::collect_secrets(options, repo, job::SecretReach::local_only);
  REQUIRE(secrets);
  REQUIRE(secrets->size() == 1);
  CHECK((*secrets)[0].name == "ONLY_FILE");
  CHECK(stub.requests().empty());

  options.vault_secrets = {"secret/data/ci/app token extra | APP_TOKEN"};
  auto typo = job::collect_secrets(options, repo, job::SecretReach::local_only);
  ::unsetenv("VAULT_TOKEN");
  REQUIRE_FALSE(typo);
  CHECK(stub.requests().empty());
}

TEST_CASE("collect_vars: --var-file, else .vars; later files win, --var wins over every file", "[config]") {
  pipeline::test::TempDir repo("config-vars");
  const std::string dir = repo.path.string();
  job::RunOptions options;
  auto none = job::collect_vars(options, dir);
  REQUIRE(none);
  CHECK(none->empty());

  write(repo.path / ".vars", "REGION=default-region\nONLY_DEFAULT=1\n");
  auto by_default = job::collect_vars(options, dir);
  REQUIRE(by_default);
  CHECK(*by_default == job::EnvList{{"REGION", "default-region"}, {"ONLY_DEFAULT", "1"}});

  write(repo.path / "a.vars", "REGION=from-a\nSIZE=small\n");
  write(repo.path / "b.vars", "SIZE=large\n");
  options.var_files = {"a.vars", (repo.path / "b.vars").string()};  // relative to the repository, or absolute
  options.vars = {"REGION=from-flag", "EXTRA=x=y"};
  auto given = job::collect_vars(options, dir);
  REQUIRE(given);
  CHECK(*given == job::EnvList{{"REGION", "from-flag"}, {"SIZE", "large"}, {"EXTRA", "x=y"}});  // .vars not read

  options.vars = {"=nothing"};
  auto bad = job::collect_vars(options, dir);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("--var"));

  options.vars.clear();
  options.var_files = {"missing.vars"};
  auto missing = job::collect_vars(options, dir);
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("missing.vars"));
}

TEST_CASE("collect_env_files: --env-file, else .env; a later file wins", "[config]") {
  pipeline::test::TempDir repo("config-env-files");
  const std::string dir = repo.path.string();
  job::RunOptions options;
  auto none = job::collect_env_files(options, dir);
  REQUIRE(none);
  CHECK(none->empty());

  write(repo.path / ".env", "export GREETING='hello $NOT_EXPANDED'\nPATH_PART=${GREETING:-x}/bin\n");
  auto by_default = job::collect_env_files(options, dir);
  REQUIRE(by_default);
  CHECK(*by_default == job::EnvList{{"GREETING", "hello $NOT_EXPANDED"}, {"PATH_PART", "hello $NOT_EXPANDED/bin"}});

  write(repo.path / "one.env", "A=1\nB=one\n");
  write(repo.path / "two.env", "B=two\n");
  options.env_files = {"one.env", "two.env"};
  auto given = job::collect_env_files(options, dir);
  REQUIRE(given);
  CHECK(*given == job::EnvList{{"A", "1"}, {"B", "two"}});  // .env not read

  write(repo.path / "broken.env", "OK=1\nnot a line\n");
  options.env_files = {"broken.env"};
  auto broken = job::collect_env_files(options, dir);
  REQUIRE_FALSE(broken);
  CHECK_THAT(broken.error().message, Catch::Contains("broken.env:2"));
}

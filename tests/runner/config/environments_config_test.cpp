// `environments:` in the config: any name, a fixed set of keys under it, errors with file:line:col.
#include <catch2/catch.hpp>

#include "runner/config/config.hpp"
#include "runner/job/environments.hpp"

using namespace pipeline::runner;

TEST_CASE("config: environments take any name and the keys of an environment", "[config][environments]") {
  config::LoadedConfig loaded;
  config::parse_config_text("environments:\n"
                            "  staging:\n"
                            "    secret-files: [s.env]\n"
                            "    var-files: v.env\n"
                            "    env-files: e.env\n"
                            "    vault:\n"
                            "      secrets: secret/data/staging key | KEY\n"
                            "  production:\n"
                            "    protected: false\n"
                            "  qa:\n"
                            "    protected: true\n",
                            "/r/.pipe.yml", loaded);
  REQUIRE(loaded.diagnostics.empty());
  const auto& cfg = loaded.config;
  CHECK(cfg.list("environments.staging.secret-files") == std::vector<std::string>{"s.env"});
  CHECK(cfg.find("environments.staging.secret-files")->origin == "/r/.pipe.yml:3");
  CHECK(cfg.value("environments.staging.vault.secrets") == "secret/data/staging key | KEY");
  CHECK(cfg.value("environments.production.protected") == "false");

  auto settings = job::environment_settings(cfg);
  REQUIRE(settings);
  CHECK(settings->at("staging").secret_files == std::vector<std::string>{"/r/s.env"});
  CHECK(settings->at("staging").env_files == std::vector<std::string>{"/r/e.env"});
  CHECK(settings->at("staging").vault_secrets == "secret/data/staging key | KEY");
  job::RunOptions options;
  options.environments = *settings;
  CHECK_FALSE(job::is_protected(options, "staging"));
  CHECK_FALSE(job::is_protected(options, "production"));  // the config says so
  CHECK(job::is_protected(options, "QA"));                // names are case-insensitive
  CHECK(job::is_protected(job::RunOptions{}, "Production"));  // protected unless the config says otherwise
}

TEST_CASE("config: a misspelt environment key is a diagnostic with did-you-mean", "[config][environments]") {
  config::LoadedConfig loaded;
  config::parse_config_text("environments:\n  staging:\n    secert-files: a\n    vault:\n      secret: x\n",
                            "/r/.pipe.yml", loaded);
  REQUIRE(loaded.diagnostics.size() == 2);
  const std::string text = loaded.format();
  CHECK_THAT(text, Catch::Contains("/r/.pipe.yml:3:5: error: unknown setting 'environments.staging.secert-files'"));
  CHECK(loaded.diagnostics[0].hint == "did you mean 'secret-files'?");
  CHECK_THAT(text, Catch::Contains("/r/.pipe.yml:5:7: error: unknown setting 'environments.staging.vault.secret'"));
  CHECK(loaded.diagnostics[1].hint == "did you mean 'secrets'?");
}

TEST_CASE("config: environments.<name>.protected must be true or false", "[config][environments]") {
  config::LoadedConfig loaded;
  config::parse_config_text("environments:\n  prod:\n    protected: maybe\n", "/r/.pipe.yml", loaded);
  REQUIRE(loaded.diagnostics.empty());
  auto settings = job::environment_settings(loaded.config);
  REQUIRE_FALSE(settings);
  CHECK(settings.error().message == "/r/.pipe.yml:3: environments.prod.protected 'maybe' is not true or false");
}

TEST_CASE("environment secrets win over the repository's, the command line over both", "[environments]") {
  using job::SecretEntry;
  const std::vector<SecretEntry> repository{{"A", "repo-a", "file .secrets"},
                                            {"B", "repo-b", "file .secrets"},
                                            {"C", "flag-c", "command line"}};
  const std::vector<SecretEntry> environment{{"a", "env-a", "environment staging: file .secrets.staging"},
                                             {"C", "env-c", "environment staging: file .secrets.staging"},
                                             {"D", "env-d", "environment staging: vault secret/data/x"}};
  const auto merged = job::layer_secrets(repository, environment);
  REQUIRE(merged.size() == 4);
  CHECK(merged[0].value == "env-a");
  CHECK(merged[0].origin == "environment staging: file .secrets.staging");
  CHECK(merged[1].value == "repo-b");
  CHECK(merged[2].value == "flag-c");
  CHECK(merged[3].value == "env-d");
}

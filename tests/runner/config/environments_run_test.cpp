// End to end: `pipe run --backend host` with deployment environments — scoped secrets and
// variables, protection (--approve, a terminal, none), environment.url in every report, and
// Vault read only for secrets some selected job can reference (against the Vault stand-in).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/vault_stub.hpp"

namespace fs = std::filesystem;

namespace {

using pipeline::test::files_containing;
using pipeline::test::read_file;
using pipeline::test::run_process;
using pipeline::test::write_file;

/// A repository whose workflow has a `test` job and a `deploy` job in `environment`.
fs::path make_repo(const std::string& tag, const std::string& environment) {
  const fs::path root = pipeline::test::make_temp_dir(tag);
  const fs::path repo = root / "repo";
  ::setenv("XDG_CONFIG_HOME", (root / "xdg").c_str(), 1);
  write_file(repo / ".github/workflows/ci.yml",
             "on: push\njobs:\n"
             "  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo testing\n"
             "  deploy:\n    runs-on: ubuntu-latest\n    environment: " + environment + "\n    steps:\n"
             "      - run: |\n"
             "          [ \"$A\" = env-a ] && echo A-from-environment\n"
             "          [ \"$A\" = repo-a ] && echo A-from-repository\n"
             "          [ \"$B\" = repo-b ] && echo B-from-repository\n"
             "          echo \"V=$V\"\n"
             "        env:\n          A: ${{ secrets.A }}\n          B: ${{ secrets.B }}\n          V: ${{ vars.V }}\n");
  write_file(repo / ".secrets", "A=repo-a\nB=repo-b\n");
  write_file(repo / ".vars", "V=repo-v\n");
  return repo;
}

/// `pipe run` in a session of its own: no controlling terminal to ask on.
pipeline::test::ProcessResult run_without_terminal(std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/setsid", PIPE_EXE});
  return run_process(args);
}

}  // namespace

TEST_CASE("environment secrets and vars win over the repository's", "[environments][e2e]") {
  const fs::path repo = make_repo("env-scoped", "staging");
  write_file(repo / ".secrets.staging", "A=env-a\n");
  write_file(repo / ".vars.staging", "V=env-v\n");
  const auto result = run_without_terminal({"run", "--backend", "host", "-P", "ubuntu-latest=host", "-C", repo.string()});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("A-from-environment") && Catch::Contains("B-from-repository"));
  CHECK_THAT(result.out, Catch::Contains("V=env-v"));
  CHECK(result.out.find("A-from-repository") == std::string::npos);
  CHECK(result.out.find("env-a") == std::string::npos);  // masked like every secret

  const auto listed = run_process({PIPE_EXE, "secrets", "list", "-C", repo.string(), "--environment", "staging"});
  INFO(listed.out << listed.err);
  REQUIRE(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains("A     environment staging: file " + (repo / ".secrets.staging").string()));
  CHECK_THAT(listed.out, Catch::Contains("B     file " + (repo / ".secrets").string()));
  CHECK(listed.out.find("env-a") == std::string::npos);
  CHECK(listed.out.find("repo-b") == std::string::npos);
}

TEST_CASE("the config's environments: files, env files and a later scope winning", "[environments][e2e]") {
  const fs::path repo = make_repo("env-config", "Staging");
  write_file(repo / "deploy/secrets.env", "A=env-a\n");
  write_file(repo / "deploy/vars.env", "V=config-v\n");
  write_file(repo / "deploy/env.env", "FROM_ENV_FILE=yes\n");
  write_file(repo / ".pipe.yml", "platforms:\n  ubuntu-latest: host\nenvironments:\n  staging:\n"
                                 "    secret-files: deploy/secrets.env\n    var-files: [deploy/vars.env]\n"
                                 "    env-files: deploy/env.env\n");
  const auto result = run_without_terminal({"run", "--backend", "host", "-C", repo.string(), "--var", "V=flag-v"});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("A-from-environment"));
  CHECK_THAT(result.out, Catch::Contains("V=flag-v"));  // the command line wins over every file
  const auto bad = run_process({PIPE_EXE, "secrets", "list", "-C", repo.string(), "--environment", "staging"});
  CHECK(bad.exit_code == 0);

  write_file(repo / ".pipe.yml", "environments:\n  staging:\n    secret-fils: x\n");
  const auto typo = run_without_terminal({"run", "--backend", "host", "-C", repo.string()});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Catch::Contains(".pipe.yml:3:5: error: unknown setting 'environments.staging.secret-fils'"));
  CHECK_THAT(typo.err, Catch::Contains("did you mean 'secret-files'?"));
}

TEST_CASE("a protected environment's job does not start without approval", "[environments][e2e]") {
  const fs::path repo = make_repo("env-protected", "production");
  write_file(repo / ".secrets.production", "A=env-a\n");
  const auto refused = run_without_terminal({"run", "--backend", "host", "-P", "ubuntu-latest=host", "-C", repo.string()});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 1);  // a rejected deployment fails its job, as on GitHub
  CHECK_THAT(refused.out, Catch::Contains("not started: environment 'production' is protected and there is no "
                                          "terminal to ask on; approve it with --approve production"));
  CHECK_THAT(refused.out, Catch::Contains("The deployment was rejected or didn't satisfy other protection rules."));
  CHECK(refused.out.find("A-from-environment") == std::string::npos);
  CHECK_THAT(refused.out, Catch::Contains("testing"));  // the other job ran

  const auto approved = run_without_terminal(
      {"run", "--backend", "host", "-P", "ubuntu-latest=host", "-C", repo.string(), "--approve", "production"});
  INFO(approved.out << approved.err);
  CHECK(approved.exit_code == 0);
  CHECK_THAT(approved.out, Catch::Contains("A-from-environment"));

  write_file(repo / ".pipe.yml", "environments:\n  production:\n    protected: false\n");
  const auto unprotected = run_without_terminal({"run", "--backend", "host", "-P", "ubuntu-latest=host", "-C", repo.string()});
  CHECK(unprotected.exit_code == 0);
}

TEST_CASE("a protected environment asks on the terminal", "[environments][e2e][tty]") {
  const fs::path repo = make_repo("env-tty", "qa");
  write_file(repo / ".pipe.yml", "platforms:\n  ubuntu-latest: host\nenvironments:\n  qa:\n    protected: true\n");
  const std::string command = "script -qec '" + std::string(PIPE_EXE) + " run --backend host -p 1 -C " +
                              repo.string() + "' /dev/null";
  const auto yes = run_process({"/bin/sh", "-c", command}, "", "y\n");
  INFO(yes.out << yes.err);
  CHECK_THAT(yes.out, Catch::Contains("job 'deploy' deploys to the protected environment 'qa'. Start it? [y/N]"));
  CHECK_THAT(yes.out, Catch::Contains("B-from-repository"));
  const auto no = run_process({"/bin/sh", "-c", command}, "", "n\n");
  INFO(no.out << no.err);
  CHECK_THAT(no.out, Catch::Contains("not started: the deployment to 'qa' was rejected"));
  CHECK(no.out.find("B-from-repository") == std::string::npos);
}

TEST_CASE("environment.url is evaluated after the job and shown in the summary, JSON and reports",
          "[environments][e2e]") {
  const fs::path root = pipeline::test::make_temp_dir("env-url");
  const fs::path repo = root / "repo";
  ::setenv("XDG_CONFIG_HOME", (root / "xdg").c_str(), 1);
  write_file(repo / ".github/workflows/ci.yml",
             "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
             "    environment:\n      name: review-${{ github.event_name }}\n      url: ${{ steps.d.outputs.url }}\n"
             "    steps:\n      - id: d\n        run: echo url=https://review.example/42 >> $GITHUB_OUTPUT\n");
  const auto text = run_without_terminal({"run", "--backend", "host", "-P", "ubuntu-latest=host", "-C", repo.string(),
                                          "--report", "json=" + (root / "r.json").string(), "--report",
                                          "junit=" + (root / "r.xml").string()});
  INFO(text.out << text.err);
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("review-push https://review.example/42"));
  const auto report = nlohmann::json::parse(read_file(root / "r.json"));
  CHECK(report["jobs"][0]["environment"] ==
        nlohmann::json({{"name", "review-push"}, {"url", "https://review.example/42"}}));
  CHECK_THAT(read_file(root / "r.xml"),
             Catch::Contains("<property name=\"environment_url\" value=\"https://review.example/42\"/>"));

  const auto json = run_without_terminal({"run", "--backend", "host", "-P", "ubuntu-latest=host", "-C", repo.string(), "--json"});
  bool seen = false;
  std::size_t start = 0;
  while (start < json.out.size()) {
    const auto end = json.out.find('\n', start);
    const auto event = nlohmann::json::parse(json.out.substr(start, end - start));
    if (event["type"] == "job_finished") {
      CHECK(event["environment"]["url"] == "https://review.example/42");
      seen = true;
    }
    start = end == std::string::npos ? json.out.size() : end + 1;
  }
  CHECK(seen);
}

TEST_CASE("Vault is asked only for secrets a selected job can read", "[environments][vault][e2e]") {
  pipeline::test::VaultStub stub;
  stub.add_token("lazy-token");
  stub.add_mount("secret", 2);
  stub.put("secret", "ci/app", {{"token", "app-token-value"}});
  stub.put("secret", "prod/deploy", {{"key", "deploy-key-value"}});
  stub.put("secret", "staging/db", {{"password", "staging-db-value"}});
  const fs::path root = pipeline::test::make_temp_dir("vault-lazy");
  const fs::path repo = root / "repo";
  ::setenv("XDG_CONFIG_HOME", (root / "xdg").c_str(), 1);
  write_file(repo / ".github/workflows/pr.yml",
             "on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
             "      - run: echo \"token $T\"\n        env:\n          T: ${{ secrets.APP_TOKEN }}\n");
  write_file(repo / ".github/workflows/deploy.yml",
             "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: staging\n    steps:\n"
             "      - run: echo \"key $K db $P\"\n        env:\n          K: ${{ secrets.DEPLOY_KEY }}\n"
             "          P: ${{ secrets.DB_PASSWORD }}\n");
  write_file(repo / ".pipe.yml", "platforms:\n  ubuntu-latest: host\nvault:\n  address: " + stub.address() +
                                     "\n  secrets: |\n    secret/data/ci/app token | APP_TOKEN ;\n"
                                     "    secret/data/prod/deploy key | DEPLOY_KEY\n"
                                     "environments:\n  staging:\n    vault:\n"
                                     "      secrets: secret/data/staging/db password | DB_PASSWORD\n");
  ::setenv("VAULT_TOKEN", "lazy-token", 1);
  const auto pr = run_without_terminal({"run", "--backend", "host", "-C", repo.string(), "-e", "pull_request"});
  INFO(pr.out << pr.err);
  REQUIRE(pr.exit_code == 0);
  CHECK_THAT(pr.out, Catch::Contains("token ***"));
  auto requests = stub.requests();
  const auto asked = [&](const std::string& path) {
    return std::any_of(requests.begin(), requests.end(), [&](const std::string& r) { return r.find(path) != std::string::npos; });
  };
  CHECK(asked("secret/data/ci/app"));
  CHECK_FALSE(asked("secret/data/prod/deploy"));
  CHECK_FALSE(asked("secret/data/staging/db"));

  const auto push = run_without_terminal({"run", "--backend", "host", "-C", repo.string()});
  ::unsetenv("VAULT_TOKEN");
  INFO(push.out << push.err);
  REQUIRE(push.exit_code == 0);
  CHECK_THAT(push.out, Catch::Contains("key *** db ***"));
  requests = stub.requests();
  CHECK(asked("secret/data/prod/deploy"));
  CHECK(asked("secret/data/staging/db"));
  for (const std::string value : {"app-token-value", "deploy-key-value", "staging-db-value"}) {
    CHECK(files_containing(repo, value).empty());
  }

  // The pull-request run needs no Vault at all once the only secret it reads comes from a file.
  write_file(repo / ".secrets", "APP_TOKEN=from-file\n");
  write_file(repo / ".pipe.yml", "platforms:\n  ubuntu-latest: host\nvault:\n  address: http://127.0.0.1:9\n"
                                 "  secrets: secret/data/prod/deploy key | DEPLOY_KEY\n");
  const auto offline = run_without_terminal({"run", "--backend", "host", "-C", repo.string(), "-e", "pull_request"});
  INFO(offline.out << offline.err);
  CHECK(offline.exit_code == 0);
  const auto needed = run_without_terminal({"run", "--backend", "host", "-C", repo.string()});
  CHECK(needed.exit_code == 2);  // the deploy job reads DEPLOY_KEY: Vault must answer
}

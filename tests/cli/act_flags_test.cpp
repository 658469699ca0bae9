// The flags act users type, with act's meanings, through the real binary on the host backend.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

using pipeline::test::run_process;
using pipeline::test::write_file;

namespace {

/// A git repository with one commit, remotes `origin` and `upstream`, and `workflow`, in `root`.
fs::path make_repo(const pipeline::test::TempDir& dir, const std::string& workflow) {
  const fs::path root = dir.path;
  const fs::path repo = root / "repo";
  ::setenv("XDG_CONFIG_HOME", (root / "xdg").c_str(), 1);
  write_file(repo / ".github/workflows/ci.yml", workflow);
  const std::string git = "cd '" + repo.string() + "' && git init -q -b main && git -c user.name=t -c user.email=t@e "
                          "commit -q --allow-empty -m one && git remote add origin https://github.com/me/fork.git && "
                          "git remote add upstream https://github.com/them/project.git";
  REQUIRE(std::system(git.c_str()) == 0);
  return repo;
}

const std::string k_context_workflow =
    "on: [push, workflow_dispatch, pull_request]\njobs:\n  show:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: |\n"
    "          echo \"actor=${{ github.actor }}\"\n"
    "          echo \"repository=${{ github.repository }}\"\n"
    "          echo \"default=${{ github.event.repository.default_branch }}\"\n"
    "          echo \"number=${{ github.event.number }}\"\n"
    "          echo \"input=${{ inputs.who }}/${{ inputs.where }}\"\n";

pipeline::test::ProcessResult pipe_run(const fs::path& repo, std::vector<std::string> args) {
  args.insert(args.begin(), {PIPE_EXE, "run", "--backend", "host", "-P", "ubuntu-latest=host", "-C", repo.string()});
  return run_process(args);
}

}  // namespace

TEST_CASE("pipe run -e FILE: an existing file is the event payload, with a notice", "[cli][act]") {
  const pipeline::test::TempDir dir("act-e");
  const fs::path repo = make_repo(dir, k_context_workflow);
  write_file(repo.parent_path() / "event.json", "{\"number\": 7}");
  const auto result = run_process({PIPE_EXE, "run", "--backend", "host", "-P", "ubuntu-latest=host", "-C",
                                    repo.string(), "-e", "event.json"},
                                   repo.parent_path().string());
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.err, Catch::Contains("pipe: note: '-e event.json' names a file: it is read as the event payload, "
                                         "as act does; pipe's -e names the event, --event-path FILE gives the payload"));
  CHECK_THAT(result.out, Catch::Contains("number=7"));
  const auto named = pipe_run(repo, {"-e", "pull_request"});  // an event name is still an event name
  CHECK(named.exit_code == 0);
  CHECK(named.err.find("note:") == std::string::npos);
  CHECK_THAT(named.out, Catch::Contains("number=1"));
}

TEST_CASE("pipe run --actor, --remote-name and --default-branch set the github context", "[cli][act]") {
  const pipeline::test::TempDir dir("act-repo");
  const fs::path repo = make_repo(dir, k_context_workflow);
  const auto plain = pipe_run(repo, {});
  INFO(plain.out << plain.err);
  CHECK_THAT(plain.out, Catch::Contains("repository=me/fork"));
  const auto result = pipe_run(repo, {"--actor", "octocat", "--remote-name", "upstream", "--default-branch", "trunk"});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("actor=octocat"));
  CHECK_THAT(result.out, Catch::Contains("repository=them/project"));
  CHECK_THAT(result.out, Catch::Contains("default=trunk"));
}

TEST_CASE("pipe run --input-file reads dotenv inputs; --input wins; .input is the default", "[cli][act]") {
  const pipeline::test::TempDir dir("act-input");
  const fs::path repo = make_repo(dir, k_context_workflow);
  write_file(repo / "inputs.env", "who=file-who\nwhere=file-where\n");
  const auto result = pipe_run(repo, {"-e", "workflow_dispatch", "--input-file", (repo / "inputs.env").string(),
                                      "--input", "where=flag-where"});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("input=file-who/flag-where"));
  write_file(repo / ".input", "who=default-file\n");
  const auto by_default = pipe_run(repo, {"-e", "workflow_dispatch"});
  CHECK_THAT(by_default.out, Catch::Contains("input=default-file/"));
  const auto missing = pipe_run(repo, {"--input-file", "/nonexistent/inputs.env"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("--input-file /nonexistent/inputs.env"));
}

TEST_CASE("pipe run -q hides step output and keeps results", "[cli][act]") {
  const pipeline::test::TempDir dir("act-quiet");
  const fs::path repo = make_repo(dir, k_context_workflow);
  const auto result = pipe_run(repo, {"-q"});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("| actor=") == std::string::npos);  // the step's lines (its name still shows)
  CHECK_THAT(result.out, Catch::Contains("show") && Catch::Contains("success"));
}

TEST_CASE("a step failing for want of a GitHub token earns a hint, unless one was given", "[cli][act]") {
  const pipeline::test::TempDir dir("act-token");
  const fs::path repo = make_repo(
      dir, "on: push\njobs:\n  api:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: |\n          echo '::error::Input required and not supplied: github-token'\n"
                   "          exit 1\n"
                   "  other:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo 'Bad credentials'\n");
  const std::string hint = "pipe: hint: a step failed for want of a GitHub token; give one with -s GITHUB_TOKEN=... "
                           "or --github-token-from-env";
  const auto result = pipe_run(repo, {});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains(hint));
  const auto with_token = pipe_run(repo, {"-s", "GITHUB_TOKEN=abc"});
  CHECK(with_token.exit_code == 1);
  CHECK(with_token.err.find("hint:") == std::string::npos);

  write_file(repo / ".github/workflows/ci.yml", "on: push\njobs:\n  ok:\n    runs-on: ubuntu-latest\n    steps:\n"
                                                "      - run: echo 'Bad credentials'\n      - run: exit 1\n");
  const auto unrelated = pipe_run(repo, {});  // the message and the failure are different steps
  CHECK(unrelated.exit_code == 1);
  CHECK(unrelated.err.find("hint:") == std::string::npos);
}

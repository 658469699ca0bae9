// `pipe run --dry-run` has no side effects: no Vault request, no prompt, no run record.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "support/run_process.hpp"
#include "support/scoped_env.hpp"

namespace fs = std::filesystem;
using pipeline::test::run_process;

using pipeline::test::ScopedEnv;

namespace {

/// A scratch repository with one workflow, removed when the test ends.
class DryRunRepo {
public:
  explicit DryRunRepo(const std::string& name)
      : m_root(fs::temp_directory_path() / ("pipe-dry-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(m_root);
    fs::create_directories(m_root / ".github" / "workflows");
    write(".github/workflows/ci.yml",
          "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.APP }}\n");
  }
  ~DryRunRepo() { fs::remove_all(m_root); }
  DryRunRepo(const DryRunRepo&) = delete;
  DryRunRepo& operator=(const DryRunRepo&) = delete;

  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((m_root / relative).parent_path());
    std::ofstream(m_root / relative) << text;
  }
  [[nodiscard]] std::string path() const { return m_root.string(); }

private:
  fs::path m_root;
};

// Port 1 on loopback is closed on any test machine: a request would be refused (or, behind a
// filtering firewall, hang) — either way a dry run must not notice.
const char* const k_vault_config =
    "vault:\n  address: http://127.0.0.1:1\n  secrets: |\n    secret/data/ci/app token | APP ;\n";

}  // namespace

TEST_CASE("a dry run does not contact Vault but still checks its lines", "[cli][dry-run]") {
  DryRunRepo repo("vault");
  repo.write(".pipe.yml", k_vault_config);
  ScopedEnv token("VAULT_TOKEN", "dry-run-token");
  const auto result = run_process({PIPE_EXE, "run", "-n", "--backend", "host"}, repo.path());
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("build"));
  CHECK_THAT(result.err, !Catch::Contains("vault"));

  // The real run does try, and fails on the closed port: the dry run skipped a real request.
  const auto real = run_process({PIPE_EXE, "run", "--backend", "host"}, repo.path());
  CHECK(real.exit_code == 2);
  CHECK_THAT(real.err, Catch::Contains("vault"));

  repo.write(".pipe.yml", "vault:\n  address: http://127.0.0.1:1\n  secrets: secret/data/ci/app token extra | APP\n");
  const auto typo = run_process({PIPE_EXE, "run", "-n", "--backend", "host"}, repo.path());
  INFO(typo.out + typo.err);
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Catch::Contains("secret/data/ci/app"));
}

TEST_CASE("a dry run leaves .pipe/runs alone", "[cli][dry-run]") {
  DryRunRepo repo("record");
  const auto first = run_process({PIPE_EXE, "run", "-n", "--backend", "host"}, repo.path());
  INFO(first.out + first.err);
  CHECK(first.exit_code == 0);
  CHECK_FALSE(fs::exists(fs::path(repo.path()) / ".pipe"));

  // With earlier runs recorded, the dry run adds none and leaves `latest` where it was.
  const auto real = run_process({PIPE_EXE, "run", "--backend", "host"}, repo.path());
  REQUIRE(real.exit_code == 0);
  const fs::path runs = fs::path(repo.path()) / ".pipe" / "runs";
  auto entries = [&runs] {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(runs)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  const auto before = entries();
  const auto latest = fs::read_symlink(runs / "latest");
  const auto again = run_process({PIPE_EXE, "run", "--dry-run", "--backend", "host"}, repo.path());
  CHECK(again.exit_code == 0);
  CHECK(entries() == before);
  CHECK(fs::read_symlink(runs / "latest") == latest);
}

TEST_CASE("a dry run does not ask for a secret on the terminal", "[cli][dry-run]") {
  DryRunRepo repo("prompt");
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  REQUIRE(master >= 0);
  REQUIRE(::grantpt(master) == 0);
  REQUIRE(::unlockpt(master) == 0);
  const std::string slave_name = ::ptsname(master);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    const int slave = ::open(slave_name.c_str(), O_RDWR);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(slave, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    if (::chdir(repo.path().c_str()) != 0) {
      _exit(127);
    }
    ::execl(PIPE_EXE, PIPE_EXE, "run", "-n", "--backend", "host", "-s", "PIPE_DRY_RUN_UNSET_SECRET",
            static_cast<char*>(nullptr));
    _exit(127);
  }
  // The child's terminal never gets a line: a prompt would wait for it until the deadline.
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 100 && done == 0; ++i) {
    done = ::waitpid(pid, &status, WNOHANG);
    if (done == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::close(master);
  REQUIRE(done == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a dry run plans '$/' actions and reusable workflows without a checkout", "[cli][dry-run]") {
  const fs::path root = fs::temp_directory_path() / ("pipe-dry-self-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::copy(fs::path(PIPE_FIXTURES_DIR) / "workflows" / "self-reference", root, fs::copy_options::recursive);
  const auto result = run_process({PIPE_EXE, "run", "-n", "workflow.yml"}, root.string());
  fs::remove_all(root);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("call / greet"));
  CHECK_THAT(result.out, !Catch::Contains("not fetched"));
}

TEST_CASE("a dry run plans the constructs of public projects' workflows", "[cli][dry-run]") {
  DryRunRepo repo("public");
  std::ifstream in(fs::path(PIPE_FIXTURES_DIR) / "valid" / "public-constructs.yml");
  repo.write("public.yml", std::string(std::istreambuf_iterator<char>(in), {}));
  const auto result = run_process({PIPE_EXE, "run", "-n", "-e", "workflow_dispatch", "public.yml"}, repo.path());
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("test      <- info"));
  CHECK_THAT(result.out, Catch::Contains("self-docs (calls $/.github/workflows/docs.yaml)"));
}

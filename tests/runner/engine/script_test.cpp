// `run:` scripts on the host backend with real shells.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "runner/backend/host_backend.hpp"
#include "runner/engine/script.hpp"

using namespace pipeline::runner;
using namespace pipeline::runner::engine;
namespace fs = std::filesystem;

namespace {

class Collect final : public OutputSink {
public:
  void write(Stream stream, std::string_view bytes) override { (stream == Stream::out ? out : err).append(bytes); }
  std::string out;
  std::string err;
};

struct Job {
  Job() {
    auto prepared = backend.prepare_job(JobSpec{.run_id = "script-test", .job_id = "j", .workspace = "/tmp"});
    REQUIRE(prepared.ok());
    env = *prepared;
  }
  ~Job() { backend.teardown(env); }
  HostBackend backend;
  JobEnv env;
};

const std::vector<std::pair<std::string, std::string>> k_env{{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"GREETING", "hi"}};

}  // namespace

TEST_CASE("a script runs with the default shell and the step's env", "[script]") {
  Job job;
  Collect sink;
  auto status = run_script(job.backend, job.env, ScriptStep{"", "echo $GREETING\necho $0 >&2\n", k_env}, sink);
  REQUIRE(status.ok());
  CHECK(status->code == 0);
  CHECK(sink.out == "hi\n");
  CHECK(sink.err.rfind(job.env.temp_dir + "/", 0) == 0);
  CHECK(std::regex_search(sink.err, std::regex("/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.sh\n$")));
}

TEST_CASE("the default shell stops at the first failing command", "[script]") {
  Job job;
  Collect sink;
  auto status = run_script(job.backend, job.env, ScriptStep{"", "echo one\nfalse\necho two\n", k_env}, sink);
  REQUIRE(status.ok());
  CHECK(status->code == 1);
  CHECK(sink.out == "one\n");
  CHECK(process_exit_message(status->code) == "Process completed with exit code 1.");
}

TEST_CASE("shell: bash has pipefail, the default does not", "[script]") {
  if (!host_has_bash()) {
    WARN("bash is not installed: skipped");
    return;
  }
  Job job;
  Collect sink;
  auto with_bash = run_script(job.backend, job.env, ScriptStep{"bash", "false | true\n", k_env}, sink);
  REQUIRE(with_bash.ok());
  CHECK(with_bash->code == 1);
  auto by_default = run_script(job.backend, job.env, ScriptStep{"", "false | true\n", k_env}, sink);
  REQUIRE(by_default.ok());
  CHECK(by_default->code == 0);
}

TEST_CASE("a custom shell gets the script path for {0}", "[script]") {
  Job job;
  Collect sink;
  auto status = run_script(job.backend, job.env, ScriptStep{"cat {0}", "not run, printed\n", k_env}, sink);
  REQUIRE(status.ok());
  CHECK(sink.out == "not run, printed\n");
}

TEST_CASE("an invalid shell is an error before anything runs", "[script]") {
  Job job;
  Collect sink;
  auto status = run_script(job.backend, job.env, ScriptStep{"zsh", "echo hi", k_env}, sink);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.rfind("Invalid shell option.", 0) == 0);
  CHECK(fs::is_empty(job.env.temp_dir));
}

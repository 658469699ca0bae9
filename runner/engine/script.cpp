#include "runner/engine/script.hpp"

#include <array>
#include <cstdio>
#include <random>

#include "runner/engine/shell.hpp"

namespace pipeline::runner::engine {

std::string process_exit_message(int code) {
  return "Process completed with exit code " + std::to_string(code) + ".";
}

std::string random_script_name() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::uint64_t high = engine();
  std::uint64_t low = engine();
  high = (high & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;   // RFC 4122 variant
  std::array<char, 40> text{};
  std::snprintf(text.data(), text.size(), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(high >> 32), static_cast<unsigned long long>((high >> 16) & 0xFFFF),
                static_cast<unsigned long long>(high & 0xFFFF), static_cast<unsigned long long>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text.data();
}

Result<ExitStatus> run_script(Backend& backend, const JobEnv& job, const ScriptStep& step, OutputSink& sink) {
  auto placement = job.in_container ? ShellPlacement::container : ShellPlacement::host;
  auto bash = job.has_bash ? BashAvailability::present : BashAvailability::absent;
  auto shell = resolve_shell(step.shell, placement, bash);
  if (!shell) {
    return shell.error();
  }
  std::string path = job.temp_dir + "/" + random_script_name() + shell->extension;
  if (auto written = backend.write_file(job, path, script_text(*shell, step.script), 0755); !written) {
    return written.error();
  }
  ExecSpec exec{shell_argv(*shell, path), step.env, step.cwd, step.timeout, step.cancel};
  auto status = backend.exec(job, exec, sink);
  // Like GitHub, the script stays in RUNNER_TEMP (useful when debugging); teardown removes it.
  return status;
}

}  // namespace pipeline::runner::engine

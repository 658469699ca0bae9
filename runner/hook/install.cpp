#include "runner/hook/install.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

#include "actions/libgit/libgit.hpp"

namespace pipeline::runner::hook {
namespace {

namespace libgit = actions::libgit;

namespace fs = std::filesystem;

// Marks pipe's own script, so it is never chained to itself and uninstall knows it.
constexpr std::string_view k_marker = "# pipe-hook:";
constexpr std::string_view k_chained_suffix = ".pipe-chained";

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : std::string(sep)) + item;
  }
  return out;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_pipe_hook(const fs::path& path) { return read_text(path).find(k_marker) != std::string::npos; }

// The value after `<marker> key=` on the marker line, e.g. the jobs an installed hook runs.
std::string marker_value(const std::string& script, std::string_view key) {
  const auto line_start = script.find(k_marker);
  if (line_start == std::string::npos) {
    return {};
  }
  const std::string line = script.substr(line_start, script.find('\n', line_start) - line_start);
  const std::string needle = " " + std::string(key) + "=";
  const auto at = line.find(needle);
  if (at == std::string::npos) {
    return {};
  }
  const auto start = at + needle.size();
  return line.substr(start, line.find(' ', start) - start);
}

// pre-push hooks read their refs from stdin: both the chained hook and pipe need a copy.
std::string chain_block(Stage stage) {
  const std::string chained = "\"$hook_dir/" + std::string(to_string(stage)) + std::string(k_chained_suffix) + "\"";
  if (stage == Stage::pre_push) {
    return "stdin_file=$(mktemp) || exit 1\n"
           "trap 'rm -f \"$stdin_file\"' EXIT\n"
           "cat > \"$stdin_file\"\n"
           "if [ -x " + chained + " ]; then\n"
           "  " + chained + " \"$@\" < \"$stdin_file\" || exit $?\n"
           "fi\n";
  }
  return "if [ -x " + chained + " ]; then\n  " + chained + " \"$@\" || exit $?\nfi\n";
}

// Run records go to `.pipe/` in the work tree; a hook must not leave it showing as untracked.
void exclude_run_records(const fs::path& dir) {
  auto repo = libgit::open(dir);
  if (!repo) {
    return;
  }
  const fs::path exclude = fs::path(git_repository_commondir(repo->get())) / "info" / "exclude";
  const std::string text = read_text(exclude);
  if (text.find("/.pipe/") != std::string::npos) {
    return;
  }
  std::error_code ec;
  fs::create_directories(exclude.parent_path(), ec);
  std::ofstream(exclude, std::ios::app) << (text.empty() || text.back() == '\n' ? "" : "\n") << "/.pipe/\n";
}

}  // namespace

std::string_view to_string(Stage stage) { return stage == Stage::pre_push ? "pre-push" : "pre-commit"; }

std::optional<Stage> parse_stage(std::string_view text) {
  if (text == "pre-commit") {
    return Stage::pre_commit;
  }
  if (text == "pre-push") {
    return Stage::pre_push;
  }
  return std::nullopt;
}

Result<fs::path> hooks_directory(const fs::path& dir) {
  auto repo = libgit::open(dir);
  if (!repo) {
    return repo.error();
  }
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo->get()) < 0) {
    return libgit::failure("cannot read the git config");
  }
  libgit::Config config{raw};
  git_buf value = GIT_BUF_INIT;
  if (git_config_get_path(&value, raw, "core.hooksPath") == 0) {
    fs::path hooks(value.ptr);
    git_buf_dispose(&value);
    const char* workdir = git_repository_workdir(repo->get());
    if (hooks.is_relative() && workdir != nullptr) {
      hooks = fs::path(workdir) / hooks;
    }
    return hooks.lexically_normal();
  }
  return (fs::path(git_repository_commondir(repo->get())) / "hooks").lexically_normal();
}

std::string hook_script(const std::string& pipe_exe, const HookSettings& settings) {
  std::string command = shell_quote(pipe_exe) + " hook run --stage " + std::string(to_string(settings.stage));
  if (!settings.jobs.empty()) {
    command += " --jobs " + shell_quote(join(settings.jobs, ","));
  }
  if (!settings.workflow.empty()) {
    command += " --workflow " + shell_quote(settings.workflow);
  }
  if (!settings.backend.empty()) {
    command += " --backend " + shell_quote(settings.backend);
  }
  if (settings.warm) {
    command += *settings.warm ? " --warm" : " --no-warm";
  }
  if (settings.warm_idle > 0) {
    command += " --warm-idle " + std::to_string(settings.warm_idle);
  }
  if (settings.stage == Stage::pre_push) {
    command += " < \"$stdin_file\"";
  }
  return "#!/bin/sh\n" + std::string(k_marker) + " stage=" + std::string(to_string(settings.stage)) +
         " jobs=" + (settings.jobs.empty() ? std::string("(config)") : join(settings.jobs, ",")) +
         " workflow=" + (settings.workflow.empty() ? std::string("(default)") : settings.workflow) +
         (settings.backend.empty() ? std::string() : " backend=" + settings.backend) +
         (settings.warm ? (*settings.warm ? " warm=yes" : " warm=no") : "") +
         "\n# Installed by `pipe hook install`; `pipe hook uninstall` puts back any hook it chained.\n"
         "# PIPE_SKIP=1 or `git commit --no-verify` skips it.\n"
         "hook_dir=$(dirname \"$0\")\n" +
         chain_block(settings.stage) + command + "\n";
}

Result<std::string> install_hook(const fs::path& dir, const std::string& pipe_exe, const HookSettings& settings) {
  auto hooks = hooks_directory(dir);
  if (!hooks) {
    return hooks.error();
  }
  std::error_code ec;
  fs::create_directories(*hooks, ec);
  const fs::path hook = *hooks / std::string(to_string(settings.stage));
  const fs::path chained = hook.string() + std::string(k_chained_suffix);
  std::string said = "installed " + hook.string();
  if (fs::exists(hook, ec) && !is_pipe_hook(hook)) {
    if (fs::exists(chained, ec)) {
      return Error{hook.string() + " is not pipe's, and " + chained.string() + " already exists: move one of them"};
    }
    fs::rename(hook, chained, ec);
    if (ec) {
      return Error{"cannot rename " + hook.string() + ": " + ec.message()};
    }
    said += " (the existing hook now runs first, as " + chained.filename().string() + ")";
  }
  std::ofstream(hook, std::ios::binary | std::ios::trunc) << hook_script(pipe_exe, settings);
  exclude_run_records(dir);
  fs::permissions(hook, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec, ec);
  if (ec) {
    return Error{"cannot make " + hook.string() + " executable: " + ec.message()};
  }
  return said;
}

Result<std::string> uninstall_hook(const fs::path& dir, Stage stage) {
  auto hooks = hooks_directory(dir);
  if (!hooks) {
    return hooks.error();
  }
  const fs::path hook = *hooks / std::string(to_string(stage));
  const fs::path chained = hook.string() + std::string(k_chained_suffix);
  std::error_code ec;
  if (!fs::exists(hook, ec) || !is_pipe_hook(hook)) {
    return "pipe's " + std::string(to_string(stage)) + " hook is not installed";
  }
  fs::remove(hook, ec);
  if (fs::exists(chained, ec)) {
    fs::rename(chained, hook, ec);
    if (ec) {
      return Error{"cannot restore " + hook.string() + ": " + ec.message()};
    }
    return "removed pipe's hook and restored the previous " + hook.string();
  }
  return "removed " + hook.string();
}

Result<std::string> hook_status(const fs::path& dir) {
  auto hooks = hooks_directory(dir);
  if (!hooks) {
    return hooks.error();
  }
  std::string out = "hooks directory: " + hooks->string() + "\n";
  for (Stage stage : {Stage::pre_commit, Stage::pre_push}) {
    const fs::path hook = *hooks / std::string(to_string(stage));
    std::error_code ec;
    out += std::string(to_string(stage)) + ": ";
    if (!fs::exists(hook, ec)) {
      out += "not installed\n";
      continue;
    }
    const std::string script = read_text(hook);
    if (script.find(k_marker) == std::string::npos) {
      out += "another hook (not pipe's)\n";
      continue;
    }
    out += "pipe, jobs " + marker_value(script, "jobs") + ", workflow " + marker_value(script, "workflow");
    const std::string backend = marker_value(script, "backend");
    out += backend.empty() ? "" : ", backend " + backend;
    out += marker_value(script, "warm") == "yes" ? ", warm containers" : "";
    out += marker_value(script, "warm") == "no" ? ", containers not kept" : "";
    const fs::path chained = hook.string() + std::string(k_chained_suffix);
    out += fs::exists(chained, ec) ? ", chains " + chained.filename().string() + "\n" : "\n";
  }
  return out;
}

}  // namespace pipeline::runner::hook

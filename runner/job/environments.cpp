#include "runner/job/environments.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "runner/engine/reporter.hpp"
#include "runner/job/step_reporter.hpp"
#include "runner/job/vault_secrets.hpp"
#include "runner/secrets/dotenv.hpp"

namespace pipeline::runner::job {

namespace expr = workflow::expr;
namespace fs = std::filesystem;

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Environment names are case-insensitive on GitHub: `Production` is `production`.
const EnvironmentSettings* find_settings(const RunOptions& options, const std::string& name) {
  for (const auto& [key, settings] : options.environments) {
    if (lower(key) == lower(name)) {
      return &settings;
    }
  }
  return nullptr;
}

std::vector<std::string> absolute_paths(const config::Setting* setting) {
  std::vector<std::string> out;
  for (const auto& value : setting ? setting->values : std::vector<std::string>{}) {
    const fs::path p(value);
    out.push_back(p.is_absolute() || setting->base_dir.empty() ? value : (fs::path(setting->base_dir) / p).string());
  }
  return out;
}

bool from_command_line(const SecretEntry& entry) {
  return entry.origin == "command line" || entry.origin == "terminal" || entry.origin == "environment" ||
         entry.origin.rfind("environment (", 0) == 0;
}

/// A new object: `base`'s entries (the names `over` has left out, any case) then `over`'s. Values
/// share their object with every copy, so the run's own secrets must not be changed in place.
expr::Value overlay_object(const expr::Value& base, const EnvList& over) {
  expr::Value out = expr::Value::object();
  if (base.is_object()) {
    for (const auto& entry : base.as_object().entries()) {
      const bool replaced = std::any_of(over.begin(), over.end(),
                                        [&](const auto& kv) { return lower(kv.first) == lower(entry.key); });
      if (!replaced) {
        out.set(entry.key, entry.value);
      }
    }
  }
  for (const auto& [key, value] : over) {
    out.set(key, value);
  }
  return out;
}

const workflow::Node* environment_key(const workflow::Job& job, std::string_view key) {
  if (!job.environment || !job.environment->is_mapping()) {
    return nullptr;
  }
  return job.environment->find(key);
}

}  // namespace

Result<std::map<std::string, EnvironmentSettings>> environment_settings(const config::Config& cfg) {
  std::map<std::string, EnvironmentSettings> out;
  for (const config::Setting* setting : cfg.under("environments")) {
    const std::string rest = setting->key.substr(std::string("environments.").size());
    const auto dot = rest.find('.');
    const std::string name = rest.substr(0, dot);
    const std::string key = dot == std::string::npos ? "" : rest.substr(dot + 1);
    EnvironmentSettings& env = out[name];
    if (key == "protected") {
      const std::string value = setting->values.empty() ? "" : setting->values.front();
      if (value != "true" && value != "false") {
        return Error{setting->origin + ": environments." + name + ".protected '" + value + "' is not true or false"};
      }
      env.protect = value == "true";
    } else if (key == "secret-files") {
      env.secret_files = absolute_paths(setting);
    } else if (key == "var-files") {
      env.var_files = absolute_paths(setting);
    } else if (key == "env-files") {
      env.env_files = absolute_paths(setting);
    } else if (key == "vault.secrets") {
      env.vault_secrets = setting->values.empty() ? "" : setting->values.front();
    }
  }
  return out;
}

bool is_protected(const RunOptions& options, const std::string& name) {
  const EnvironmentSettings* settings = find_settings(options, name);
  if (settings && settings->protect) {
    return *settings->protect;
  }
  return lower(name) == "production";
}

Result<std::string> environment_name(const workflow::Job& job, expr::EvalContext& ctx) {
  if (!job.environment) {
    return std::string();
  }
  if (job.environment->is_mapping()) {
    const workflow::Node* name = job.environment->find("name");
    return name ? evaluate_string(*name, ctx) : Result<std::string>(std::string());
  }
  return evaluate_string(*job.environment, ctx);
}

Result<std::string> environment_url(const workflow::Job& job, expr::EvalContext& ctx) {
  const workflow::Node* url = environment_key(job, "url");
  return url ? evaluate_string(*url, ctx) : Result<std::string>(std::string());
}

Result<std::vector<SecretEntry>> environment_secrets(const RunOptions& options, const std::string& dir,
                                                     const std::string& name, SecretReach reach,
                                                     const workflow::SecretRefs* needs) {
  const EnvironmentSettings* settings = find_settings(options, name);
  std::vector<SecretEntry> out;
  const auto files = files_or_default(settings ? settings->secret_files : std::vector<std::string>{}, dir,
                                      ".secrets." + name);
  for (const auto& file : files) {
    auto entries = read_dotenv_files({file}, dir);
    if (!entries) {
      return entries.error();
    }
    for (auto& [key, value] : *entries) {
      out.push_back({key, std::move(value), "environment " + name + ": file " + file});
    }
  }
  if (!settings || settings->vault_secrets.empty()) {
    return out;
  }
  std::set<std::string> known;
  for (const auto& entry : out) {
    known.insert(entry.name);
  }
  auto fetched = fetch_vault_secrets({settings->vault_secrets}, options.vault, reach, needs, known);
  if (!fetched) {
    return Error{"environment '" + name + "': " + fetched.error().message};
  }
  for (auto& entry : *fetched) {
    entry.origin = "environment " + name + ": " + entry.origin;
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<SecretEntry> layer_secrets(std::vector<SecretEntry> repository, const std::vector<SecretEntry>& environment) {
  for (const auto& entry : environment) {
    const auto same = std::find_if(repository.begin(), repository.end(),
                                   [&](const SecretEntry& s) { return lower(s.name) == lower(entry.name); });
    if (same == repository.end()) {
      repository.push_back(entry);
    } else if (!from_command_line(*same)) {
      *same = entry;
    }
  }
  return repository;
}

std::optional<bool> ask_on_terminal(const std::string& question) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return std::nullopt;
  }
  std::string answer;
  if (::write(fd, question.data(), question.size()) == static_cast<ssize_t>(question.size())) {
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n') {
      answer += c;
    }
  }
  ::close(fd);
  answer = lower(answer);
  return answer == "y" || answer == "yes";
}

Environments::Environments(const RunOptions& options, std::string dir, SecretReach reach, workflow::SecretRefs needs,
                           std::vector<SecretEntry> repository_secrets, AskYesNo ask)
    : m_options(options),
      m_dir(std::move(dir)),
      m_reach(reach),
      m_needs(std::move(needs)),
      m_repository_secrets(std::move(repository_secrets)),
      m_ask(std::move(ask)) {}

Approval Environments::approve(const std::string& name, const std::string& job) {
  if (!m_options.protect_environments || !is_protected(m_options, name)) {
    return Approval::approved;
  }
  std::lock_guard lock(m_mutex);  // one question on the terminal at a time
  const auto approved = std::any_of(m_options.approvals.begin(), m_options.approvals.end(),
                                    [&](const std::string& a) { return lower(a) == lower(name); });
  if (approved) {
    return Approval::approved;
  }
  if (auto it = m_approvals.find(lower(name)); it != m_approvals.end()) {
    return it->second;
  }
  const auto answer = m_ask("pipe: job '" + job + "' deploys to the protected environment '" + name +
                            "'. Start it? [y/N] ");
  const Approval approval = !answer ? Approval::no_terminal : *answer ? Approval::approved : Approval::rejected;
  m_approvals[lower(name)] = approval;
  return approval;
}

Result<Environments::Values> Environments::read(const RunState& run, const std::string& name) {
  auto secrets = environment_secrets(m_options, m_dir, name, m_reach, &m_needs);
  if (!secrets) {
    return secrets.error();
  }
  for (const auto& entry : *secrets) {
    if (run.masker && run.masker->add_secret(entry.value) == output::AddResult::too_short) {
      engine::post_notice(*run.reporter, "warning: " + output::too_short_warning(entry.name));
    }
  }
  const EnvironmentSettings* settings = find_settings(m_options, name);
  auto vars = read_dotenv_files(files_or_default(settings ? settings->var_files : std::vector<std::string>{}, m_dir,
                                          ".vars." + name), m_dir);
  if (!vars) {
    return Error{"environment '" + name + "': " + vars.error().message};
  }
  auto env = read_dotenv_files(settings ? settings->env_files : std::vector<std::string>{}, m_dir);
  if (!env) {
    return Error{"environment '" + name + "': " + env.error().message};
  }
  return Values{std::move(*secrets), std::move(*vars), std::move(*env)};
}

Result<RunState> Environments::scoped(const RunState& run, const std::string& name) {
  std::lock_guard lock(m_mutex);
  auto it = m_values.find(lower(name));
  if (it == m_values.end()) {
    it = m_values.emplace(lower(name), read(run, name)).first;
  }
  if (!it->second) {
    return it->second.error();
  }
  // Laid over the job's own secrets (a called workflow's are those its caller passed), except
  // where the command line named the secret: -s and --var win over every file.
  EnvList secrets;
  for (const auto& entry : it->second->secrets) {
    const auto given = std::find_if(m_repository_secrets.begin(), m_repository_secrets.end(), [&](const SecretEntry& s) {
      return lower(s.name) == lower(entry.name) && from_command_line(s);
    });
    if (given == m_repository_secrets.end()) {
      secrets.emplace_back(entry.name, entry.value);
    }
  }
  EnvList vars;
  for (const auto& [key, value] : it->second->vars) {
    const bool flag = std::any_of(m_options.vars.begin(), m_options.vars.end(),
                                  [&](const std::string& v) { return v.substr(0, v.find('=')) == key; });
    if (!flag) {
      vars.emplace_back(key, value);
    }
  }
  RunState state = run;
  state.secrets = overlay_object(run.secrets, secrets);
  state.vars = overlay_object(run.vars, vars);
  for (const auto& [key, value] : it->second->env_file) {
    set_env(state.env_file, key, value);
  }
  return state;
}

namespace {

JobOutcome refuse(RunState& run, const std::string& job, const std::string& notice, const std::string& error) {
  if (!notice.empty()) {
    engine::post_notice(*run.reporter, notice, job);
  }
  post_failed_job(*run.reporter, job, error);
  return {engine::NodeResult::failure, {}};
}

/// The contexts `environment:` may use: github, needs, strategy, matrix, vars, inputs.
expr::MapContext environment_context(const RunState& run, const JobInstance& instance) {
  expr::MapContext ctx;
  nlohmann::json github = run.github;
  github["job"] = instance.job->id.value;
  ctx.set("github", expr::Value::from_json(github));
  ctx.set("needs", instance.needs);
  ctx.set("strategy", instance.strategy);
  ctx.set("matrix", expr::Value::from_json(instance.matrix));
  ctx.set("vars", run.vars);
  ctx.set("inputs", run.inputs);
  return ctx;
}

}  // namespace

EnvironmentEntry enter_environment(RunState& run, const JobInstance& instance) {
  EnvironmentEntry entry;
  if (!instance.job->environment || !run.environments) {
    return entry;
  }
  auto ctx = environment_context(run, instance);
  auto name = environment_name(*instance.job, ctx);
  if (!name) {
    entry.ended = refuse(run, instance.display_name, "", "environment: " + name.error().message);
    return entry;
  }
  if (name->empty()) {
    return entry;
  }
  // GitHub's words for a deployment that was not approved; the job fails, as a rejected one does there.
  const std::string rejected = "The deployment was rejected or didn't satisfy other protection rules.";
  switch (run.environments->approve(*name, instance.display_name)) {
    case Approval::approved: break;
    case Approval::rejected:
      entry.ended = refuse(run, instance.display_name, "not started: the deployment to '" + *name + "' was rejected",
                           rejected);
      return entry;
    case Approval::no_terminal:
      entry.ended = refuse(run, instance.display_name,
                           "not started: environment '" + *name +
                               "' is protected and there is no terminal to ask on; approve it with --approve " + *name,
                           rejected);
      return entry;
  }
  auto scoped = run.environments->scoped(run, *name);
  if (!scoped) {
    entry.ended = refuse(run, instance.display_name, "", scoped.error().message);
    return entry;
  }
  entry.state = std::move(*scoped);
  return entry;
}

}  // namespace pipeline::runner::job

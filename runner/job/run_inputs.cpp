#include "runner/job/run_inputs.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "runner/config/config.hpp"
#include "runner/secrets/dotenv.hpp"
#include "runner/secrets/prompt.hpp"
#include "runner/secrets/vault_action.hpp"
#include "runner/job/environments.hpp"
#include "runner/job/vault_secrets.hpp"
#include "workflow/expr/value.hpp"
#include "workflow/base/json_text.hpp"

namespace pipeline::runner::job {

namespace expr = workflow::expr;
namespace fs = std::filesystem;

namespace {

/// NAME=VALUE, or NAME alone (the value then comes from the environment).
Result<std::pair<std::string, std::string>> name_value(const std::string& text, const char* flag) {
  const auto eq = text.find('=');
  if (eq == 0) {
    return Error{std::string(flag) + " '" + text + "': the name is empty"};
  }
  if (eq != std::string::npos) {
    return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
  }
  const char* value = std::getenv(text.c_str());
  if (!value) {
    return Error{std::string(flag) + " " + text + ": no value given and no such environment variable"};
  }
  return std::make_pair(text, std::string(value));
}

/// A list of config paths made absolute against the file that named them.
std::vector<std::string> config_paths(const config::Config& cfg, const char* key) {
  std::vector<std::string> out;
  const config::Setting* setting = cfg.find(key);
  for (const auto& value : setting ? setting->values : std::vector<std::string>{}) {
    const fs::path p(value);
    out.push_back(p.is_absolute() || setting->base_dir.empty() ? value : (fs::path(setting->base_dir) / p).string());
  }
  return out;
}

secrets::VaultSources vault_sources(const config::Config& cfg) {
  secrets::VaultSources v;
  v.address = cfg.value("vault.address");
  v.vault_namespace = cfg.value("vault.namespace");
  v.cacert = cfg.path("vault.cacert");
  v.capath = cfg.path("vault.capath");
  v.skip_verify = cfg.value("vault.skip-verify");
  v.auth_method = cfg.value("vault.auth.method");
  v.role = cfg.value("vault.auth.role");
  v.role_id_file = cfg.path("vault.auth.role-id-file");
  v.secret_id_file = cfg.path("vault.auth.secret-id-file");
  v.jwt_file = cfg.path("vault.auth.jwt-file");
  v.mount = cfg.value("vault.auth.mount");
  return v;
}

/// The names the secrets files and -s give: a Vault wildcard is not read for them alone.
std::set<std::string> given_names(const RunOptions& options, const std::vector<SecretEntry>& from_files) {
  std::set<std::string> names;
  for (const auto& entry : from_files) {
    names.insert(entry.name);
  }
  for (const auto& text : options.secrets) {
    names.insert(text.substr(0, text.find('=')));
  }
  if (options.github_token_from_env) {
    names.insert("GITHUB_TOKEN");
  }
  return names;
}

/// The --event-path file's JSON; null when no file was given.
Result<nlohmann::json> read_event_file(const RunOptions& options) {
  if (options.event_path.empty()) {
    return nlohmann::json();
  }
  std::ifstream in(options.event_path);
  if (!in) {
    return Error{"--event-path " + options.event_path + ": cannot read the file"};
  }
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    return Error{"--event-path " + options.event_path + ": not valid JSON: " + e.what()};
  }
}

/// The payload's `inputs` as text, the form --input gives them: a JSON `true` and `"true"` alike.
std::vector<std::pair<std::string, std::string>> payload_inputs(const nlohmann::json& payload) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!payload.is_object() || !payload.contains("inputs") || !payload["inputs"].is_object()) {
    return out;
  }
  for (const auto& [name, value] : payload["inputs"].items()) {
    out.emplace_back(name, value.is_string() ? value.get<std::string>() : value.is_null() ? "" : json_text(value));
  }
  return out;
}

// `color:` and `progress:` fill what --color and --progress left unset.
Result<void> apply_terminal_config(const config::Config& cfg, RunOptions& options) {
  if (const config::Setting* color = cfg.find("color"); color != nullptr && !options.color) {
    auto choice = engine::parse_color_choice(cfg.value("color"));
    if (!choice) {
      return Error{color->origin + ": " + choice.error().message};
    }
    options.color = *choice;
  }
  if (const config::Setting* progress = cfg.find("progress"); progress != nullptr && !options.progress) {
    auto choice = engine::parse_progress_choice(cfg.value("progress"));
    if (!choice) {
      return Error{progress->origin + ": " + choice.error().message};
    }
    options.progress = *choice;
  }
  return {};
}

expr::Value typed_input(const workflow::InputSpec& spec, const std::string& text) {
  if (spec.type == "boolean") {
    return expr::Value{text == "true"};
  }
  if (spec.type == "number") {
    return expr::Value{expr::parse_number(text)};
  }
  return expr::Value{text};
}

}  // namespace

std::vector<std::string> files_or_default(const std::vector<std::string>& given, const std::string& dir,
                                          const std::string& default_name) {
  if (!given.empty()) {
    return given;
  }
  std::error_code ec;
  const fs::path candidate = fs::path(dir) / default_name;
  return fs::is_regular_file(candidate, ec) ? std::vector<std::string>{candidate.string()} : std::vector<std::string>{};
}

Result<EnvList> read_dotenv_files(const std::vector<std::string>& files, const std::string& dir) {
  EnvList out;
  for (const auto& file : files) {
    const fs::path path = fs::path(file).is_absolute() ? fs::path(file) : fs::path(dir) / file;
    auto entries = secrets::load_dotenv_file(path.string(), secrets::environment_lookup());
    if (!entries) {
      return entries.error();
    }
    for (auto& entry : *entries) {
      set_env(out, entry.name, std::move(entry.value));
    }
  }
  return out;
}

Result<std::vector<SecretEntry>> collect_secrets(const RunOptions& options, const std::string& dir,
                                                 SecretReach reach, const workflow::SecretRefs* needs) {
  std::vector<SecretEntry> out;
  auto set = [&out](std::string name, std::string value, std::string origin) {
    for (auto& entry : out) {
      if (entry.name == name) {
        entry.value = std::move(value);
        entry.origin = std::move(origin);
        return;
      }
    }
    out.push_back({std::move(name), std::move(value), std::move(origin)});
  };
  for (const auto& file : files_or_default(options.secret_files, dir, ".secrets")) {
    auto entries = read_dotenv_files({file}, dir);
    if (!entries) {
      return entries.error();
    }
    for (auto& [name, value] : *entries) {
      set(name, std::move(value), "file " + file);
    }
  }
  auto fetched = fetch_vault_secrets(options.vault_secrets, options.vault, reach, needs, given_names(options, out));
  if (!fetched) {
    return fetched.error();
  }
  for (auto& entry : *fetched) {
    set(std::move(entry.name), std::move(entry.value), std::move(entry.origin));
  }
  if (options.github_token_from_env) {
    const char* token = std::getenv("GITHUB_TOKEN");
    if (!token || !*token) {
      return Error{"--github-token-from-env: GITHUB_TOKEN is not set"};
    }
    set("GITHUB_TOKEN", token, "environment (GITHUB_TOKEN)");
  }
  for (const auto& text : options.secrets) {
    auto pair = name_value(text, "-s");
    if (!pair && text.find('=') == std::string::npos && secrets::can_prompt()) {
      if (reach == SecretReach::local_only) {
        continue;  // a dry run shows the plan; the value is asked for when the run starts
      }
      auto typed = secrets::prompt_secret("secret " + text);
      if (!typed) {
        return typed.error();
      }
      set(text, std::move(*typed), "terminal");
      continue;
    }
    if (!pair) {
      return pair.error();
    }
    set(pair->first, pair->second, text.find('=') == std::string::npos ? "environment" : "command line");
  }
  return out;
}

Result<RunOptions> apply_config(const RunOptions& given, const std::string& dir) {
  const auto loaded = config::load_config(dir, config::process_environment());
  if (workflow::has_errors(loaded.diagnostics)) {
    std::string text = loaded.format();
    while (!text.empty() && text.back() == '\n') {
      text.pop_back();
    }
    return Error{text};
  }
  const auto& cfg = loaded.config;
  RunOptions options = given;
  for (const config::Setting* platform : cfg.under("platforms")) {
    options.platforms.emplace_back(platform->key.substr(std::string("platforms.").size()), platform->values.front());
  }
  const std::string backend = cfg.value("backend");
  const bool known = backend == "host" || backend == "docker" || backend == "podman";
  if (options.backend == BackendChoice::automatic && known) {
    options.backend = backend == "host"     ? BackendChoice::host
                      : backend == "docker" ? BackendChoice::docker
                                            : BackendChoice::podman;
  } else if (!backend.empty() && backend != "auto" && !known) {
    return Error{cfg.find("backend")->origin + ": backend '" + backend + "' is not auto, host, docker or podman"};
  }
  if (options.parallel == 0 && cfg.find("parallel")) {
    try {
      options.parallel = static_cast<std::size_t>(std::stoul(cfg.value("parallel")));
    } catch (const std::exception&) {
      return Error{cfg.find("parallel")->origin + ": parallel '" + cfg.value("parallel") + "' is not a number"};
    }
  }
  if (const config::Setting* strict = cfg.find("strict")) {
    const std::string value = cfg.value("strict");
    if (value != "true" && value != "false") {
      return Error{strict->origin + ": strict '" + value + "' is not true or false"};
    }
    options.strict = options.strict || value == "true";  // --strict wins over `strict: false`
  }
  if (const config::Setting* agent = cfg.find("agent")) {
    const std::string value = cfg.value("agent");
    if (value != "true" && value != "false") {
      return Error{agent->origin + ": agent '" + value + "' is not true or false"};
    }
    options.agent = options.agent && value == "true";  // --no-agent wins over `agent: true`
  }
  options.warm = options.warm && cfg.value("warm") != "false";  // --no-warm wins; the loader checked the value
  const std::pair<std::vector<std::string>*, const char*> lists[] = {
      {&options.secret_files, "secret-files"}, {&options.env_files, "env-files"}, {&options.var_files, "var-files"}};
  for (const auto& [list, key] : lists) {
    if (list->empty()) {
      *list = config_paths(cfg, key);
    }
  }
  if (options.actions_url.empty()) {  // --actions-url wins over the file
    options.actions_url = cfg.value("actions-url");
  }
  if (options.artifact_dir.empty()) {  // --artifact-dir wins over the file
    options.artifact_dir = cfg.value("artifact-dir");
  }
  if (options.cache_dir.empty()) {  // --cache-dir wins over the file
    options.cache_dir = cfg.path("cache-dir");
  }
  if (auto shown = apply_terminal_config(cfg, options); !shown) {
    return shown.error();
  }
  options.vault = vault_sources(cfg);
  auto environments = environment_settings(cfg);
  if (!environments) {
    return environments.error();
  }
  options.environments = std::move(*environments);
  if (const auto lines = cfg.value("vault.secrets"); !lines.empty()) {
    options.vault_secrets.insert(options.vault_secrets.begin(), lines);
  }
  return options;
}

Result<EnvList> collect_vars(const RunOptions& options, const std::string& dir) {
  auto vars = read_dotenv_files(files_or_default(options.var_files, dir, ".vars"), dir);
  if (!vars) {
    return vars;
  }
  for (const auto& text : options.vars) {
    auto pair = name_value(text, "--var");
    if (!pair) {
      return pair.error();
    }
    set_env(*vars, pair->first, pair->second);
  }
  return vars;
}

Result<EnvList> collect_env_files(const RunOptions& options, const std::string& dir) {
  return read_dotenv_files(files_or_default(options.env_files, dir, ".env"), dir);
}

Result<expr::Value> collect_inputs(const workflow::Workflow& wf, const std::string& event, const RunOptions& options) {
  auto payload = read_event_file(options);
  if (!payload) {
    return payload.error();
  }
  // --input wins over the payload's `inputs`, which win over the declared defaults.
  auto given = payload_inputs(*payload);
  for (const auto& [name, value] : options.inputs) {
    const auto it = std::find_if(given.begin(), given.end(), [&](const auto& kv) { return kv.first == name; });
    if (it != given.end()) {
      it->second = value;
    } else {
      given.emplace_back(name, value);
    }
  }
  expr::Value inputs = expr::Value::object();
  const workflow::Trigger* trigger = wf.find_trigger(event);
  if (!trigger) {
    trigger = wf.find_trigger("workflow_dispatch");
  }
  if (trigger) {
    for (const auto& spec : trigger->inputs) {
      const auto it = std::find_if(given.begin(), given.end(), [&](const auto& kv) { return kv.first == spec.name; });
      if (it != given.end()) {
        if (spec.type == "choice" && !spec.options.empty() &&
            std::find(spec.options.begin(), spec.options.end(), it->second) == spec.options.end()) {
          return Error{"input '" + spec.name + "': '" + it->second + "' is not one of its options"};
        }
        inputs.set(spec.name, typed_input(spec, it->second));
      } else if (spec.default_value && !spec.default_value->is_null()) {
        inputs.set(spec.name, typed_input(spec, spec.default_value->scalar));
      } else if (spec.required) {
        return Error{wf.path + ": input '" + spec.name + "' is required: give it with --input " + spec.name +
                     "=VALUE or in the --event-path payload's inputs"};
      } else {
        inputs.set(spec.name, spec.type == "boolean" ? expr::Value{false} : expr::Value{std::string()});
      }
    }
  }
  for (const auto& [name, value] : given) {
    if (!inputs.find(name)) {
      inputs.set(name, expr::Value{value});
    }
  }
  return inputs;
}

/// `github.event.inputs` of a workflow_dispatch: every input as text, as GitHub sends them.
nlohmann::json inputs_as_text(const expr::Value& inputs) {
  nlohmann::json out = nlohmann::json::object();
  if (inputs.is_object()) {
    for (const auto& entry : inputs.as_object().entries()) {
      out[entry.key] = entry.value.to_display_string();
    }
  }
  return out;
}

Result<nlohmann::json> event_payload(const RunOptions& options, const std::string& event, const git::RepoInfo& repo,
                                     const std::string& dir, const expr::Value& inputs) {
  if (!options.event_path.empty()) {
    auto given = read_event_file(options);
    if (given && event == "workflow_dispatch" && given->is_object()) {
      (*given)["inputs"] = inputs_as_text(inputs);
    }
    return given;
  }
  nlohmann::json payload = nlohmann::json::object();
  if (repo.is_repository && !repo.sha.empty()) {
    if (auto head = git::read_head_commit(dir); head) {
      payload = git::synthesize_push_event(repo, *head);
    }
  }
  if (event == "push") {
    return payload;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const char* key : {"repository", "sender"}) {
    if (payload.contains(key)) {
      out[key] = payload[key];
    }
  }
  if (event == "workflow_dispatch") {
    out["ref"] = repo.ref;
    out["inputs"] = inputs_as_text(inputs);
  } else if (event == "pull_request" || event == "pull_request_target") {
    out["action"] = "opened";
    out["number"] = 1;
    out["pull_request"] = {{"number", 1},
                           {"head", {{"ref", repo.ref_name}, {"sha", repo.sha}}},
                           {"base", {{"ref", repo.default_branch}}}};
  }
  return out;
}

nlohmann::json github_context(const git::RepoInfo& repo, const std::string& event_name, const nlohmann::json& payload,
                              const std::string& run_number_id, const workflow::Workflow& wf,
                              const std::string& token) {
  nlohmann::json g = nlohmann::json::object();
  const bool pull = event_name.rfind("pull_request", 0) == 0;
  g["event_name"] = event_name;
  g["event"] = payload;
  g["sha"] = repo.sha;
  g["ref"] = pull ? "refs/pull/1/merge" : repo.ref;
  g["ref_name"] = pull ? "1/merge" : repo.ref_name;
  g["ref_type"] = repo.ref_type;
  g["ref_protected"] = false;
  g["head_ref"] = pull ? repo.ref_name : "";
  g["base_ref"] = pull ? repo.default_branch : "";
  g["repository"] = repo.repository;
  g["repository_owner"] = repo.repository_owner;
  g["repository_id"] = "";
  g["repository_owner_id"] = "";
  g["actor"] = repo.actor;
  g["actor_id"] = "";
  g["triggering_actor"] = repo.actor;
  g["run_id"] = run_number_id;
  g["run_number"] = "1";
  g["run_attempt"] = "1";
  g["retention_days"] = "90";
  g["server_url"] = "https://github.com";
  g["api_url"] = "https://api.github.com";
  g["graphql_url"] = "https://api.github.com/graphql";
  g["workflow"] = wf.display_name();
  g["workflow_ref"] = repo.repository + "/" + wf.path + "@" + repo.ref;
  g["workflow_sha"] = repo.sha;
  g["workspace"] = repo.workspace;
  g["action"] = "";
  g["token"] = token;
  g["secret_source"] = "Actions";
  return g;
}

}  // namespace pipeline::runner::job

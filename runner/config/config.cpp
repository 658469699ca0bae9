#include "runner/config/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "workflow/yaml_node.hpp"

namespace pipeline::runner::config {

namespace fs = std::filesystem;
using workflow::Diagnostic;
using workflow::Severity;

const std::vector<KeyInfo>& known_keys() {
  static const std::vector<KeyInfo> keys = {
      {"platforms", Kind::table, "", "runs-on label → image, or `host`; -P flags come first"},
      {"backend", Kind::scalar, "auto", "auto, host, docker or podman"},
      {"parallel", Kind::scalar, "0", "jobs at once; 0: number of cores"},
      {"agent", Kind::scalar, "true", "false: container steps run as one engine exec each instead of through pipe-agent"},
      {"warm", Kind::scalar, "true", "false: no job container is started before its job (parallel jobs and matrices)"},
      {"strict", Kind::scalar, "false", "true: a job whose runs-on no runner serves fails instead of being skipped"},
      {"secret-files", Kind::list, ".secrets", "secrets files (dotenv)"},
      {"env-files", Kind::list, ".env", "variables for every job's env (dotenv)"},
      {"var-files", Kind::list, ".vars", "the vars context (dotenv)"},
      {"vault", Kind::section, "", "HashiCorp Vault"},
      {"vault.address", Kind::scalar, "", "server URL (VAULT_ADDR)"},
      {"vault.namespace", Kind::scalar, "", "X-Vault-Namespace (VAULT_NAMESPACE)"},
      {"vault.cacert", Kind::scalar, "", "CA bundle file (VAULT_CACERT)"},
      {"vault.capath", Kind::scalar, "", "CA directory (VAULT_CAPATH)"},
      {"vault.skip-verify", Kind::scalar, "false", "do not check the TLS certificate (VAULT_SKIP_VERIFY)"},
      {"vault.auth", Kind::section, "", "how pipe logs in"},
      {"vault.auth.method", Kind::scalar, "token", "token, approle or jwt"},
      {"vault.auth.role", Kind::scalar, "", "JWT role"},
      {"vault.auth.role-id-file", Kind::scalar, "", "AppRole role_id file (or VAULT_ROLE_ID)"},
      {"vault.auth.secret-id-file", Kind::scalar, "", "AppRole secret_id file (or VAULT_SECRET_ID)"},
      {"vault.auth.jwt-file", Kind::scalar, "", "file holding the JWT"},
      {"vault.auth.mount", Kind::scalar, "", "auth mount; default approle or jwt"},
      {"vault.secrets", Kind::scalar, "", "hashicorp/vault-action `secrets:` lines"},
      {"hook", Kind::section, "", "what `pipe hook` runs"},
      {"hook.jobs", Kind::list, "", "jobs to run"},
      {"hook.workflow", Kind::scalar, "", "workflow file"},
      {"hook.stage", Kind::scalar, "pre-commit", "git hook stage"},
      {"hook.warm", Kind::scalar, "true", "false: a hooked job's container goes when the hook ends"},
      {"hook.warm-idle", Kind::scalar, "600", "seconds a warm hook container waits unused before it goes"},
      {"hook.backend", Kind::scalar, "auto", "host, docker or auto (containers when the engine and images are here)"},
      {"actions-url", Kind::scalar, "https://github.com", "where `uses:` actions are fetched from"},
      {"artifact-dir", Kind::scalar, "", "artifacts go to DIR/<run-id>/; default: the run record"},
      {"cache-dir", Kind::scalar, "", "actions/cache entries; default $XDG_CACHE_HOME/pipe/actions-cache"},
      {"color", Kind::scalar, "auto", "auto, always or never: ANSI colors in `pipe run`'s terminal output"},
      {"progress", Kind::scalar, "auto", "auto, tty or plain: the live view of running jobs on a terminal"},
      {"environments", Kind::section, "", "deployment environments, by name"},
      {"environments.*", Kind::section, "", "one environment: its secrets, variables and protection"},
      {"environments.*.protected", Kind::scalar, "", "true: ask before its jobs start (`production`: true unless false)"},
      {"environments.*.secret-files", Kind::list, ".secrets.<name>", "the environment's secrets files (dotenv)"},
      {"environments.*.var-files", Kind::list, ".vars.<name>", "the environment's vars files (dotenv)"},
      {"environments.*.env-files", Kind::list, "", "variables for its jobs' env (dotenv)"},
      {"environments.*.vault", Kind::section, "", "the environment's Vault secrets"},
      {"environments.*.vault.secrets", Kind::scalar, "", "hashicorp/vault-action `secrets:` lines"},
  };
  return keys;
}

namespace {

std::vector<std::string_view> segments(std::string_view key) {
  std::vector<std::string_view> out;
  while (true) {
    const auto dot = key.find('.');
    out.push_back(key.substr(0, dot));
    if (dot == std::string_view::npos) {
      return out;
    }
    key.remove_prefix(dot + 1);
  }
}

/// Whether the first `count` segments of `pattern` match those of `key` (`*` matches any one).
bool segments_match(const std::vector<std::string_view>& pattern, const std::vector<std::string_view>& key,
                    std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if (pattern[i] != "*" && pattern[i] != key[i]) {
      return false;
    }
  }
  return true;
}

const KeyInfo* key_info(std::string_view key) {
  for (const auto& info : known_keys()) {
    if (info.key == key) {
      return &info;
    }
  }
  for (const auto& info : known_keys()) {
    if (key_matches(info.key, key)) {
      return &info;
    }
  }
  return nullptr;
}

/// The names allowed directly under `prefix` (for "did you mean"); a `*` name allows any.
std::vector<std::string> children(const std::string& prefix) {
  std::vector<std::string> out;
  const auto parent = prefix.empty() ? std::vector<std::string_view>{} : segments(prefix);
  for (const auto& info : known_keys()) {
    const auto key = segments(info.key);
    if (key.size() == parent.size() + 1 && segments_match(key, parent, parent.size()) && key.back() != "*") {
      out.emplace_back(key.back());
    }
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class FileParser {
public:
  FileParser(const std::string& file, LoadedConfig& into)
      : m_file(file), m_base(fs::path(file).parent_path().string()), m_into(into) {}

  void section(const workflow::Node& node, const std::string& prefix) {
    if (!node.is_mapping()) {
      if (!node.is_null()) {
        report(node.where, (prefix.empty() ? std::string("the file") : "'" + prefix + "'") + " must be a mapping");
      }
      return;
    }
    for (const auto& entry : node.entries) {
      const std::string key = prefix.empty() ? entry.key : prefix + "." + entry.key;
      const KeyInfo* info = key_info(key);
      if (!info) {
        const std::string near = workflow::closest_match(entry.key, children(prefix));
        report(entry.key_where, "unknown setting '" + key + "'", near.empty() ? "" : "did you mean '" + near + "'?");
        continue;
      }
      value(*info, key, entry.key_where, entry.value);
    }
  }

  void report(const workflow::SourceLocation& where, std::string message, std::string hint = "") {
    m_into.diagnostics.push_back({Severity::error, {m_file, where.line, where.column}, std::move(message), std::move(hint)});
  }

private:
  // `key` is the key as written: it differs from `info.key` where the pattern has a `*`.
  void value(const KeyInfo& info, const std::string& key, const workflow::SourceLocation& where,
             const workflow::Node& node) {
    switch (info.kind) {
      case Kind::section:
        section(node, key);
        return;
      case Kind::scalar:
        if (!node.is_scalar()) {
          report(where, "'" + key + "' must be a single value");
          return;
        }
        if (checked_boolean(key) && node.scalar != "true" && node.scalar != "false") {
          report(node.where, "'" + key + "' must be true or false, not '" + node.scalar + "'");
          return;
        }
        store(key, {node.scalar}, where);
        return;
      case Kind::list:
        list(key, where, node);
        return;
      case Kind::table:
        table(key, where, node);
        return;
    }
  }

  // The switches whose bad value is reported here, at the value: the older ones (strict, agent)
  // are checked when a run applies them and keep their `file:line: …` messages.
  static bool checked_boolean(std::string_view key) { return key == "warm"; }

  void list(const std::string& key, const workflow::SourceLocation& where, const workflow::Node& node) {
    std::vector<std::string> values;
    if (node.is_scalar()) {
      values.push_back(node.scalar);
    } else if (node.is_sequence()) {
      for (const auto& item : node.items) {
        if (!item.is_scalar()) {
          report(item.where, "'" + key + "' must be a list of values");
          return;
        }
        values.push_back(item.scalar);
      }
    } else if (!node.is_null()) {
      report(where, "'" + key + "' must be a list of values");
      return;
    }
    store(key, std::move(values), where);
  }

  void table(const std::string& key, const workflow::SourceLocation& where, const workflow::Node& node) {
    if (!node.is_mapping()) {
      report(where, "'" + key + "' must be a mapping of names to values");
      return;
    }
    for (const auto& entry : node.entries) {
      if (!entry.value.is_scalar()) {
        report(entry.value.where, "'" + key + "." + entry.key + "' must be a single value");
        continue;
      }
      store(key + "." + entry.key, {entry.value.scalar}, entry.key_where);
    }
  }

  void store(const std::string& key, std::vector<std::string> values, const workflow::SourceLocation& where) {
    m_into.config.set({key, std::move(values), m_file + ":" + std::to_string(where.line), m_base});
  }

  std::string m_file;
  std::string m_base;
  LoadedConfig& m_into;
};

}  // namespace

bool key_matches(std::string_view pattern, std::string_view key) {
  const auto p = segments(pattern);
  const auto k = segments(key);
  return p.size() == k.size() && segments_match(p, k, p.size());
}

void Config::set(Setting setting) {
  for (auto& existing : m_settings) {
    if (existing.key == setting.key) {
      existing = std::move(setting);
      return;
    }
  }
  m_settings.push_back(std::move(setting));
}

const Setting* Config::find(std::string_view key) const {
  for (const auto& setting : m_settings) {
    if (setting.key == key) {
      return &setting;
    }
  }
  return nullptr;
}

std::string Config::value(std::string_view key, const std::string& fallback) const {
  const Setting* setting = find(key);
  return setting && !setting->values.empty() ? setting->values.front() : fallback;
}

std::vector<std::string> Config::list(std::string_view key) const {
  const Setting* setting = find(key);
  return setting ? setting->values : std::vector<std::string>{};
}

std::string Config::path(std::string_view key) const {
  const Setting* setting = find(key);
  if (!setting || setting->values.empty() || setting->values.front().empty()) {
    return {};
  }
  std::string text = setting->values.front();
  if (text.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    text = std::string(home ? home : "") + text.substr(1);
  }
  const fs::path p(text);
  return p.is_absolute() || setting->base_dir.empty() ? p.string() : (fs::path(setting->base_dir) / p).string();
}

std::vector<const Setting*> Config::under(std::string_view prefix) const {
  std::vector<const Setting*> out;
  const std::string head = std::string(prefix) + ".";
  for (const auto& setting : m_settings) {
    if (setting.key.rfind(head, 0) == 0) {
      out.push_back(&setting);
    }
  }
  return out;
}

std::string LoadedConfig::format() const {
  std::string out;
  for (const auto& d : diagnostics) {
    std::string_view source;
    for (const auto& [file, text] : texts) {
      if (file == d.where.file) {
        source = text;
      }
    }
    out += workflow::format_diagnostic(d, source);
  }
  return out;
}

std::string user_config_path(const EnvLookup& env) {
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && !xdg->empty()) {
    return (fs::path(*xdg) / "pipe" / "config.yml").string();
  }
  const auto home = env("HOME");
  return home ? (fs::path(*home) / ".config" / "pipe" / "config.yml").string() : std::string();
}

void parse_config_text(std::string_view text, const std::string& file, LoadedConfig& into) {
  into.texts.emplace_back(file, std::string(text));
  // The workflow loader's parser: the same size, depth, duplicate-key and UTF-8 checks.
  auto parsed = workflow::parse_yaml(text, file);
  for (auto& diagnostic : parsed.diagnostics) {
    into.diagnostics.push_back(std::move(diagnostic));
  }
  if (parsed.root) {
    FileParser(file, into).section(*parsed.root, "");
  }
}

LoadedConfig load_config(const std::string& repo_dir, const EnvLookup& env) {
  LoadedConfig loaded;
  for (const std::string& file : {user_config_path(env), (fs::path(repo_dir) / ".pipe.yml").string()}) {
    std::error_code ec;
    if (!file.empty() && fs::is_regular_file(file, ec)) {
      parse_config_text(read_file(file), file, loaded);
    }
  }
  const std::pair<const char*, const char*> from_env[] = {
      {"VAULT_ADDR", "vault.address"},     {"VAULT_NAMESPACE", "vault.namespace"},
      {"VAULT_CACERT", "vault.cacert"},    {"VAULT_CAPATH", "vault.capath"},
      {"VAULT_SKIP_VERIFY", "vault.skip-verify"},
  };
  for (const auto& [variable, key] : from_env) {
    if (auto value = env(variable); value && !value->empty()) {
      loaded.config.set({key, {*value}, "environment", fs::current_path().string()});
    }
  }
  return loaded;
}

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  };
}

}  // namespace pipeline::runner::config

#pragma once
// pipe's settings from the user's and the repository's config files, each with its origin.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/diagnostic.hpp"

namespace pipeline::runner::config {

/// Looks a variable up in the environment; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The shape a key's value has in the file.
enum class Kind {
  scalar,   // one value
  list,     // a sequence of values (a single scalar is a list of one)
  table,    // a mapping of names to scalars: each entry is the setting `key.name`
  section,  // a mapping of further keys
};

/// One key pipe understands.
struct KeyInfo {
  const char* key;  // dotted, e.g. `vault.auth.method`
  Kind kind;
  const char* fallback;  // the default, shown by `pipe config`; "" when none
  const char* summary;
};

/// Whether a key matches a known key's pattern, where `*` stands for any one dot-free name
/// (`environments.*.secret-files` matches `environments.prod.secret-files`).
[[nodiscard]] bool key_matches(std::string_view pattern, std::string_view key);

/// Every key pipe understands, in documentation order; `*` stands for a name the user picks.
[[nodiscard]] const std::vector<KeyInfo>& known_keys();

/// One effective setting and where it came from (`file:line`, `flag`, `environment`, `default`).
struct Setting {
  std::string key;
  std::vector<std::string> values;
  std::string origin;
  std::string base_dir;  // relative paths in the value are relative to this; "" for flags
};

/// Settings by key; a later set() of the same key replaces the earlier one.
class Config {
public:
  /// Adds or replaces the setting with this key.
  void set(Setting setting);

  /// The setting, or nullptr.
  [[nodiscard]] const Setting* find(std::string_view key) const;

  /// The first value of a key, or `fallback`.
  [[nodiscard]] std::string value(std::string_view key, const std::string& fallback = "") const;

  /// Every value of a key (empty when unset).
  [[nodiscard]] std::vector<std::string> list(std::string_view key) const;

  /// A path value made absolute against the directory of the file that set it; `~` is HOME.
  [[nodiscard]] std::string path(std::string_view key) const;

  /// The settings under `prefix.` (e.g. every `platforms.<label>`), in the order they were set.
  [[nodiscard]] std::vector<const Setting*> under(std::string_view prefix) const;

  /// Every setting, in the order they were first set.
  [[nodiscard]] const std::vector<Setting>& settings() const { return m_settings; }

private:
  std::vector<Setting> m_settings;
};

/// A loaded configuration and every problem found in its files.
struct LoadedConfig {
  Config config;
  std::vector<workflow::Diagnostic> diagnostics;
  std::vector<std::pair<std::string, std::string>> texts;  // file → its text, for excerpts

  /// Every diagnostic, formatted with its source excerpt.
  [[nodiscard]] std::string format() const;
};

/// ~/.config/pipe/config.yml, or $XDG_CONFIG_HOME/pipe/config.yml when that is set.
[[nodiscard]] std::string user_config_path(const EnvLookup& env);

/// Parses one file's text into `into` (later files override earlier ones key by key).
void parse_config_text(std::string_view text, const std::string& file, LoadedConfig& into);

/// Loads the user's file then `<repo_dir>/.pipe.yml`, then applies the environment
/// (VAULT_ADDR, VAULT_NAMESPACE, VAULT_CACERT, VAULT_CAPATH, VAULT_SKIP_VERIFY).
[[nodiscard]] LoadedConfig load_config(const std::string& repo_dir, const EnvLookup& env);

/// A lookup over the process environment.
[[nodiscard]] EnvLookup process_environment();

}  // namespace pipeline::runner::config

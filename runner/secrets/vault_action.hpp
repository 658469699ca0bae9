#pragma once
// The `secrets:` syntax of hashicorp/vault-action: which Vault keys become which secrets.
#include <string>
#include <string_view>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::secrets {

/// How names are derived for a wildcard selector.
enum class Wildcard {
  none,        // one key, named by `| NAME` or the default name
  upper_case,  // `*`: every key, names upper-cased
  keep_case,   // `**`: every key, names as written in Vault
};

/// One entry of a `secrets:` block: `<path> <selector> [| NAME]`.
struct VaultSecretRequest {
  std::string path;      // verbatim, e.g. `secret/data/ci/app`
  std::string selector;  // the key, or `*` / `**`
  std::string name;      // the secret's name; for wildcards the prefix of every name (may be empty)
  Wildcard wildcard = Wildcard::none;
  friend bool operator==(const VaultSecretRequest&, const VaultSecretRequest&) = default;
};

/// Parses a `secrets:` block: entries split on `;`, newlines are whitespace, each split at its
/// last `|`, exactly two words before it. Every bad entry is reported, one per line.
[[nodiscard]] Result<std::vector<VaultSecretRequest>> parse_vault_secrets(std::string_view text);

/// vault-action's default name for a key: `.` becomes `__`, `-` is dropped, then upper-cased.
[[nodiscard]] std::string default_secret_name(std::string_view key);

/// The name a key takes under `wildcard`: `prefix` followed by the key with `.` turned into `__`
/// and every other character but letters, digits and `_` dropped; all upper-cased for `*`, kept
/// as written for `**` (`* | MYAPP_` names key `db.pass` `MYAPP_DB__PASS`).
[[nodiscard]] std::string wildcard_secret_name(std::string_view key, Wildcard wildcard, std::string_view prefix = {});

}  // namespace pipeline::runner::secrets

#pragma once
// Which `secrets.X` a job can reference, found without running it: every expression of the
// job (and of the workflow's `env:`) is parsed and searched for the `secrets` context.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/model.hpp"

namespace pipeline::workflow {

/// The secret names some expressions can read; `all` when the names cannot be known.
struct SecretRefs {
  bool all = false;             // `secrets: inherit`, `toJSON(secrets)`, `secrets[<not a literal>]`, ...
  std::set<std::string> names;  // upper-cased: secret names are case-insensitive

  /// Whether a secret of this name (any case) can be read.
  [[nodiscard]] bool can_read(std::string_view name) const;
  /// Adds what `other` can read.
  void merge(const SecretRefs& other);
};

/// The secrets referenced in one expression (no `${{ }}` around it). An expression that does not
/// parse references nothing: the validator reports it, and it cannot run.
[[nodiscard]] SecretRefs secrets_in_expression(std::string_view expression);

/// The secrets referenced in a value with `${{ }}` templates; with TextKind::condition the text
/// is an `if:` (`${{ }}` around it optional).
enum class TextKind { template_text, condition };
[[nodiscard]] SecretRefs secrets_in_text(std::string_view text, TextKind kind = TextKind::template_text);

/// The secrets one job of `workflow` can read: its keys, its steps' keys and the workflow's `env:`
/// (`if:` keys as conditions, every other string as a template). `secrets: inherit` means all.
[[nodiscard]] SecretRefs secrets_of_job(const Workflow& workflow, std::string_view job_id);

/// secrets_of_job for several jobs of one workflow, merged (the file is parsed once).
[[nodiscard]] SecretRefs secrets_of_jobs(const Workflow& workflow, const std::vector<std::string>& job_ids);

}  // namespace pipeline::workflow

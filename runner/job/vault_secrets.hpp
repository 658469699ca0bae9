#pragma once
// Secrets read from Vault, for only the names some job of the run can reference.
#include <set>
#include <string>
#include <vector>

#include "runner/job/run_options.hpp"
#include "runner/secrets/vault.hpp"
#include "runner/secrets/vault_action.hpp"
#include "workflow/secret_refs.hpp"

namespace pipeline::runner::job {

struct SecretEntry;
struct SelectedWorkflow;
enum class SecretReach;

/// The secrets the selected jobs (and the workflows they call, through `secrets:`) can read.
/// Empty when no Vault lines are configured: nothing else is read lazily.
[[nodiscard]] workflow::SecretRefs secrets_needed(const RunOptions& options,
                                                  const std::vector<SelectedWorkflow>& workflows);

/// The requests worth sending: those naming a secret `needs` can read (GITHUB_TOKEN always, as it
/// becomes `github.token`); a wildcard request only when some needed name is in none of `known`.
[[nodiscard]] std::vector<secrets::VaultSecretRequest> needed_requests(
    const std::vector<secrets::VaultSecretRequest>& requests, const workflow::SecretRefs& needs,
    const std::set<std::string>& known);

/// Reads the secrets the vault-action `lines` name (each path once). With `needs`, only the
/// needed requests (see needed_requests); without any, Vault is neither asked nor must be
/// reachable. With SecretReach::local_only the lines and settings are checked and nothing is sent.
[[nodiscard]] Result<std::vector<SecretEntry>> fetch_vault_secrets(const std::vector<std::string>& lines,
                                                                   const secrets::VaultSources& sources,
                                                                   SecretReach reach,
                                                                   const workflow::SecretRefs* needs = nullptr,
                                                                   const std::set<std::string>& known = {});

}  // namespace pipeline::runner::job

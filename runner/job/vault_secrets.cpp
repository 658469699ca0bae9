#include "runner/job/vault_secrets.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "runner/job/run_inputs.hpp"
#include "runner/job/run_select.hpp"

namespace pipeline::runner::job {

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

}  // namespace

workflow::SecretRefs secrets_needed(const RunOptions& options, const std::vector<SelectedWorkflow>& workflows) {
  workflow::SecretRefs needs;
  const bool any_vault = !options.vault_secrets.empty() ||
                         std::any_of(options.environments.begin(), options.environments.end(),
                                     [](const auto& env) { return !env.second.vault_secrets.empty(); });
  if (!any_vault) {
    return needs;  // only Vault is read lazily: nothing else needs the scan
  }
  for (const auto& selected : workflows) {
    needs.merge(workflow::secrets_of_jobs(*selected.workflow, selected.graph.topological_order()));
  }
  return needs;
}

std::vector<secrets::VaultSecretRequest> needed_requests(const std::vector<secrets::VaultSecretRequest>& requests,
                                                         const workflow::SecretRefs& needs,
                                                         const std::set<std::string>& known) {
  // A wildcard's names are only known once Vault answers: it is read when a needed name has no
  // other source (the names read by the other requests count as known).
  std::set<std::string> known_upper;
  for (const auto& name : known) {
    known_upper.insert(upper(name));
  }
  for (const auto& request : requests) {
    if (request.wildcard == secrets::Wildcard::none) {
      known_upper.insert(upper(request.name));
    }
  }
  const bool unknown_needed =
      needs.all || std::any_of(needs.names.begin(), needs.names.end(),
                               [&](const std::string& name) { return known_upper.count(name) == 0; });
  std::vector<secrets::VaultSecretRequest> out;
  for (const auto& request : requests) {
    const bool wanted = request.wildcard != secrets::Wildcard::none
                            ? unknown_needed
                            : needs.can_read(request.name) || upper(request.name) == "GITHUB_TOKEN";
    if (wanted) {
      out.push_back(request);
    }
  }
  return out;
}

Result<std::vector<SecretEntry>> fetch_vault_secrets(const std::vector<std::string>& lines,
                                                     const secrets::VaultSources& sources, SecretReach reach,
                                                     const workflow::SecretRefs* needs,
                                                     const std::set<std::string>& known) {
  std::string text;
  for (const auto& line : lines) {
    text += line + ";";
  }
  auto requests = secrets::parse_vault_secrets(text);
  if (!requests) {
    return requests.error();
  }
  if (needs) {
    *requests = needed_requests(*requests, *needs, known);
  }
  if (requests->empty()) {
    return std::vector<SecretEntry>{};
  }
  auto settings = secrets::resolve_vault_settings(sources, secrets::environment_lookup());
  if (!settings) {
    return settings.error();
  }
  if (reach == SecretReach::local_only) {
    return std::vector<SecretEntry>{};
  }
  secrets::VaultClient client(std::move(*settings));
  if (auto login = client.login(); !login) {
    return login.error();
  }
  std::map<std::string, secrets::VaultData> read;
  std::vector<SecretEntry> out;
  for (const auto& request : *requests) {
    if (!read.count(request.path)) {
      auto data = client.read(request.path);
      if (!data) {
        return data.error();
      }
      read[request.path] = std::move(*data);
    }
    const auto& data = read[request.path];
    const std::string origin = "vault " + request.path;
    if (request.wildcard != secrets::Wildcard::none) {
      for (const auto& [key, value] : data) {
        out.push_back({secrets::wildcard_secret_name(key, request.wildcard, request.name), value, origin});
      }
      continue;
    }
    const auto it = data.find(request.selector);
    if (it == data.end()) {
      return Error{"vault: '" + request.path + "' has no key '" + request.selector + "'"};
    }
    out.push_back({request.name, it->second, origin});
  }
  return out;
}

}  // namespace pipeline::runner::job

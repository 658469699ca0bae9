#include "runner/secrets/vault_action.hpp"

#include <cctype>
#include <sstream>

namespace pipeline::runner::secrets {

namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) {
    out.push_back(word);
  }
  return out;
}

std::string upper(std::string text) {
  for (auto& c : text) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

bool valid_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) {
    return false;
  }
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

Result<VaultSecretRequest> parse_entry(std::string_view entry) {
  const std::string text = trim(entry);
  const auto bar = text.rfind('|');
  const std::string head = bar == std::string::npos ? text : text.substr(0, bar);
  const auto parts = words(head);
  if (parts.size() != 2) {
    return Error{"vault secret '" + text + "': expected '<path> <selector> [| NAME]' (" +
                 std::to_string(parts.size()) + " words before the name)"};
  }
  VaultSecretRequest request{parts[0], parts[1], "", Wildcard::none};
  if (request.selector == "*" || request.selector == "**") {
    request.wildcard = request.selector == "*" ? Wildcard::upper_case : Wildcard::keep_case;
  }
  if (bar != std::string::npos) {
    request.name = trim(std::string_view(text).substr(bar + 1));
    if (!valid_name(request.name)) {
      return Error{"vault secret '" + text + "': '" + request.name +
                   "' is not a valid name (letters, digits and _, not starting with a digit)"};
    }
  } else if (request.wildcard == Wildcard::none) {
    request.name = default_secret_name(request.selector);
  }
  return request;
}

}  // namespace

Result<std::vector<VaultSecretRequest>> parse_vault_secrets(std::string_view text) {
  std::vector<VaultSecretRequest> out;
  std::string errors;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(';', start), text.size());
    const auto entry = text.substr(start, end - start);
    start = end + 1;
    if (trim(entry).empty()) {
      continue;
    }
    auto request = parse_entry(entry);
    if (!request) {
      errors += (errors.empty() ? "" : "\n") + request.error().message;
      continue;
    }
    out.push_back(std::move(*request));
  }
  if (!errors.empty()) {
    return Error{errors};
  }
  return out;
}

// vault-action normalises a key the same way for a default name and for a wildcard's names.
std::string normalised_key(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '.') {
      out += "__";
    } else if (c == '-') {
      continue;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      out += c;
    }
  }
  return out;
}

std::string default_secret_name(std::string_view key) { return upper(normalised_key(key)); }

std::string wildcard_secret_name(std::string_view key, Wildcard wildcard, std::string_view prefix) {
  std::string name = std::string(prefix) + normalised_key(key);
  return wildcard == Wildcard::keep_case ? name : upper(std::move(name));
}

}  // namespace pipeline::runner::secrets

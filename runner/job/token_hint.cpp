#include "runner/job/token_hint.hpp"

#include "runner/job/run_options.hpp"

namespace pipeline::runner::engine {

bool is_missing_token_message(std::string_view line) {
  // Conservative on purpose: only messages that name the token, never any failure.
  constexpr std::string_view k_messages[] = {
      "Parameter token or opts.auth is required",          // @actions/github's getOctokit
      "Input required and not supplied: github-token",     // an action whose github-token input is empty
      "Input required and not supplied: token",            // the same, for actions naming it `token`
      "Bad credentials",                                   // the REST API's 401 for a missing or bad token
      "Requires authentication",                           // the REST API's 401 without a token
  };
  for (const auto message : k_messages) {
    if (line.find(message) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

TokenHint::TokenHint(const RunOptions& options) {
  m_token_given = options.github_token_from_env;
}

void TokenHint::handle(const Event& event) {
  if (m_token_given || m_earned) {
    return;
  }
  const std::string key = event.job + '\n' + event.step;
  switch (event.kind) {
    case EventKind::output:
      if (is_missing_token_message(event.text)) {
        m_suspect[key] = true;
      }
      break;
    case EventKind::annotation:
      if (is_missing_token_message(event.annotation.message)) {
        m_suspect[key] = true;
      }
      break;
    case EventKind::step_finished:
      m_earned = event.result == NodeResult::failure && m_suspect[key];
      m_suspect.erase(key);
      break;
    default: break;
  }
}

void TokenHint::print(std::ostream& out) const {
  if (m_earned && !m_token_given) {
    out << "pipe: hint: a step failed for want of a GitHub token; give one with -s GITHUB_TOKEN=... "
           "or --github-token-from-env\n";
  }
}

}  // namespace pipeline::runner::engine

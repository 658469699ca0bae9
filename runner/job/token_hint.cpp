#include "runner/job/token_hint.hpp"

#include <algorithm>

#include "runner/job/run_options.hpp"

namespace pipeline::runner::job {

namespace {

constexpr std::size_t k_tail_bytes = 8192;  // the messages come last, just before the step fails

}  // namespace

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

void TokenHint::handle(const engine::Event& event) {
  if (m_token_given || m_earned) {
    return;
  }
  const std::string key = event.job + '\n' + event.step;
  switch (event.kind) {
    case engine::EventKind::output: {
      // Output is the hot path: keep only its end, and read that once the step has failed.
      std::string& tail = m_tails[key];
      const std::string_view text = event.text;
      tail.append(text.substr(text.size() - std::min(text.size(), k_tail_bytes)));
      if (tail.size() > 2 * k_tail_bytes) {
        tail.erase(0, tail.size() - k_tail_bytes);
      }
      break;
    }
    case engine::EventKind::annotation:
      if (is_missing_token_message(event.annotation.message)) {
        m_suspect[key] = true;
      }
      break;
    case engine::EventKind::step_finished:
      m_earned = event.result == engine::NodeResult::failure && (m_suspect[key] || is_missing_token_message(m_tails[key]));
      m_suspect.erase(key);
      m_tails.erase(key);
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

}  // namespace pipeline::runner::job

#pragma once
// A hint when a step fails for want of a GitHub token: a local run has no GITHUB_TOKEN unless
// the user gives one, and the failing action's message does not say how.
#include <atomic>
#include <map>
#include <ostream>
#include <string>
#include <string_view>

#include "runner/engine/reporter.hpp"
#include "runner/job/run_options.hpp"

namespace pipeline::runner::job {

/// Whether a line is one of the well-known messages of a missing or refused token
/// (actions/github-script, @actions/github, an action's required `github-token` input, HTTP 401).
[[nodiscard]] bool is_missing_token_message(std::string_view line);

/// Watches the run's events; a step that fails after printing a missing-token message earns one
/// hint, printed when the run ends, unless a token was given.
class TokenHint final : public engine::EventSink {
public:
  explicit TokenHint(const RunOptions& options);

  /// Called once the secrets are known: with a token there is nothing to hint.
  void set_token_given(bool given) { m_token_given = given; }
  void handle(const engine::Event& event) override;
  /// Prints the hint when a step earned it.
  void print(std::ostream& out) const;

private:
  std::atomic<bool> m_token_given{false};
  std::map<std::string, bool> m_suspect;      // "job\nstep" → an annotation named a missing token
  std::map<std::string, std::string> m_tails;  // "job\nstep" → the last bytes of its output
  bool m_earned = false;
};

}  // namespace pipeline::runner::job

#include "runner/job/checkout.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "actions/git_store.hpp"
#include "runner/engine/script.hpp"

namespace pipeline::runner::job {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool is_current(const CheckoutRequest& request) {
  return request.repository.empty() || lower(request.repository) == lower(request.current_repository);
}

Result<void> copy_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing | fs::copy_options::copy_symlinks,
           ec);
  if (ec) {
    return Error{"cannot copy " + from.string() + " to " + to.string() + ": " + ec.message()};
  }
  return {};
}

std::string ignored_notice(const std::vector<std::string>& ignored) {
  std::string text = "actions/checkout: the workspace is the local repository as it is; ignored: ";
  for (std::size_t i = 0; i < ignored.size(); ++i) {
    text += (i ? ", " : "") + ignored[i];
  }
  return text;
}

/// Writes the tree of commit `sha` of the user's repository over `target` (files already there
/// and not in the commit stay, as a copy of the tracked files leaves them).
Result<void> export_over(const CheckoutRequest& request, const std::string& sha, const fs::path& target) {
  const fs::path scratch = fs::temp_directory_path() / ("pipe-checkout-" + engine::random_script_name());
  auto exported = actions::export_local_commit(request.source, sha, scratch.string());
  auto copied = exported ? copy_tree(scratch, target) : exported;
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return copied;
}

/// The current repository: it is the workspace already. `path:` gets the tracked files, or the
/// tree of the commit `ref:` names; `ref:` into the workspace itself is honoured only when it is
/// the commit checked out, since the workspace is the user's own working tree.
Result<std::vector<std::string>> checkout_current(const CheckoutRequest& request, const fs::path& target,
                                                  bool into_workspace) {
  std::vector<std::string> ignored;
  if (!request.fetch_depth.empty() && request.fetch_depth != "1") {
    ignored.push_back("fetch-depth " + request.fetch_depth);
  }
  const std::string head = actions::local_ref_sha(request.source, "HEAD");
  std::string sha;
  if (!request.ref.empty() && !head.empty()) {
    sha = actions::local_ref_sha(request.source, request.ref);
    if (sha.empty()) {
      return Error{"actions/checkout: ref '" + request.ref + "' names no branch, tag or commit of the local repository"};
    }
  }
  std::vector<std::string> notices;
  if (!request.ref.empty() && (head.empty() || (into_workspace && sha != head))) {
    ignored.push_back("ref '" + request.ref + "'" +
                      (head.empty() ? std::string(" (not a git repository)")
                                    : " (another commit than your working tree's; give path: to check it out beside it)"));
  }
  if (!ignored.empty()) {
    notices.push_back(ignored_notice(ignored));
  }
  if (into_workspace) {
    return notices;
  }
  if (!sha.empty()) {
    if (auto exported = export_over(request, sha, target); !exported) {
      return exported.error();
    }
    notices.push_back("actions/checkout: " + request.ref + " (" + sha.substr(0, 12) + ") of the local repository into " +
                      request.path);
    return notices;
  }
  if (auto copied = actions::copy_tracked_files(request.source, target.string()); !copied) {
    return copied.error();
  }
  notices.push_back("actions/checkout: copied the repository's tracked files into " + request.path);
  return notices;
}

}  // namespace

bool is_checkout(const std::string& uses) {
  return lower(uses).rfind("actions/checkout@", 0) == 0;
}

Result<std::vector<std::string>> local_checkout(const CheckoutRequest& request, actions::Resolver& resolver) {
  const fs::path target = (fs::path(request.workspace) / request.path).lexically_normal();
  const bool into_workspace = target == fs::path(request.workspace).lexically_normal();
  if (is_current(request)) {
    return checkout_current(request, target, into_workspace);
  }
  const auto slash = request.repository.find('/');
  if (slash == std::string::npos) {
    return Error{"actions/checkout: repository '" + request.repository + "' is not owner/name"};
  }
  actions::ActionRef ref;
  ref.kind = actions::ActionKind::git;
  ref.owner = request.repository.substr(0, slash);
  ref.repo = request.repository.substr(slash + 1);
  ref.ref = request.ref.empty() ? "HEAD" : request.ref;
  auto fetched = resolver.fetch(ref);
  if (!fetched) {
    return fetched.error();
  }
  if (auto copied = copy_tree(fetched->dir, target); !copied) {
    return copied.error();
  }
  return std::vector<std::string>{"actions/checkout: " + request.repository + " at " + fetched->sha + " into " +
                                  (request.path.empty() ? std::string(".") : request.path)};
}

}  // namespace pipeline::runner::job

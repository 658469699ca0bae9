#include "runner/engine/checkout.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "actions/git_store.hpp"

namespace pipeline::runner::engine {

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

std::vector<std::string> ignored_notice(const CheckoutRequest& request) {
  std::vector<std::string> ignored;
  if (!request.ref.empty()) {
    ignored.push_back("ref '" + request.ref + "'");
  }
  if (!request.fetch_depth.empty() && request.fetch_depth != "1") {
    ignored.push_back("fetch-depth " + request.fetch_depth);
  }
  if (ignored.empty()) {
    return {};
  }
  std::string text = "actions/checkout: the workspace is the local repository as it is; ignored: ";
  for (std::size_t i = 0; i < ignored.size(); ++i) {
    text += (i ? ", " : "") + ignored[i];
  }
  return {text};
}

}  // namespace

bool is_checkout(const std::string& uses) {
  return lower(uses).rfind("actions/checkout@", 0) == 0;
}

Result<std::vector<std::string>> local_checkout(const CheckoutRequest& request, actions::Resolver& resolver) {
  const fs::path target = (fs::path(request.workspace) / request.path).lexically_normal();
  const bool into_workspace = target == fs::path(request.workspace).lexically_normal();
  if (is_current(request)) {
    auto notices = ignored_notice(request);
    if (!into_workspace) {
      if (auto copied = actions::copy_tracked_files(request.source, target.string()); !copied) {
        return copied.error();
      }
      notices.push_back("actions/checkout: copied the repository's tracked files into " + request.path);
    }
    return notices;
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

}  // namespace pipeline::runner::engine

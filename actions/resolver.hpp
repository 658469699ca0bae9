#pragma once
// Turns the text of a `uses:` into an action directory and its manifest: a path in the
// workspace, a commit of a git repository fetched into the cache, or a container image.
#include <cstddef>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/model.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::actions {

/// Where an action comes from.
enum class ActionKind { local, git, docker };

/// The pieces of a `uses:` text, before anything is fetched.
struct ActionRef {
  ActionKind kind = ActionKind::local;
  std::string text;      // as written
  std::string path;      // local: the path relative to the workspace
  std::string owner;     // git
  std::string repo;      // git
  std::string sub_path;  // git: the directory inside the repository ("" for the root)
  std::string ref;       // git: tag, branch or full commit SHA
  std::string image;     // docker: the image reference without `docker://`
};

/// Splits `uses:` text as GitHub reads it; malformed text is an Error with GitHub's wording.
/// `$/path` is a local path here: the tree pipe runs (see anchor_self_reference).
[[nodiscard]] Result<ActionRef> parse_uses(std::string_view uses);

/// An action ready to run: its directory, its manifest (not for `docker://`), and what it is.
struct ResolvedAction {
  ActionKind kind = ActionKind::local;
  std::string dir;         // absolute directory holding action.yml (empty for docker://)
  std::string repository;  // owner/repo for git actions
  std::string ref;         // as written after '@'
  std::string sha;         // the commit the ref resolved to
  std::string image;       // docker://
  bool downloaded = false; // this resolution fetched the repository (the first of the run)
  std::optional<workflow::ActionManifest> manifest;
};

/// Whether `uses` is `$/path`: the repository of the file that says it, at the running revision.
[[nodiscard]] bool is_self_reference(std::string_view uses);

/// Where a `$/path` points from inside `enclosing` (nullptr: from the workflow itself): inside an
/// action fetched from a repository, that repository at the same ref (`owner/repo/path@ref`);
/// anywhere else the tree pipe runs (`./path`). Any other text is returned unchanged.
[[nodiscard]] std::string anchor_self_reference(std::string_view uses, const ResolvedAction* enclosing);

/// Whether the network may be used.
enum class Network { online, offline };

/// How actions are found.
struct ResolverOptions {
  std::string base_url = "https://github.com/";  // owner/repo is appended
  std::string cache_dir;                          // empty: $XDG_CACHE_HOME or ~/.cache, + /pipe/actions
  Network network = Network::online;
  std::vector<std::pair<std::string, std::string>> overrides;  // owner/repo@ref -> local directory
  /// Takes one line per resolution step (override, cache hit, fetch) when set; unset, nothing is built.
  std::function<void(const std::string&)> trace;
};

/// The default cache directory: `$XDG_CACHE_HOME/pipe/actions` or `~/.cache/pipe/actions`.
[[nodiscard]] std::string default_cache_dir();

/// Resolves `uses:` texts; thread-safe, and each remote action is fetched once per resolver.
class Resolver {
public:
  explicit Resolver(ResolverOptions options);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  /// Resolves `uses` and loads its manifest; `workspace` anchors `./` paths.
  [[nodiscard]] Result<ResolvedAction> resolve(std::string_view uses, const std::string& workspace);

  /// Resolves a git `owner/repo[/path]@ref` to a checked-out directory (no manifest is read).
  [[nodiscard]] Result<ResolvedAction> fetch(const ActionRef& ref);

  /// The repository and commit a file fetched by this resolver belongs to (for `$/` written in
  /// it); nullopt for a file outside the cache, such as the tree pipe runs.
  [[nodiscard]] std::optional<ResolvedAction> origin_of(const std::string& file) const;

  /// The directory remote actions are checked out under.
  [[nodiscard]] const std::string& cache_dir() const { return m_options.cache_dir; }

  /// How many times a remote repository was actually fetched over the network.
  [[nodiscard]] std::size_t fetch_count() const;

private:
  struct Checkout {
    std::string root;  // the checkout of the whole commit
    std::string sha;
    bool downloaded = false;
  };
  [[nodiscard]] Result<Checkout> checkout_once(const ActionRef& ref, bool& first);
  [[nodiscard]] Result<Checkout> checkout(const ActionRef& ref);
  [[nodiscard]] std::mutex& repo_mutex(const std::string& key);

  ResolverOptions m_options;
  mutable std::mutex m_mutex;
  std::map<std::string, std::shared_future<Result<Checkout>>> m_checkouts;  // owner/repo@ref
  std::map<std::string, std::unique_ptr<std::mutex>> m_repo_mutexes;        // owner/repo
  std::size_t m_fetches = 0;
};

/// Loads the manifest of an action directory, with diagnostics formatted at their line.
[[nodiscard]] Result<workflow::ActionManifest> load_manifest(const std::string& dir, const std::string& uses);

}  // namespace pipeline::actions

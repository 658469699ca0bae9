#include "actions/resolver.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "actions/git_store.hpp"
#include "workflow/loader.hpp"

namespace pipeline::actions {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_full_sha_length = 40;
constexpr std::size_t k_shortest_sha = 7;

bool is_hex(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// A ref as a file name: branch names may hold '/'.
std::string ref_file_name(const std::string& ref) {
  std::string name;
  for (char c : ref) {
    name += c == '/' ? std::string("%2F") : std::string(1, c);
  }
  return name;
}

std::string action_text(const ActionRef& ref) {
  return ref.owner + "/" + ref.repo + (ref.sub_path.empty() ? "" : "/" + ref.sub_path) + "@" + ref.ref;
}

Error unresolved(const ActionRef& ref) {
  return Error{"Unable to resolve action `" + action_text(ref) + "`, unable to find version `" + ref.ref + "`"};
}

Error short_sha(const ActionRef& ref, const std::string& full) {
  std::string message = "Unable to resolve action `" + action_text(ref) + "`, the provided ref `" + ref.ref +
                        "` is the shortened version of a commit SHA, which is not supported. Please use the full "
                        "commit SHA";
  return Error{message + (full.empty() ? "" : " `" + full + "`") + " instead."};
}

/// Writes `text` through a temporary file and a rename, so concurrent readers never see half.
void write_atomically(const fs::path& path, const std::string& text) {
  static std::atomic<int> sequence{0};
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const fs::path temp = path.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++sequence);
  std::ofstream(temp, std::ios::binary) << text;
  fs::rename(temp, path, ec);
}

}  // namespace

bool is_self_reference(std::string_view uses) {
  return uses.rfind("$/", 0) == 0;
}

std::string anchor_self_reference(std::string_view uses, const ResolvedAction* enclosing) {
  if (!is_self_reference(uses)) {
    return std::string(uses);
  }
  std::string path(uses.substr(2));
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  if (enclosing != nullptr && enclosing->kind == ActionKind::git) {
    return enclosing->repository + (path.empty() ? "" : "/" + path) + "@" + enclosing->ref;
  }
  return "./" + path;
}

Result<ActionRef> parse_uses(std::string_view uses) {
  ActionRef ref;
  ref.text = std::string(uses);
  if (is_self_reference(uses)) {
    ref.kind = ActionKind::local;
    ref.path = anchor_self_reference(uses, nullptr);
    return ref;
  }
  if (uses.rfind("docker://", 0) == 0) {
    ref.kind = ActionKind::docker;
    ref.image = std::string(uses.substr(9));
    return ref;
  }
  if (uses.rfind("./", 0) == 0 || uses == ".") {
    ref.kind = ActionKind::local;
    ref.path = std::string(uses);
    return ref;
  }
  const auto at = uses.rfind('@');
  const auto slash = uses.find('/');
  if (at == std::string_view::npos || slash == std::string_view::npos || slash > at || at + 1 == uses.size() ||
      slash == 0 || slash + 1 == at) {
    return Error{"Expected format {org}/{repo}[/path]@ref. Actual '" + std::string(uses) + "'"};
  }
  ref.kind = ActionKind::git;
  ref.owner = std::string(uses.substr(0, slash));
  const std::string_view rest = uses.substr(slash + 1, at - slash - 1);
  const auto sub = rest.find('/');
  ref.repo = std::string(rest.substr(0, sub));
  ref.sub_path = sub == std::string_view::npos ? "" : std::string(rest.substr(sub + 1));
  ref.ref = std::string(uses.substr(at + 1));
  return ref;
}

std::string default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/pipe/actions";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/pipe/actions";
}

Result<workflow::ActionManifest> load_manifest(const std::string& dir, const std::string& uses) {
  std::error_code ec;
  fs::path file = fs::path(dir) / "action.yml";
  if (!fs::exists(file, ec)) {
    file = fs::path(dir) / "action.yaml";
  }
  if (!fs::exists(file, ec)) {
    return Error{"Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '" + dir + "' (uses: " + uses +
                 "). Did you forget to run actions/checkout before running your local action?"};
  }
  auto loaded = workflow::load_action_manifest_file(file);
  if (loaded.manifest && !workflow::has_errors(loaded.diagnostics)) {
    return std::move(*loaded.manifest);
  }
  const std::string source = read_text(file);
  std::string message;
  for (const auto& d : loaded.diagnostics) {
    message += workflow::format_diagnostic(d, source);
  }
  if (message.empty()) {
    message = file.string() + ": error: not a usable action manifest";
  }
  return Error{message};
}

Resolver::Resolver(ResolverOptions options) : m_options(std::move(options)) {
  if (m_options.cache_dir.empty()) {
    m_options.cache_dir = default_cache_dir();
  }
  if (!m_options.base_url.empty() && m_options.base_url.back() != '/') {
    m_options.base_url += '/';
  }
}

Resolver::~Resolver() = default;

std::size_t Resolver::fetch_count() const {
  std::lock_guard lock(m_mutex);
  return m_fetches;
}

std::mutex& Resolver::repo_mutex(const std::string& key) {
  std::lock_guard lock(m_mutex);
  auto& slot = m_repo_mutexes[key];
  if (!slot) {
    slot = std::make_unique<std::mutex>();
  }
  return *slot;
}

Result<Resolver::Checkout> Resolver::checkout_once(const ActionRef& ref, bool& first) {
  const std::string key = ref.owner + "/" + ref.repo + "@" + ref.ref;
  std::promise<Result<Checkout>> promise;
  std::shared_future<Result<Checkout>> future;
  bool mine = false;
  {
    std::lock_guard lock(m_mutex);
    auto it = m_checkouts.find(key);
    if (it == m_checkouts.end()) {
      future = promise.get_future().share();
      m_checkouts.emplace(key, future);
      mine = true;
    } else {
      future = it->second;
    }
  }
  if (mine) {
    promise.set_value(checkout(ref));
  }
  first = mine;
  return future.get();
}

Result<Resolver::Checkout> Resolver::checkout(const ActionRef& ref) {
  const fs::path repo_dir = fs::path(m_options.cache_dir) / ref.owner / ref.repo;
  const std::string mirror = (repo_dir / ".mirror").string();
  const fs::path ref_file = repo_dir / ".refs" / ref_file_name(ref.ref);
  const std::string url = m_options.base_url + ref.owner + "/" + ref.repo;
  const bool offline = m_options.network == Network::offline;
  std::error_code ec;

  std::string sha;
  if (ref.ref.size() == k_full_sha_length && is_hex(ref.ref)) {
    sha = ref.ref;
  } else if (offline) {
    sha = read_text(ref_file);
  } else {
    auto remote = remote_ref_sha(url, ref.ref);
    if (!remote) {
      return Error{"Unable to resolve action `" + action_text(ref) + "`: " + remote.error().message};
    }
    sha = *remote;
  }
  if (sha.empty() && offline) {
    return Error{"--offline: the action `" + action_text(ref) + "` is not in the cache (" + repo_dir.string() + ")"};
  }
  if (!sha.empty() && fs::is_directory(repo_dir / sha, ec)) {
    if (!offline && sha != ref.ref) {
      write_atomically(ref_file, sha);
    }
    if (m_options.trace) {
      m_options.trace("action " + action_text(ref) + ": cache hit " + sha + " in " + repo_dir.string());
    }
    return Checkout{(repo_dir / sha).string(), sha};
  }
  if (offline) {
    return Error{"--offline: the action `" + action_text(ref) + "` is not in the cache (" + repo_dir.string() + ")"};
  }

  std::lock_guard repo_lock(repo_mutex(ref.owner + "/" + ref.repo));
  if (m_options.trace) {
    m_options.trace("action " + action_text(ref) + ": not cached (" + (sha.empty() ? "ref unknown" : sha) +
                    "), fetching " + url);
  }
  if (auto fetched = fetch_mirror(mirror, url); !fetched) {
    return Error{"Unable to resolve action `" + action_text(ref) + "`: " + fetched.error().message};
  }
  {
    std::lock_guard lock(m_mutex);
    ++m_fetches;
  }
  if (sha.empty()) {
    if (ref.ref.size() >= k_shortest_sha && ref.ref.size() < k_full_sha_length && is_hex(ref.ref)) {
      return short_sha(ref, find_commit_by_prefix(mirror, ref.ref));
    }
    return unresolved(ref);
  }
  if (mirror_ref_sha(mirror, sha).empty()) {
    return unresolved(ref);
  }
  const fs::path target = repo_dir / sha;
  const fs::path temp = repo_dir / (sha + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(temp, ec);
  if (auto exported = export_commit(mirror, sha, temp.string()); !exported) {
    fs::remove_all(temp, ec);
    return exported.error();
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove_all(temp, ec);  // another pipe exported the same commit first
  }
  if (sha != ref.ref) {
    write_atomically(ref_file, sha);
  }
  return Checkout{target.string(), sha, true};
}

std::optional<ResolvedAction> Resolver::origin_of(const std::string& file) const {
  // Checkouts live at <cache>/<owner>/<repo>/<sha>/ (see checkout()).
  const fs::path relative = fs::path(file).lexically_normal().lexically_relative(
      fs::path(m_options.cache_dir).lexically_normal());
  std::vector<std::string> parts;
  for (const auto& part : relative) {
    parts.push_back(part.string());
  }
  if (parts.size() < 4 || parts.front() == ".." || parts.front() == "." || !is_hex(parts[2])) {
    return std::nullopt;
  }
  ResolvedAction origin;
  origin.kind = ActionKind::git;
  origin.repository = parts[0] + "/" + parts[1];
  origin.ref = parts[2];
  origin.sha = parts[2];
  return origin;
}

Result<ResolvedAction> Resolver::fetch(const ActionRef& ref) {
  ResolvedAction action;
  action.kind = ActionKind::git;
  action.repository = ref.owner + "/" + ref.repo;
  action.ref = ref.ref;
  for (const auto& [name, path] : m_options.overrides) {
    if (name == action.repository + "@" + ref.ref) {
      action.dir = (fs::absolute(path) / ref.sub_path).lexically_normal().string();
      if (m_options.trace) {
        m_options.trace("action " + name + ": overridden by " + action.dir);
      }
      return action;
    }
  }
  bool first = false;
  auto checkout = checkout_once(ref, first);
  if (!checkout) {
    return checkout.error();
  }
  action.sha = checkout->sha;
  action.downloaded = first && checkout->downloaded;
  if (m_options.trace) {
    m_options.trace("action " + action_text(ref) + ": resolved to " + checkout->sha +
                    (first ? (checkout->downloaded ? " (downloaded)" : " (from the cache)") : " (already resolved in this run)"));
  }
  action.dir = ref.sub_path.empty() ? checkout->root : (fs::path(checkout->root) / ref.sub_path).string();
  return action;
}

Result<ResolvedAction> Resolver::resolve(std::string_view uses, const std::string& workspace) {
  auto ref = parse_uses(uses);
  if (!ref) {
    return ref.error();
  }
  ResolvedAction action;
  if (ref->kind == ActionKind::docker) {
    action.kind = ActionKind::docker;
    action.image = ref->image;
    return action;
  }
  if (ref->kind == ActionKind::local) {
    action.kind = ActionKind::local;
    action.dir = (fs::path(workspace) / ref->path).lexically_normal().string();
    if (!action.dir.empty() && action.dir.back() == '/') {
      action.dir.pop_back();
    }
  } else {
    auto fetched = fetch(*ref);
    if (!fetched) {
      return fetched.error();
    }
    action = std::move(*fetched);
  }
  auto manifest = load_manifest(action.dir, std::string(uses));
  if (!manifest) {
    return manifest.error();
  }
  action.manifest = std::move(*manifest);
  return action;
}

}  // namespace pipeline::actions

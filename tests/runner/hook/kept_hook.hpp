#pragma once
// What a hook that runs its jobs in containers keeps between commits, found and removed by the
// test that made it: its containers (by the export directory in their workflow label), their
// host directories and the repository's stable export directory.
#include <filesystem>
#include <string>
#include <vector>

#include "runner/docker/engine_client.hpp"
#include "runner/hook/scratch_dir.hpp"
#include "runner/hook/warm_export.hpp"

namespace pipeline::test {

/// The containers the hook of the work tree at `root` keeps (`job`: only that job's).
inline std::vector<std::string> kept_hook_containers(runner::docker::EngineClient& client,
                                                     const std::filesystem::path& root, const std::string& job = "") {
  std::vector<std::string> ids;
  auto found = client.list_containers(job.empty() ? "pipe.reuse.job" : "pipe.reuse.job=" + job);
  if (!found) {
    return ids;
  }
  std::vector<std::string> names{runner::hook::warm_export_name(root)};
  std::error_code ec;
  if (auto canonical = std::filesystem::canonical(root, ec); !ec) {
    names.push_back(runner::hook::warm_export_name(canonical));
  }
  for (auto& item : *found) {
    for (const auto& name : names) {
      if (item.labels["pipe.reuse.workflow"].find("/" + name + "/") != std::string::npos) {
        ids.push_back(item.id);
        break;
      }
    }
  }
  return ids;
}

/// Removes, when it goes, what the hooks of the work trees `roots` kept: their containers, the
/// containers' host directories and the stable export directories. No engine: only the directories.
class KeptHookCleanup {
public:
  explicit KeptHookCleanup(std::vector<std::filesystem::path> roots) : m_roots(std::move(roots)) {}
  ~KeptHookCleanup() {
    auto client = runner::docker::EngineClient::connect_from_environment();
    for (const auto& root : m_roots) {
      if (client) {
        remove_containers(**client, root);
      }
      remove_export_dirs(root);
    }
  }
  KeptHookCleanup(const KeptHookCleanup&) = delete;
  KeptHookCleanup& operator=(const KeptHookCleanup&) = delete;

private:
  static void remove_containers(runner::docker::EngineClient& client, const std::filesystem::path& root) {
    for (const auto& id : kept_hook_containers(client, root)) {
      auto info = client.inspect_container(id);
      (void)client.remove_container(id);
      if (!info) {
        continue;
      }
      const auto dir = info->labels.find("pipe.reuse.dir");
      if (dir != info->labels.end() && dir->second.find("pipe-reuse-") != std::string::npos) {
        std::error_code ec;
        std::filesystem::remove_all(dir->second, ec);
        std::filesystem::remove(dir->second + ".lock", ec);
      }
    }
  }

  static void remove_export_dirs(const std::filesystem::path& root) {
    namespace hook = runner::hook;
    const std::filesystem::path parent = hook::choose_scratch_parent(hook::scratch_candidates(), 0);
    std::error_code ec;
    for (const auto& path : {root, std::filesystem::weakly_canonical(root, ec)}) {
      const std::filesystem::path dir = parent / hook::warm_export_name(path);
      std::filesystem::remove_all(dir, ec);
      std::filesystem::remove(dir.string() + ".lock", ec);
    }
  }

  std::vector<std::filesystem::path> m_roots;
};

}  // namespace pipeline::test

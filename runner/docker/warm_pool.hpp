#pragma once
// Warm job containers: when a run will need more containers of one configuration (the rest of a
// matrix, parallel jobs waiting for a slot or for their needs), they are created and started while
// earlier jobs run, so a later job takes a started container instead of waiting for one. A warm container is made from the parts of a job
// container that do not depend on the job (image, mounts, options, labels); it carries no secret,
// no job env and no temp dir of a job until one takes it. A taken container is the job's alone
// and goes at its teardown; the pool removes the containers nobody took when it ends.
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/docker/engine_client.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// `pipe.role=warm` marks a container no job has taken yet (the job's role label stays "warm" once taken).
inline constexpr const char* k_warm_role = "warm";

/// The text in a warm create body's Binds that stands for the container's own host directory.
inline constexpr const char* k_warm_dir_placeholder = "@PIPE_WARM_DIR@";

/// A started job container no job has taken.
struct WarmContainer {
  std::string id;
  std::string host_dir;  // bind-mounted at its own path: the taking job's temp dirs go inside
  bool has_bash = true;
};

/// Readies a started warm container (the step agent installed, say); runs on the pool's thread.
using WarmReady = std::function<void(const WarmContainer&)>;

/// The warm containers of one run, by configuration; thread-safe.
class WarmPool {
public:
  /// `on_ready` runs on each container once it has started; `status` gets failures, for the log.
  WarmPool(EngineClient& client, WarmReady on_ready, std::function<void(const std::string&)> status);
  /// Waits for containers being made, then removes every container nobody took, with its directory.
  ~WarmPool();
  WarmPool(const WarmPool&) = delete;
  WarmPool& operator=(const WarmPool&) = delete;

  /// A started container of configuration `key`, now the caller's; one being made and claimed by
  /// no other job is waited for. Nullopt when there is none (or its making failed).
  [[nodiscard]] std::optional<WarmContainer> take(const std::string& key);
  /// Makes containers of `key` from `body` (its Binds name k_warm_dir_placeholder), each with a
  /// fresh directory under `dir_parent`, until the unclaimed ones ready or being made reach
  /// min(`cap`, `jobs_to_come()`). `jobs_to_come` is asked under the pool's lock: a job that
  /// counts itself as started before its take is either not counted or finds one to claim.
  void top_up(const std::string& key, const nlohmann::json& body, const std::string& dir_parent, int cap,
              const std::function<int()>& jobs_to_come);
  /// Waits until no container is being made (tests and benches wait for warmth this way).
  void wait_idle();
  /// Removes what nobody took and refuses to make more; the destructor does this too.
  void close();

private:
  struct Stock {
    int making = 0;
    int claimed = 0;  // takers waiting for one being made
    std::vector<WarmContainer> ready;
    [[nodiscard]] int unclaimed() const { return making + static_cast<int>(ready.size()) - claimed; }
  };

  [[nodiscard]] Result<WarmContainer> make(const nlohmann::json& body, const std::string& dir_parent);
  void discard(const WarmContainer& container);

  EngineClient& m_client;
  WarmReady m_on_ready;
  std::function<void(const std::string&)> m_status;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::map<std::string, Stock> m_stock;
  std::vector<std::thread> m_threads;
  bool m_closed = false;
};

/// The key two bodies share exactly when a warm container of one serves a job of the other.
[[nodiscard]] std::string warm_key(const nlohmann::json& body);

}  // namespace pipeline::runner::docker

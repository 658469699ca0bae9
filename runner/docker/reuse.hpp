#pragma once
// `--reuse`: the job containers kept between runs — how they are keyed, labelled, found and replaced.
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "runner/backend/backend.hpp"
#include "runner/system/file_lock.hpp"
#include "runner/docker/engine_client.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::docker {

/// The label every kept container carries, `pipe.reuse=<key hash>`; `pipe clean` looks for it.
inline constexpr const char* k_reuse_label = "pipe.reuse";

/// Whether the kept container `id` has /bin/bash: asked of the engine once per container, the
/// answer kept in its host directory under its id.
[[nodiscard]] bool kept_has_bash(EngineClient& client, const std::string& id, const std::string& host_dir);

/// A stable hex digest of the key (workflow file, job id, matrix values).
[[nodiscard]] std::string reuse_key_hash(const ReuseKey& key);

/// A stable hex digest of what makes a kept container fit: its create body without labels, and the
/// image's id (a rebuilt image under the same tag changes it).
[[nodiscard]] std::string reuse_config_hash(const nlohmann::json& create_body, const std::string& image_id);

/// The host directory bind-mounted into the kept container of `key_hash`; each run's temp dirs go inside it.
[[nodiscard]] std::string kept_host_dir(const std::string& temp_root, const std::string& key_hash);

/// Takes, without waiting, the lock a `--reuse` job holds for as long as it uses the kept container
/// whose host directory is `host_dir` (`<host_dir>.lock`): held() is false while another run has it.
[[nodiscard]] Result<FileLock> lock_kept_container(const std::string& host_dir);

/// The same lock for the kept container these labels describe; an error when they name no host directory.
[[nodiscard]] Result<FileLock> lock_kept_container(const Labels& labels);

/// The labels of a kept container: the key hash, the config hash, the host directory, and the key in words.
[[nodiscard]] Labels reuse_labels(const ReuseKey& key, const std::string& config_hash, const std::string& host_dir);

/// The running container kept for `key_hash` with configuration `config_hash`, if any; kept
/// containers of the same key with another configuration (or stopped) are removed.
[[nodiscard]] Result<std::optional<std::string>> find_kept_container(EngineClient& client, const std::string& key_hash,
                                                                     const std::string& config_hash,
                                                                     const std::function<void(const std::string&)>& status);

/// Removes the host directory a kept container's labels name (only a `pipe-reuse-*` directory) and
/// its lock file; the caller holds that lock, so no run is using the directory.
void remove_kept_host_dir(const Labels& labels);

}  // namespace pipeline::runner::docker

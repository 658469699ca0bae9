#include "runner/docker/reuse.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "runner/docker/container_options.hpp"
#include "runner/docker/docker_backend.hpp"
#include "runner/docker/kept_agent.hpp"
#include "runner/docker/kept_idle.hpp"
#include "workflow/base/json_text.hpp"

namespace pipeline::runner::docker {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* k_dir_prefix = "pipe-reuse-";

// FNV-1a: stable across builds and machines, unlike std::hash; these digests only tell keys
// apart, they guard nothing.
std::string fnv1a_hex(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash = (hash ^ c) * 1099511628211ULL;
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) {
    out[static_cast<std::size_t>(i)] = k_hex[hash & 0xF];
  }
  return out;
}

std::string label_of(const Labels& labels, const std::string& key) {
  const auto it = labels.find(key);
  return it == labels.end() ? std::string() : it->second;
}

// Only a `pipe-reuse-*` directory is ever removed or locked on a label's word.
bool is_kept_dir(const fs::path& dir) {
  return dir.is_absolute() && dir.filename().string().rfind(k_dir_prefix, 0) == 0;
}

}  // namespace

std::string reuse_key_hash(const ReuseKey& key) {
  // Length prefixes keep ("a", "bc") and ("ab", "c") apart.
  const std::string text = std::to_string(key.workflow.size()) + ":" + key.workflow + std::to_string(key.job.size()) +
                           ":" + key.job + key.matrix;
  return fnv1a_hex(text);
}

std::string reuse_config_hash(const json& create_body, const std::string& image_id) {
  json body = create_body;
  body.erase("Labels");  // pipe.run and pipe.pid change every run; they do not change the container
  return fnv1a_hex(json_text(body) + "\n" + image_id);
}

std::string kept_host_dir(const std::string& temp_root, const std::string& key_hash) {
  return (fs::path(temp_root) / (k_dir_prefix + key_hash)).string();
}

Result<FileLock> lock_kept_container(const std::string& host_dir) {
  // Beside the directory, not in it: `pipe clean` removes the directory while it holds the lock.
  std::error_code ec;
  fs::create_directories(fs::path(host_dir).parent_path(), ec);
  return FileLock::try_lock(host_dir + ".lock");
}

Result<FileLock> lock_kept_container(const Labels& labels) {
  const std::string dir = label_of(labels, "pipe.reuse.dir");
  if (!is_kept_dir(dir)) {
    return Error{"the kept container names no host directory"};
  }
  return lock_kept_container(dir);
}

Labels reuse_labels(const ReuseKey& key, const std::string& config_hash, const std::string& host_dir) {
  return {{k_reuse_label, reuse_key_hash(key)},
          {"pipe.reuse.config", config_hash},
          {"pipe.reuse.dir", host_dir},
          {"pipe.reuse.workflow", key.workflow},
          {"pipe.reuse.job", key.job},
          {"pipe.reuse.matrix", key.matrix}};
}

Result<std::optional<std::string>> find_kept_container(EngineClient& client, const std::string& key_hash,
                                                       const std::string& config_hash,
                                                       const std::function<void(const std::string&)>& status) {
  auto found = client.list_containers(std::string(k_reuse_label) + "=" + key_hash);
  if (!found) {
    return found.error();
  }
  std::optional<std::string> fit;
  for (const auto& candidate : *found) {
    auto info = client.inspect_container(candidate.id);
    if (!info) {
      continue;  // removed meanwhile
    }
    const bool same = label_of(candidate.labels, "pipe.reuse.config") == config_hash;
    if (!fit && same && info->running) {
      fit = candidate.id;
      continue;
    }
    if (!same || !info->running) {
      status("replacing kept container " + candidate.id.substr(0, 12) +
             (same ? " (it has stopped)" : " (its image or configuration changed)"));
      if (auto removed = client.remove_container(candidate.id); !removed) {
        return removed.error();
      }
    }
  }
  return fit;
}

bool kept_has_bash(EngineClient& client, const std::string& id, const std::string& host_dir) {
  const fs::path known = fs::path(host_dir) / ".pipe-bash";  // "<container id> bash" or "<container id> none"
  std::string answer;
  std::getline(std::ifstream(known), answer);
  if (answer == id + " bash" || answer == id + " none") {
    return answer.back() == 'h';
  }
  auto bash = client.path_exists(id, "/bin/bash");
  if (!bash) {
    return false;
  }
  std::ofstream(known, std::ios::trunc) << id << (*bash ? " bash" : " none") << '\n';
  return *bash;
}

void remove_kept_host_dir(const Labels& labels) {
  const fs::path dir = label_of(labels, "pipe.reuse.dir");
  if (is_kept_dir(dir)) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::remove(dir.string() + ".lock", ec);
  }
}

Result<void> DockerBackend::start_kept_container(const JobSpec& spec, JobEnv& env, json body, const std::string& host_dir) {
  const std::string key = reuse_key_hash(*spec.reuse);
  // The id ensure_image just found, taken once: a later job inspects again (a rebuilt tag).
  auto image = [&]() -> Result<std::string> {
    std::lock_guard guard(m_reuse_mutex);
    auto known = m_present_images.extract(spec.image);
    return known ? Result<std::string>(std::move(known.mapped())) : Result<std::string>(Error{""});
  }();
  if (!image) {
    image = m_client->image_id(spec.image);
  }
  if (!image) {
    return image.error();
  }
  // A container that reaped itself (or is doing so) counts as another configuration: it is replaced.
  const std::string config = reuse_config_hash(body, *image);
  const bool claimed = claim_kept(host_dir);
  auto kept = find_kept_container(*m_client, key, claimed ? config : "reaped",
                                  [this](const std::string& line) { status(line); });
  if (!kept) {
    return kept.error();
  }
  env.kept = true;
  if (*kept) {
    env.id = **kept;
    if (spec.reuse_idle.count() == 0) {  // a warm hook reuses on every commit: no news
      status("reusing container " + env.id.substr(0, 12));
    }
  } else {
    for (const auto& [name, value] : reuse_labels(*spec.reuse, config, host_dir)) {
      body["Labels"][name] = value;
    }
    if (spec.reuse_idle.count() > 0) {
      install_kept_agent(host_dir);  // the container's own process starts it (reaping_command)
    }
    auto id = m_client->create_container(body, k_dir_prefix + key);
    if (!id) {
      return id.error();
    }
    env.id = *id;
    if (auto started = m_client->start_container(env.id); !started) {
      return started;
    }
  }
  if (env.network.empty() || spec.use_host_network) {
    return {};
  }
  // A kept container outlives the job's network, so it joins each run's network under the
  // aliases its options give, and leaves it at teardown.
  auto options = parse_container_options(spec.options);
  auto joined =
      m_client->connect_network(env.network, env.id, options ? options->network_aliases : std::vector<std::string>{});
  if (joined) {
    env.joined_network = env.network;
  }
  return joined;
}

}  // namespace pipeline::runner::docker

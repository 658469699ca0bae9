#include "runner/hook/backend_choice.hpp"

#include <algorithm>
#include <cstdlib>

#include "runner/docker/engine_client.hpp"
#include "runner/docker/http.hpp"

namespace pipeline::runner::hook {
namespace {

constexpr const char* k_silence = "set hook.backend: host to skip this check";

/// The engine of the environment through its API; connecting is the one `/_ping`.
class EngineApiProbe : public EngineProbe {
public:
  [[nodiscard]] std::string where() const override {
    auto endpoint = docker::endpoint_from_environment();
    if (!endpoint) {
      const char* host = std::getenv("DOCKER_HOST");
      return host != nullptr ? host : "";
    }
    return endpoint->unix_path.empty() ? endpoint->display : "unix://" + endpoint->unix_path;
  }

  [[nodiscard]] Result<void> ping() override {
    auto client = docker::EngineClient::connect_from_environment();
    if (!client) {
      return client.error();
    }
    m_client = std::move(*client);
    return {};
  }

  [[nodiscard]] Result<bool> has_image(const std::string& image) override {
    if (!m_client) {
      return Error{"the engine was not reached"};
    }
    return m_client->image_exists(image);
  }

private:
  std::shared_ptr<docker::EngineClient> m_client;
};

// "a (job x)", "a (jobs x, y)".
std::string image_with_jobs(const std::string& image, const std::vector<std::string>& jobs) {
  std::string names;
  for (const auto& job : jobs) {
    names += (names.empty() ? "" : ", ") + job;
  }
  return image + (jobs.size() == 1 ? " (job " : " (jobs ") + names + ")";
}

}  // namespace

std::unique_ptr<EngineProbe> engine_probe() { return std::make_unique<EngineApiProbe>(); }

BackendDecision DefaultBackend::choose(const std::vector<JobImage>& images) {
  if (images.empty()) {
    return {job::BackendChoice::docker, ""};
  }
  if (auto missing = engine_missing()) {
    return host(*missing);
  }
  if (auto absent = absent_images(images); !absent.empty()) {
    return host(absent);
  }
  return {job::BackendChoice::docker, ""};
}

std::optional<std::string> DefaultBackend::engine_missing() {
  if (!m_engine_error) {
    auto answered = m_probe.ping();
    m_engine_error = answered ? std::string() : answered.error().message;
  }
  if (m_engine_error->empty()) {
    return std::nullopt;
  }
  return "no container engine at " + m_probe.where() + "; jobs run on the host (" + k_silence + ")";
}

// The images not present, with the jobs that need them, in the order the jobs come; an image
// the engine cannot say anything about counts as absent (the commit must not wait on a pull).
std::string DefaultBackend::absent_images(const std::vector<JobImage>& images) {
  std::vector<std::pair<std::string, std::vector<std::string>>> absent;
  for (const auto& [name, image] : images) {
    if (image.empty()) {
      continue;  // known only when the job starts: if it is not here, that job's pull says so
    }
    auto known = m_present.find(image);
    if (known == m_present.end()) {
      auto present = m_probe.has_image(image);
      known = m_present.emplace(image, present && *present).first;
    }
    if (known->second) {
      continue;
    }
    auto same = std::find_if(absent.begin(), absent.end(), [&](const auto& item) { return item.first == image; });
    if (same == absent.end()) {
      absent.push_back({image, {name}});
    } else if (std::find(same->second.begin(), same->second.end(), name) == same->second.end()) {
      same->second.push_back(name);
    }
  }
  if (absent.empty()) {
    return "";
  }
  std::string list;
  for (const auto& [image, jobs] : absent) {
    list += (list.empty() ? "" : ", ") + image_with_jobs(image, jobs);
  }
  const bool one = absent.size() == 1;
  return std::string(one ? "image " : "images ") + list + (one ? " is" : " are") +
         " not present locally, and a hook does not pull; jobs run on the host (pull " + (one ? "it" : "them") +
         ", or " + k_silence + ")";
}

BackendDecision DefaultBackend::host(const std::string& why) {
  const bool first = m_said.insert(why).second;
  return {job::BackendChoice::host, first ? "pipe: hook: " + why : ""};
}

}  // namespace pipeline::runner::hook

#include "runner/hook/hook_config.hpp"

#include <yaml-cpp/yaml.h>

#include <system_error>

namespace pipeline::runner::hook {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    end = end == std::string::npos ? text.size() : end;
    std::string item = text.substr(start, end - start);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) {
      items.push_back(item.substr(first, last - first + 1));
    }
    start = end + 1;
  }
  return items;
}

Result<HookConfig> read_hook_config(const std::filesystem::path& root) {
  const auto file = root / ".pipe.yml";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    return HookConfig{};
  }
  // yaml-cpp throws on bad input; this is the module's edge.
  try {
    const YAML::Node doc = YAML::LoadFile(file.string());
    const YAML::Node hook = doc.IsMap() ? doc["hook"] : YAML::Node();
    HookConfig config;
    if (!hook || !hook.IsMap()) {
      return config;
    }
    if (const auto jobs = hook["jobs"]; jobs && jobs.IsSequence()) {
      for (const auto& job : jobs) {
        config.jobs.push_back(job.as<std::string>());
      }
    } else if (jobs && jobs.IsScalar()) {
      config.jobs = split_list(jobs.as<std::string>());
    }
    if (const auto workflow = hook["workflow"]; workflow && workflow.IsScalar()) {
      config.workflow = workflow.as<std::string>();
    }
    return config;
  } catch (const YAML::Exception& e) {
    return Error{file.string() + ": " + e.what()};
  }
}

}  // namespace pipeline::runner::hook

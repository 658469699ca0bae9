#include "runner/forge/task_volumes.hpp"

#include <sstream>

#include <yaml-cpp/yaml.h>

#include "workflow/filters/glob.hpp"

namespace pipeline::runner::forge {

namespace {

/// The volume specs `options` (a `docker create` options string) names.
std::vector<std::string> option_volumes(const std::string& options) {
  std::istringstream words(options);
  std::vector<std::string> found;
  std::string word;
  bool next_is_volume = false;
  while (words >> word) {
    if (next_is_volume) {
      found.push_back(word);
      next_is_volume = false;
    } else if (word == "-v" || word == "--volume" || word == "--mount") {
      next_is_volume = true;
    } else if (word.rfind("--volume=", 0) == 0 || word.rfind("--mount=", 0) == 0) {
      found.push_back(word.substr(word.find('=') + 1));
    } else if (word.rfind("-v", 0) == 0 && word.size() > 2 && word[2] != '-') {
      found.push_back(word.substr(2));
    }
  }
  return found;
}

/// Checks one container's (the job's or a service's) volumes and options.
Result<void> check_container(const YAML::Node& container, const std::string& where,
                             const std::vector<std::string>& valid) {
  if (!container || !container.IsMap()) {
    return {};
  }
  std::vector<std::pair<std::string, std::string>> specs;  // spec, key it came from
  if (const YAML::Node volumes = container["volumes"]; volumes && volumes.IsSequence()) {
    for (const auto& volume : volumes) {
      if (volume.IsScalar()) {
        specs.emplace_back(volume.as<std::string>(), where + ".volumes");
      }
    }
  }
  if (const YAML::Node options = container["options"]; options && options.IsScalar()) {
    for (auto& spec : option_volumes(options.as<std::string>())) {
      specs.emplace_back(std::move(spec), where + ".options");
    }
  }
  for (const auto& [spec, key] : specs) {
    const std::string source = volume_source(spec);
    if (!source.empty() && !volume_allowed(valid, source)) {
      return Error{key + ": the volume '" + source +
                   "' is not one this runner allows to mount (its container.valid_volumes)"};
    }
  }
  return {};
}

}  // namespace

std::string volume_source(const std::string& spec) {
  if (spec.find('=') != std::string::npos) {  // --mount type=bind,source=/a,target=/b
    std::istringstream fields(spec);
    std::string field;
    while (std::getline(fields, field, ',')) {
      for (const char* key : {"source=", "src="}) {
        if (field.rfind(key, 0) == 0) {
          return field.substr(std::string(key).size());
        }
      }
    }
    return {};
  }
  const auto colon = spec.find(':');
  return colon == std::string::npos ? std::string() : spec.substr(0, colon);
}

bool volume_allowed(const std::vector<std::string>& valid, const std::string& source) {
  for (const auto& pattern : valid) {
    if (pattern == source || workflow::filters::match_glob(pattern, source)) {
      return true;
    }
  }
  return false;
}

Result<void> check_task_volumes(const std::string& workflow_yaml, const std::vector<std::string>& valid) {
  YAML::Node root;
  try {
    root = YAML::Load(workflow_yaml);
  } catch (const YAML::Exception&) {
    return {};  // the workflow's own checks say what is wrong with it
  }
  const YAML::Node jobs = root.IsMap() ? root["jobs"] : YAML::Node();
  if (!jobs || !jobs.IsMap()) {
    return {};
  }
  for (const auto& job : jobs) {
    const std::string id = job.first.as<std::string>();
    if (!job.second.IsMap()) {
      continue;
    }
    if (auto checked = check_container(job.second["container"], "jobs." + id + ".container", valid); !checked) {
      return checked;
    }
    if (const YAML::Node services = job.second["services"]; services && services.IsMap()) {
      for (const auto& service : services) {
        const std::string where = "jobs." + id + ".services." + service.first.as<std::string>();
        if (auto checked = check_container(service.second, where, valid); !checked) {
          return checked;
        }
      }
    }
  }
  return {};
}

}  // namespace pipeline::runner::forge

#include "runner/forge/task_workflow.hpp"

#include <yaml-cpp/yaml.h>

namespace pipeline::runner::forge {

Result<TaskWorkflow> prepare_task_workflow(const std::string& payload) {
  YAML::Node root;
  try {
    root = YAML::Load(payload);
  } catch (const YAML::Exception& e) {
    return Error{"the task's workflow is not YAML: " + e.msg};
  }
  const YAML::Node jobs = root.IsMap() ? root["jobs"] : YAML::Node();
  if (!jobs || !jobs.IsMap() || jobs.size() != 1) {
    return Error{"the task's workflow must hold exactly one job, it holds " +
                 std::to_string(jobs && jobs.IsMap() ? jobs.size() : 0)};
  }
  TaskWorkflow out;
  auto entry = jobs.begin();
  out.job_id = entry->first.as<std::string>();
  YAML::Node job = entry->second;
  if (job.IsMap()) {
    if (const YAML::Node steps = job["steps"]; steps && steps.IsSequence()) {
      out.step_count = steps.size();
    }
    job.remove("needs");
  }
  YAML::Emitter emitter;
  emitter << root;
  out.yaml = std::string(emitter.c_str()) + "\n";
  return out;
}

}  // namespace pipeline::runner::forge

// The `job.workflow_*` fields: which file, repository and commit hold the running job.
#include "actions/resolver.hpp"
#include "runner/job/job_execution.hpp"

namespace pipeline::runner::job::detail {
namespace {

// GitHub names a workflow file from its repository's root; every workflow lives in this folder.
std::string repository_path(const std::string& file, const std::string& workspace) {
  constexpr std::string_view k_folder = ".github/workflows/";
  if (const auto at = file.rfind(k_folder); at != std::string::npos) {
    return file.substr(at);
  }
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path root = fs::weakly_canonical(workspace, error);
  const fs::path relative = fs::weakly_canonical(file, error).lexically_relative(root);
  if (!workspace.empty() && !relative.empty() && *relative.begin() != "..") {
    return relative.generic_string();
  }
  return file;
}

}  // namespace

// Unlike github.workflow_ref, these name the file the job is written in: for a job of a called
// workflow, the called file, its repository and the commit it was read at.
void JobExecution::add_workflow_origin(expr::Value& job) const {
  auto text = [&](const char* key) {
    return m_github.contains(key) && m_github[key].is_string() ? m_github[key].get<std::string>() : std::string();
  };
  const std::string& file = m_instance.workflow->path;
  std::string repository = text("repository");
  std::string ref = text("ref");
  std::string sha = text("sha");
  if (auto origin = m_run.resolver ? m_run.resolver->origin_of(file) : std::nullopt) {
    repository = origin->repository;
    ref = origin->ref;
    sha = origin->sha;
  }
  const std::string path = repository_path(file, m_run.workspace);
  job.set("workflow_file_path", path);
  job.set("workflow_repository", repository);
  job.set("workflow_ref", repository + "/" + path + "@" + ref);
  job.set("workflow_sha", sha);
}

}  // namespace pipeline::runner::job::detail

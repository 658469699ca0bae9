#pragma once
// GitHub's legacy artifact API (v3), as @actions/artifact 1.x speaks it for upload-artifact and
// download-artifact v1 to v3, under ACTIONS_RUNTIME_URL:
//   POST  _apis/pipelines/workflows/{run}/artifacts                 {Type, Name, RetentionDays?}
//   PATCH _apis/pipelines/workflows/{run}/artifacts&artifactName=N  {Size}: the upload is done
//   GET   _apis/pipelines/workflows/{run}/artifacts                 the run's v3 artifacts
//   PUT   _apis/resources/Containers/{run}?itemPath=N/PATH           one Content-Range of a file
//   GET   _apis/resources/Containers/{run}?itemPath=N                the artifact's files
//   GET   _apis/resources/Containers/{run}?itemPath=N/PATH           one file's bytes
// Every call carries the job's runtime token; its run decides which artifacts a call sees.
#include <string>

#include "runner/services/artifact_v3_store.hpp"
#include "runner/services/service_host.hpp"

namespace pipeline::runner::services {

/// The v3 artifact endpoints of one run, backed by an ArtifactV3Store.
class ArtifactV3Api final : public Routes {
public:
  ArtifactV3Api(std::string run_id, ArtifactV3Store& store);

  void mount(Router& router) override;

private:
  void create(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  void finalize(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  void list(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  void upload(const httplib::Request& request, httplib::Response& response, const Caller& caller,
              const httplib::ContentReader& reader);
  void get(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  [[nodiscard]] bool same_run(httplib::Response& response, const Caller& caller, const std::string& container) const;

  std::string m_run_id;
  ArtifactV3Store& m_store;
};

}  // namespace pipeline::runner::services

#pragma once
// GitHub's artifact service (the v4 "results" API that @actions/artifact 2 and later speak) for
// one run: Twirp methods under /twirp/github.actions.results.api.v1.ArtifactService/, and the
// signed blob URLs their Azure storage client uploads to (Put Block, Put Block List, Put Blob)
// and downloads from.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/services/artifact_store.hpp"
#include "runner/services/service_host.hpp"

namespace pipeline::runner::services {

/// The artifact endpoints of one run, backed by an ArtifactStore.
class ArtifactService final : public Routes {
public:
  /// Serves the artifacts of `run_id` kept in `store`; `host` signs the blob URLs.
  ArtifactService(const ServiceHost& host, std::string run_id, ArtifactStore& store);

  void mount(Router& router) override;

private:
  void create(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  void finalize(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  void list(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  void signed_url(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  void remove(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  void upload(const httplib::Request& request, httplib::Response& response, const Caller& caller,
              const httplib::ContentReader& reader);
  void store_upload(const httplib::Request& request, httplib::Response& response, const Caller& caller,
                    const ByteSource& body);
  void download(const httplib::Request& request, httplib::Response& response, const Caller& caller);
  [[nodiscard]] bool same_run(httplib::Response& response, const Caller& caller, const nlohmann::json& body) const;

  const ServiceHost& m_host;
  std::string m_run_id;
  ArtifactStore& m_store;
};

/// The ids of the blocks an Azure Put Block List body names, in order.
[[nodiscard]] std::vector<std::string> parse_block_list(std::string_view xml);

}  // namespace pipeline::runner::services

// The artifact service through real HTTP: what a job's client sends when it misbehaves.
#include "runner/services/artifact_service.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "runner/services/served_artifacts.hpp"

using namespace pipeline::runner::services;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* k_run = "20261205-013000-abcd";
constexpr const char* k_twirp = "/twirp/github.actions.results.api.v1.ArtifactService/";

/// A host serving one run's artifacts from a scratch directory.
struct Served : pipeline::test::ServedArtifacts {
  ArtifactService service{host, k_run, store};

  Served() : ServedArtifacts("artifact-service", k_run) {
    host.mount(service);
    start();
  }
  ~Served() { stop(); }
  Served(const Served&) = delete;
  Served& operator=(const Served&) = delete;

  httplib::Result call(const std::string& method, const json& body, const std::string& bearer) {
    const httplib::Headers headers{{"Authorization", "Bearer " + bearer}};
    return client->Post((std::string(k_twirp) + method).c_str(), headers, body.dump(), "application/json");
  }
  httplib::Result call(const std::string& method, const json& body) { return call(method, body, token); }
  // The path and query of a signed URL the service handed out.
  [[nodiscard]] std::string local(const std::string& url) const {
    return url.substr(host.base_url(Reach::host).size() - 1);
  }
  std::string create(const std::string& name) {
    auto created = call("CreateArtifact", {{"workflow_run_backend_id", k_run}, {"workflow_job_run_backend_id", "build-1"},
                                           {"name", name}, {"version", 4}});
    REQUIRE(created);
    REQUIRE(created->status == 200);
    return local(json::parse(created->body)["signed_upload_url"].get<std::string>());
  }
};

json error_of(const httplib::Result& result) { return json::parse(result->body); }

}  // namespace

TEST_CASE("an artifact travels up in blocks and down with the digest the listing reports", "[services]") {
  Served s;
  const std::string upload = s.create("bundle");
  CHECK(s.client->Put((upload + "&comp=block&blockid=QQ%3D%3D").c_str(), "hello ", "application/octet-stream")->status == 201);
  CHECK(s.client->Put((upload + "&comp=block&blockid=Qg%3D%3D").c_str(), "world", "application/octet-stream")->status == 201);
  CHECK(s.client->Put((upload + "&comp=blocklist").c_str(), "<BlockList><Latest>QQ==</Latest><Latest>Qg==</Latest></BlockList>",
                      "application/xml")->status == 201);
  auto finalized = s.call("FinalizeArtifact", {{"workflow_run_backend_id", k_run}, {"name", "bundle"}, {"size", "11"},
                                              {"hash", "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"}});
  REQUIRE(finalized->status == 200);
  CHECK(json::parse(finalized->body)["artifact_id"] == "1");

  auto listed = s.call("ListArtifacts", {{"workflow_run_backend_id", k_run}, {"name_filter", "bundle"}});
  REQUIRE(listed->status == 200);
  const auto artifact = json::parse(listed->body)["artifacts"].at(0);
  CHECK(artifact["database_id"] == "1");
  CHECK(artifact["size"] == "11");
  CHECK(artifact["digest"] == "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  CHECK(json::parse(s.call("ListArtifacts", {{"id_filter", "2"}})->body)["artifacts"].empty());

  auto url = s.call("GetSignedArtifactURL", {{"workflow_run_backend_id", k_run}, {"name", "bundle"}});
  REQUIRE(url->status == 200);
  const std::string download = s.local(json::parse(url->body)["signed_url"].get<std::string>());
  auto got = s.client->Get(download.c_str());
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->body == "hello world");
  CHECK(got->get_header_value("Content-Type") == "application/zip");
  CHECK(got->get_header_value("Content-Disposition").find("filename=\"bundle.zip\"") != std::string::npos);
  // The upload URL does not read, and the download URL does not write.
  CHECK(s.client->Get(upload.c_str())->status == 403);
  CHECK(s.client->Put(download.c_str(), "x", "application/octet-stream")->status == 403);

  auto deleted = s.call("DeleteArtifact", {{"workflow_run_backend_id", k_run}, {"name", "bundle"}});
  CHECK(deleted->status == 200);
  CHECK(s.client->Get(download.c_str())->status == 404);
}

TEST_CASE("the artifact service refuses bad input with Twirp's codes and writes nothing outside the run", "[services]") {
  Served s;
  const json run{{"workflow_run_backend_id", k_run}};
  SECTION("a wrong token") {
    ServiceHost other;
    auto refused = s.call("ListArtifacts", run, other.token(Caller{k_run, "build-1"}));
    CHECK(refused->status == 401);
    CHECK(error_of(refused)["msg"] == "missing or invalid runtime token");
  }
  SECTION("another run's artifacts") {
    auto refused = s.call("ListArtifacts", {{"workflow_run_backend_id", "20261205-013000-ffff"}});
    CHECK(refused->status == 403);
    CHECK(error_of(refused)["code"] == "permission_denied");
    auto foreign = s.host.token(Caller{"20261205-013000-ffff", "build-1"});
    CHECK(s.call("GetSignedArtifactURL", {{"name", "x"}}, foreign)->status == 403);
  }
  SECTION("names with a slash or dot-dot") {
    for (const char* name : {"../escape", "a/b", ".."}) {
      auto refused = s.call("CreateArtifact", {{"workflow_run_backend_id", k_run}, {"name", name}});
      CHECK(refused->status == 400);
      CHECK(error_of(refused)["code"] == "invalid_argument");
    }
    CHECK_FALSE(fs::exists(s.root / "escape"));
    CHECK_FALSE(fs::exists(s.root / "artifacts" / "a"));
  }
  SECTION("an existing name without overwrite") {
    const std::string upload = s.create("once");
    REQUIRE(s.client->Put(upload.c_str(), "abc", "application/octet-stream")->status == 201);
    REQUIRE(s.call("FinalizeArtifact", {{"name", "once"}, {"size", "3"}})->status == 200);
    auto refused = s.call("CreateArtifact", {{"workflow_run_backend_id", k_run}, {"name", "once"}});
    CHECK(refused->status == 409);
    CHECK(error_of(refused)["msg"] ==
          "an artifact named 'once' already exists in this run; upload with overwrite: true to replace it");
  }
  SECTION("more bytes than declared") {
    const std::string upload = s.create("big");
    REQUIRE(s.client->Put(upload.c_str(), "12345", "application/octet-stream")->status == 201);
    auto refused = s.call("FinalizeArtifact", {{"name", "big"}, {"size", "4"}});
    CHECK(refused->status == 412);
    CHECK(error_of(refused)["msg"] == "the artifact 'big' declares 4 bytes but 5 were uploaded");
    CHECK(json::parse(s.call("ListArtifacts", run)->body)["artifacts"].empty());
  }
  SECTION("a tampered or unsigned blob URL") {
    const std::string upload = s.create("signed");
    const auto sig = upload.find("sig=");
    std::string tampered = upload;
    tampered[sig + 4] = tampered[sig + 4] == '0' ? '1' : '0';
    CHECK(s.client->Put(tampered.c_str(), "x", "application/octet-stream")->status == 403);
    CHECK(s.client->Put(upload.substr(0, upload.find('?')).c_str(), "x", "application/octet-stream")->status == 403);
  }
}

TEST_CASE("a refused block upload is read to its end, so the connection serves the next request", "[services]") {
  Served served;
  const std::string url = served.create("kept");
  const std::string body(1'000'000, 'x');
  // The same keep-alive connection: a body left unread would be taken for the next request.
  served.client->set_keep_alive(true);
  auto forged = served.client->Put((url.substr(0, url.find('?')) + "?comp=block&blockid=MA%3D%3D&sig=forged").c_str(), body,
                                   "application/octet-stream");
  REQUIRE(forged);
  CHECK(forged->status == 403);
  auto unknown = served.client->Put((url + "&comp=nonsense").c_str(), body, "application/octet-stream");
  REQUIRE(unknown);
  CHECK(unknown->status == 400);
  auto kept = served.client->Put((url + "&comp=block&blockid=MA%3D%3D").c_str(), body, "application/octet-stream");
  REQUIRE(kept);
  CHECK(kept->status == 201);
  auto listed = served.client->Put((url + "&comp=blocklist").c_str(),
                                   "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><Latest>MA==</Latest></BlockList>",
                                   "application/xml");
  REQUIRE(listed);
  CHECK(listed->status == 201);
  const auto info = served.store.find(std::int64_t{1});
  CHECK_FALSE(info);  // not finalized yet
}

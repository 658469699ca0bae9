// The legacy v3 artifact API through real HTTP: a file in ranges (one of them a gzip stream),
// what the listing and the container give back, and the requests a misbehaving client sends.
#include "runner/services/artifact_v3_api.hpp"

#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "runner/services/artifact_service.hpp"
#include "runner/services/served_artifacts.hpp"

using namespace pipeline::runner::services;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* k_run = "20261205-013000-abcd";
constexpr const char* k_workflows = "/_apis/pipelines/workflows/42/artifacts?api-version=6.0-preview";

/// A host serving one run's v3 (and v4) artifacts from a scratch directory.
struct Served : pipeline::test::ServedArtifacts {
  ArtifactV3Store v3_store{store};
  ArtifactService v4{host, k_run, store};
  ArtifactV3Api v3{k_run, v3_store};

  Served() : ServedArtifacts("artifact-v3", k_run) {
    host.mount(v4);
    host.mount(v3);
    start();
  }
  ~Served() { stop(); }
  Served(const Served&) = delete;
  Served& operator=(const Served&) = delete;

  [[nodiscard]] httplib::Headers auth(httplib::Headers more = {}) const {
    more.emplace("Authorization", "Bearer " + token);
    return more;
  }
  // The path of the container URL a create returned.
  std::string create(const std::string& name) {
    auto created = client->Post(k_workflows, auth(), json{{"Type", "actions_storage"}, {"Name", name}}.dump(),
                                "application/json");
    REQUIRE(created);
    INFO(created->body);
    REQUIRE(created->status == 201);
    const std::string url = json::parse(created->body)["fileContainerResourceUrl"].get<std::string>();
    return url.substr(host.base_url(Reach::host).size() - 1);
  }
  httplib::Result put(const std::string& container, const std::string& item, const std::string& range,
                      const std::string& bytes, httplib::Headers more = {}) {
    more.emplace("Content-Range", range);
    return client->Put((container + "?itemPath=" + httplib::detail::encode_query_param(item)).c_str(), auth(more),
                       bytes, "application/octet-stream");
  }
  httplib::Result finalize(const std::string& name) {
    return client->Patch((std::string(k_workflows) + "&artifactName=" + name).c_str(), auth(), "{\"Size\": 1}",
                         "application/json");
  }
};

std::string gzip(const std::string& text) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string range(std::size_t start, std::size_t end, std::size_t total) {
  return "bytes " + std::to_string(start) + "-" + std::to_string(end) + "/" + std::to_string(total);
}

std::string message_of(const httplib::Result& result) { return json::parse(result->body)["message"].get<std::string>(); }

}  // namespace

TEST_CASE("a v3 artifact travels up in ranges, gzip'd or not, and comes down as the bytes uploaded", "[services]") {
  Served s;
  const std::string container = s.create("bundle");
  CHECK(container == std::string("/_apis/resources/Containers/") + k_run);
  // A gzip stream split in two ranges: neither half is a gzip stream of its own.
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "line " + std::to_string(i) + "\n";
  }
  const std::string packed = gzip(text);
  const std::size_t half = packed.size() / 2;
  const httplib::Headers gz{{"Content-Encoding", "gzip"}, {"x-tfs-filelength", std::to_string(text.size())}};
  CHECK(s.put(container, "bundle/dir/text.txt", range(0, half - 1, packed.size()), packed.substr(0, half), gz)->status == 201);
  // A retry of the same range is accepted.
  CHECK(s.put(container, "bundle/dir/text.txt", range(0, half - 1, packed.size()), packed.substr(0, half), gz)->status == 201);
  CHECK(s.put(container, "bundle/dir/text.txt", range(half, packed.size() - 1, packed.size()), packed.substr(half), gz)
            ->status == 201);
  CHECK(s.put(container, "bundle/raw.bin", range(0, 4, 5), std::string("ab\0cd", 5))->status == 201);
  CHECK(s.put(container, "bundle/empty", "bytes 0--1/0", "")->status == 201);
  // Not listed before it is finalized.
  CHECK(json::parse(s.client->Get(k_workflows, s.auth())->body)["count"] == 0);
  REQUIRE(s.finalize("bundle")->status == 200);

  const auto listed = json::parse(s.client->Get(k_workflows, s.auth())->body);
  REQUIRE(listed["count"] == 1);
  CHECK(listed["value"][0]["name"] == "bundle");
  const auto items = s.client->Get((container + "?itemPath=bundle").c_str(), s.auth());
  REQUIRE(items->status == 200);
  const auto value = json::parse(items->body)["value"];
  REQUIRE(value.size() == 3);
  CHECK(value[0]["path"] == "bundle/dir/text.txt");
  CHECK(value[0]["fileLength"] == text.size());
  CHECK(value[1]["path"] == "bundle/empty");
  CHECK(value[1]["fileLength"] == 0);
  const std::string location = value[0]["contentLocation"].get<std::string>();
  const auto got = s.client->Get(location.substr(s.host.base_url(Reach::host).size() - 1).c_str(),
                                 s.auth({{"Accept-Encoding", "gzip"}}));
  REQUIRE(got->status == 200);
  CHECK(got->body == text);
  CHECK(s.client->Get((container + "?itemPath=bundle%2Fraw.bin").c_str(), s.auth())->body == std::string("ab\0cd", 5));

  // The v4 API does not see it, as GitHub's does not see v3 artifacts.
  const auto v4 = s.client->Post("/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts", s.auth(),
                                 json{{"workflow_run_backend_id", k_run}}.dump(), "application/json");
  CHECK(json::parse(v4->body)["artifacts"].empty());
  // A second job adds files to the same artifact, as v3 allowed.
  CHECK(s.create("bundle") == container);
  CHECK(s.put(container, "bundle/more.txt", range(0, 1, 2), "hi")->status == 201);
  REQUIRE(s.finalize("bundle")->status == 200);
  CHECK(json::parse(s.client->Get((container + "?itemPath=bundle").c_str(), s.auth())->body)["count"] == 4);
}

TEST_CASE("the v3 artifact API refuses bad input with a status and a message, writing nothing outside the artifact",
          "[services]") {
  Served s;
  const std::string container = s.create("bundle");
  const auto status_and_message = [](const httplib::Result& result) {
    REQUIRE(result);
    return std::to_string(result->status) + " " + message_of(result);
  };
  CHECK(status_and_message(s.put(container, "bundle/../escape.txt", range(0, 1, 2), "hi")) ==
        "400 itemPath 'bundle/../escape.txt' has an empty, '.' or '..' component");
  CHECK(status_and_message(s.put(container, "bundle//abs.txt", range(0, 1, 2), "hi")) ==
        "400 itemPath 'bundle//abs.txt' is not a relative path under the artifact");
  CHECK(status_and_message(s.put(container, "/etc/passwd", range(0, 1, 2), "hi")) ==
        "400 itemPath '/etc/passwd' does not name a file under an artifact ('<name>/<path>')");
  CHECK(status_and_message(s.put(container, "other/a.txt", range(0, 1, 2), "hi")) ==
        "404 no v3 artifact named 'other' was created in this run");
  CHECK(status_and_message(s.put(container, "bundle/a?.txt", range(0, 1, 2), "hi")) ==
        "400 itemPath 'bundle/a?.txt' contains a character artifact paths may not (\" : < > | * ? CR LF)");
  CHECK(status_and_message(s.put("/_apis/resources/Containers/20990101-000000-ffff", "bundle/a.txt", range(0, 1, 2), "hi")) ==
        "403 the artifacts of run '20990101-000000-ffff' are not visible to this job; pipe serves the artifacts of "
        "run '20261205-013000-abcd' only");
  CHECK(status_and_message(s.put(container, "bundle/a.txt", range(0, 5, 4), "hihihi")) ==
        "400 Content-Range 'bytes 0-5/4' lies beyond the declared total of 4 bytes");
  CHECK(status_and_message(s.put(container, "bundle/a.txt", "bytes 0-1", "hi")) ==
        "400 Content-Range 'bytes 0-1' is not 'bytes START-END/TOTAL'");
  CHECK(status_and_message(s.put(container, "bundle/a.txt", range(0, 3, 4), "hi")) ==
        "400 the range 0-3 of 'bundle/a.txt' did not carry exactly 4 bytes");
  CHECK(s.put(container, "bundle/b.txt", range(0, 1, 6), "ab")->status == 201);
  CHECK(status_and_message(s.put(container, "bundle/b.txt", range(1, 2, 6), "bc")) ==
        "400 the range 1-2 of 'bundle/b.txt' overlaps the bytes already received or leaves a gap (2 received)");
  CHECK(status_and_message(s.put(container, "bundle/b.txt", range(2, 3, 8), "cd")) ==
        "400 a range of 'bundle/b.txt' declares 8 bytes in all, an earlier one 6 (or another encoding)");
  CHECK(status_and_message(s.put(container, "bundle/c.txt", range(0, 3, 4), "junk",
                                 {{"Content-Encoding", "gzip"}, {"x-tfs-filelength", "10"}})) ==
        "400 the gzip upload of 'bundle/c.txt' does not decode to 10 bytes");
  for (const std::string name : {"a/b", "a\\b", "a:b", "a*b"}) {
    const auto created = s.client->Post(k_workflows, s.auth(), json{{"Type", "actions_storage"}, {"Name", name}}.dump(),
                                        "application/json");
    INFO(name);
    CHECK(created->status == 400);
  }
  CHECK(status_and_message(s.finalize("nope")) == "404 no v3 artifact named 'nope' was created in this run");
  const auto wrong = s.client->Get(k_workflows, httplib::Headers{{"Authorization", "Bearer nope"}});
  CHECK(wrong->status == 401);
  CHECK(s.client->Get(k_workflows)->status == 401);
  const auto other = s.host.token(Caller{"20990101-000000-ffff", "x"});
  CHECK(s.client->Get(k_workflows, httplib::Headers{{"Authorization", "Bearer " + other}})->status == 403);
  // Nothing escaped the artifact's folder.
  std::vector<std::string> written;
  for (const auto& entry : fs::recursive_directory_iterator(s.root)) {
    if (entry.is_regular_file()) {
      written.push_back(fs::relative(entry.path(), s.root).generic_string());
    }
  }
  for (const auto& path : written) {
    INFO(path);
    CHECK(path.rfind("artifacts/bundle/", 0) == 0);
  }
  CHECK_FALSE(fs::exists(s.root / "escape.txt"));
  CHECK_FALSE(fs::exists(s.root / "artifacts" / "escape.txt"));
}

TEST_CASE("two jobs sending the same path of one v3 artifact at once each get their file assembled whole", "[services]") {
  Served s;
  const std::string container = s.create("shared");
  const std::string first_job = s.token;
  const std::string second_job = s.host.token(Caller{k_run, "build-2"});
  const auto put_as = [&](const std::string& token, const std::string& range_text, const std::string& bytes) {
    return s.client->Put((container + "?itemPath=shared%2Fsame.txt").c_str(),
                         httplib::Headers{{"Authorization", "Bearer " + token}, {"Content-Range", range_text}}, bytes,
                         "application/octet-stream")
        ->status;
  };
  CHECK(put_as(first_job, range(0, 2, 6), "AAA") == 201);
  CHECK(put_as(second_job, range(0, 2, 6), "bbb") == 201);
  CHECK(put_as(first_job, range(3, 5, 6), "AAA") == 201);
  REQUIRE(s.finalize("shared")->status == 200);
  CHECK(s.client->Get((container + "?itemPath=shared%2Fsame.txt").c_str(), s.auth())->body == "AAAAAA");
  CHECK(put_as(second_job, range(3, 5, 6), "bbb") == 201);
  CHECK(s.client->Get((container + "?itemPath=shared%2Fsame.txt").c_str(), s.auth())->body == "bbbbbb");
}

#include "runner/services/artifact_store.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runner/services/artifact_service.hpp"
#include "runner/services/token.hpp"

using namespace pipeline::runner::services;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("pipe-artifact-store-" + std::to_string(::getpid()));
  TempDir() { fs::remove_all(path); }
  ~TempDir() { fs::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

template <class T>
const Refused* refusal(const Stored<T>& stored) {
  return std::get_if<Refused>(&stored);
}

// The set of files under `dir`, as paths relative to it.
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    found.push_back(fs::relative(entry.path(), dir).string());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

TEST_CASE("blocks joined in the listed order become the content, with its size and digest", "[services]") {
  TempDir dir;
  ArtifactStore store(dir.path.string());
  auto created = store.create("bundle", "build-1", "application/zip", 0);
  REQUIRE_FALSE(refusal(created));
  const auto id = std::get<ArtifactInfo>(created).id;
  REQUIRE_FALSE(refusal(store.put_block(id, "Yg==", "world")));
  REQUIRE_FALSE(refusal(store.put_block(id, "YQ==", "hello ")));
  CHECK(store.list().empty());  // not finalized yet
  REQUIRE_FALSE(refusal(store.commit_blocks(id, {"YQ==", "Yg=="})));
  auto finalized = store.finalize("bundle", 11, "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  REQUIRE_FALSE(refusal(finalized));
  const auto listed = store.list();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].name == "bundle");
  CHECK(listed[0].size == 11);
  CHECK(read(store.content_path(listed[0])) == "hello world");
  // Only the record and the content remain: no blocks, no temporary files.
  CHECK(files_under(dir.path) == std::vector<std::string>{"bundle", "bundle/artifact.json", "bundle/content"});
}

TEST_CASE("blocks sent in list order are the content in place, digested as they land", "[services]") {
  TempDir dir;
  ArtifactStore store(dir.path.string());
  const auto id = std::get<ArtifactInfo>(store.create("inplace", "build-1", "application/zip", 0)).id;
  REQUIRE_FALSE(refusal(store.put_block(id, "YQ==", "hello ")));
  REQUIRE_FALSE(refusal(store.put_block(id, "Yg==", "world")));
  REQUIRE_FALSE(refusal(store.commit_blocks(id, {"YQ==", "Yg=="})));
  REQUIRE_FALSE(refusal(
      store.finalize("inplace", 11, "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")));
  CHECK(read(store.content_path(*store.find("inplace"))) == "hello world");
}

TEST_CASE("blocks whose requests started out of order swap places instead of being copied", "[services]") {
  TempDir dir;
  ArtifactStore store(dir.path.string());
  const auto id = std::get<ArtifactInfo>(store.create("swapped", "build-1", "application/zip", 0)).id;
  REQUIRE_FALSE(refusal(store.put_block(id, "Yg==", "world")));
  REQUIRE_FALSE(refusal(store.put_block(id, "YQ==", "hello")));
  REQUIRE_FALSE(refusal(store.commit_blocks(id, {"YQ==", "Yg=="})));
  REQUIRE_FALSE(refusal(
      store.finalize("swapped", 10, "sha256:936a185caaa266bb9cbe981e9e05cb78cd732b0b3280eb944412bb6f8f8f07af")));
  CHECK(read(store.content_path(*store.find("swapped"))) == "helloworld");
  CHECK(files_under(dir.path) == std::vector<std::string>{"swapped", "swapped/artifact.json", "swapped/content"});
}

TEST_CASE("a block sent again replaces the first one's bytes in the content and its digest", "[services]") {
  TempDir dir;
  ArtifactStore store(dir.path.string());
  const auto id = std::get<ArtifactInfo>(store.create("again", "build-1", "application/zip", 0)).id;
  REQUIRE_FALSE(refusal(store.put_block(id, "YQ==", "HELLO ")));
  REQUIRE_FALSE(refusal(store.put_block(id, "Yg==", "world")));
  REQUIRE_FALSE(refusal(store.put_block(id, "YQ==", "hello ")));
  REQUIRE_FALSE(refusal(store.commit_blocks(id, {"YQ==", "Yg=="})));
  REQUIRE_FALSE(refusal(
      store.finalize("again", 11, "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")));
  CHECK(read(store.content_path(*store.find("again"))) == "hello world");
}

TEST_CASE("the store refuses bad names, duplicates, size and digest mismatches", "[services]") {
  TempDir dir;
  ArtifactStore store(dir.path.string());
  auto escaping = store.create("../outside", "job", "", 0);
  REQUIRE(refusal(escaping));
  CHECK(refusal(escaping)->code == Refusal::invalid_argument);
  CHECK_FALSE(fs::exists(dir.path.parent_path() / "outside"));

  const auto id = std::get<ArtifactInfo>(store.create("a", "job", "", 0)).id;
  REQUIRE_FALSE(refusal(store.put_content(id, "12345")));
  auto larger = store.finalize("a", 4, "");
  REQUIRE(refusal(larger));
  CHECK(refusal(larger)->code == Refusal::failed_precondition);
  CHECK(refusal(larger)->message == "the artifact 'a' declares 4 bytes but 5 were uploaded");
  auto digest = store.finalize("a", 5, "sha256:00");
  REQUIRE(refusal(digest));
  CHECK(refusal(digest)->message.find("declares digest sha256:00") != std::string::npos);
  REQUIRE_FALSE(refusal(store.finalize("a", 5, "")));

  auto again = store.create("a", "job", "", 0);
  REQUIRE(refusal(again));
  CHECK(refusal(again)->code == Refusal::already_exists);
  auto replaced = store.create("a", "job", "", 0, Overwrite::replace);
  REQUIRE_FALSE(refusal(replaced));
  CHECK(std::get<ArtifactInfo>(replaced).id > id);
  CHECK(refusal(store.put_block(id, "YQ==", "x"))->code == Refusal::not_found);  // the old upload is gone
  auto missing = store.commit_blocks(std::get<ArtifactInfo>(replaced).id, {"bm9wZQ=="});
  REQUIRE(refusal(missing));
  CHECK(refusal(missing)->code == Refusal::invalid_argument);
}

TEST_CASE("expired artifacts leave the listing and the disk; ids continue across stores", "[services]") {
  TempDir dir;
  {
    ArtifactStore store(dir.path.string());
    const auto old_id = std::get<ArtifactInfo>(store.create("old", "job", "", 1)).id;
    REQUIRE_FALSE(refusal(store.put_content(old_id, "x")));
    REQUIRE_FALSE(refusal(store.finalize("old", 1, "")));
    const auto kept_id = std::get<ArtifactInfo>(store.create("kept", "job", "", unix_now() + 3600)).id;
    REQUIRE_FALSE(refusal(store.put_content(kept_id, "y")));
    REQUIRE_FALSE(refusal(store.finalize("kept", 1, "")));
    const auto listed = store.list();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].name == "kept");
    CHECK_FALSE(fs::exists(dir.path / "old"));
  }
  ArtifactStore reopened(dir.path.string());
  CHECK(std::get<ArtifactInfo>(reopened.create("next", "job", "", 0)).id == 3);
}

TEST_CASE("a Put Block List body names its blocks in order", "[services]") {
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<BlockList><Latest>QQ==</Latest><Uncommitted>Qg==</Uncommitted>"
      "<Committed>Qw==</Committed></BlockList>";
  CHECK(parse_block_list(xml) == std::vector<std::string>{"QQ==", "Qg==", "Qw=="});
  CHECK(parse_block_list("<BlockList></BlockList>").empty());
}

namespace {

// A body handed over in pieces of `piece` bytes, as the server reads it from the socket.
ByteSource pieces(const std::string& body, std::size_t piece) {
  return [body, piece](const ByteSink& sink) {
    for (std::size_t at = 0; at < body.size(); at += piece) {
      if (!sink(std::string_view(body).substr(at, piece))) {
        return false;
      }
    }
    return true;
  };
}

}  // namespace

TEST_CASE("streamed blocks in list order, out of order, retried or cut short give the listed content", "[services]") {
  TempDir dir;
  ArtifactStore store(dir.path.string());
  const std::string first(3'000'000, 'a');
  const std::string second = "tail";
  const auto upload = [&](const std::string& name) {
    auto created = store.create(name, "build-1", "application/octet-stream", 0);
    REQUIRE_FALSE(refusal(created));
    return std::get<ArtifactInfo>(created).id;
  };
  const auto content = [&](const std::string& name) {
    const auto info = store.find(name);
    REQUIRE(info);
    CHECK(info->size == static_cast<std::int64_t>(first.size() + second.size()));
    return read(store.content_path(*info));
  };

  const auto in_order = upload("in-order");
  REQUIRE_FALSE(refusal(store.put_block(in_order, "MA==", static_cast<std::int64_t>(first.size()), pieces(first, 4096))));
  REQUIRE_FALSE(refusal(store.put_block(in_order, "MQ==", -1, pieces(second, 3))));
  REQUIRE_FALSE(refusal(store.commit_blocks(in_order, {"MA==", "MQ=="})));
  REQUIRE_FALSE(refusal(store.finalize("in-order", static_cast<std::int64_t>(first.size() + second.size()), "")));
  CHECK(content("in-order") == first + second);

  const auto retried = upload("retried");
  REQUIRE_FALSE(refusal(store.put_block(retried, "MQ==", "stale")));
  REQUIRE_FALSE(refusal(store.put_block(retried, "MA==", static_cast<std::int64_t>(first.size()), pieces(first, 65536))));
  // A body shorter or longer than it declared is refused and keeps no block.
  CHECK(refusal(store.put_block(retried, "MQ==", 10, pieces(second, 1)))->code == Refusal::invalid_argument);
  CHECK(refusal(store.put_block(retried, "Mg==", 2, pieces(second, 1)))->code == Refusal::invalid_argument);
  CHECK(refusal(store.commit_blocks(retried, {"MA==", "Mg=="}))->code == Refusal::invalid_argument);
  REQUIRE_FALSE(refusal(store.put_block(retried, "MQ==", second)));
  REQUIRE_FALSE(refusal(store.commit_blocks(retried, {"MA==", "MQ=="})));
  REQUIRE_FALSE(refusal(store.finalize("retried", static_cast<std::int64_t>(first.size() + second.size()), "")));
  CHECK(content("retried") == first + second);
  CHECK(files_under(dir.path) == std::vector<std::string>{"in-order", "in-order/artifact.json", "in-order/content",
                                                          "retried", "retried/artifact.json", "retried/content"});
}

TEST_CASE("remove_expired takes only artifacts whose retention ended, without a running service", "[services]") {
  TempDir dir;
  ArtifactStore store(dir.path.string());
  for (const auto& [name, expiry] : {std::pair<std::string, std::int64_t>{"ended", 100}, {"later", 300}, {"kept", 0}}) {
    const auto id = std::get<ArtifactInfo>(store.create(name, "job", "", expiry)).id;
    REQUIRE_FALSE(refusal(store.put_content(id, "x")));
    REQUIRE_FALSE(refusal(store.finalize(name, 1, "")));
  }
  const auto removed = remove_expired(dir.path.string(), 200);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].name == "ended");
  CHECK_FALSE(fs::exists(dir.path / "ended"));
  CHECK(fs::exists(dir.path / "kept" / "content"));
  CHECK(fs::exists(dir.path / "later" / "content"));
  CHECK(remove_expired(dir.path.string(), 200).empty());
}

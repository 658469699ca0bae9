// Which node runs a JavaScript action, given the nodes that answered `--version`.
#include <catch2/catch.hpp>

#include "runner/job/action_step.hpp"

using namespace pipeline::runner::job;

TEST_CASE("the node of the wanted major version is chosen, the image's first", "[node]") {
  const std::vector<NodeInstall> installs{{"node", "v18.20.4"}, {"/__pipe/node/bin/node", "v20.11.1"}};
  auto choice = choose_node("node20", installs);
  REQUIRE(choice);
  CHECK(choice->path == "/__pipe/node/bin/node");
  CHECK(choice->warning.empty());
  auto same = choose_node("node20", {{"node", "v20.1.0"}, {"/__pipe/node/bin/node", "v20.11.1"}});
  REQUIRE(same);
  CHECK(same->path == "node");
}

TEST_CASE("node12 and node16 actions run on node20 or newer without a warning", "[node]") {
  auto choice = choose_node("node16", {{"node", "v14.0.0"}, {"/n", "v22.1.0"}, {"/m", "v20.3.0"}});
  REQUIRE(choice);
  CHECK(choice->path == "/m");
  CHECK(choice->warning.empty());
  auto exact = choose_node("node12", {{"/m", "v20.3.0"}, {"node", "v12.22.0"}});
  REQUIRE(exact);
  CHECK(exact->path == "node");
}

TEST_CASE("without the wanted version the closest runs, with one warning naming both", "[node]") {
  auto choice = choose_node("node24", {{"node", "v18.20.4"}, {"/__pipe/node/bin/node", "v20.11.1"}});
  REQUIRE(choice);
  CHECK(choice->path == "/__pipe/node/bin/node");
  CHECK(choice->warning.find("node 24") != std::string::npos);
  CHECK(choice->warning.find("v20.11.1") != std::string::npos);
  // Equally far: the newer.
  auto tie = choose_node("node20", {{"old", "v18.0.0"}, {"new", "v22.0.0"}});
  REQUIRE(tie);
  CHECK(tie->path == "new");
  CHECK_FALSE(tie->warning.empty());
}

TEST_CASE("no node at all is no choice", "[node]") {
  CHECK_FALSE(choose_node("node20", {}));
  CHECK(node_major("v20.11.1") == 20);
  CHECK(node_major("OCI runtime exec failed") == 0);
}

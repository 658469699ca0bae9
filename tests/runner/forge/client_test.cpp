// The Connect client and the poller against the forge stand-in.
#include <catch2/catch.hpp>

#include "runner/forge/client.hpp"
#include "runner/forge/poller.hpp"
#include "support/forge_standin.hpp"

namespace forge = pipeline::runner::forge;
using pipeline::test::ForgeStandin;

namespace {

forge::ForgeClient registered_client(const ForgeStandin& standin) {
  return {standin.address(), forge::TlsCheck::verify, "standin-runner-uuid", "standin-runner-token"};
}

}  // namespace

TEST_CASE("register trades the registration token for an identity", "[forge]") {
  ForgeStandin standin;
  const forge::ForgeClient client(standin.address(), forge::TlsCheck::verify);
  REQUIRE(client.ping());
  auto runner = client.register_runner("r1", ForgeStandin::registration_token(), "v", {"linux"});
  REQUIRE(runner);
  CHECK(runner->id == 7);
  CHECK(runner->uuid == "standin-runner-uuid");
  CHECK(standin.registered()["labels"] == nlohmann::json::array({"linux"}));
  auto refused = client.register_runner("r1", "wrong", "v", {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message ==
        "runner.v1.RunnerService/Register: unauthenticated: runner registration token not found (HTTP 401)");
}

TEST_CASE("Connect error bodies become clear messages", "[forge]") {
  ForgeStandin standin;
  const forge::ForgeClient stranger(standin.address(), forge::TlsCheck::verify, "who", "what");
  auto fetched = stranger.fetch_task(0, std::chrono::seconds(5));
  REQUIRE_FALSE(fetched);
  CHECK(fetched.error().message == "runner.v1.RunnerService/FetchTask: unauthenticated: unregistered runner (HTTP 401)");
  standin.fail_next("Declare", 1, pipeline::test::Fault::unavailable);
  auto declared = registered_client(standin).declare("v", {"a"});
  REQUIRE_FALSE(declared);
  CHECK(declared.error().message ==
        "runner.v1.RunnerService/Declare: unavailable: the stand-in is down for this call (HTTP 503)");
  CHECK(forge::connect_error_text("<html>bad gateway</html>") == "<html>bad gateway</html>");
}

TEST_CASE("the poller sends 0 after a task and the server's version after an empty answer", "[forge]") {
  ForgeStandin standin;
  const auto client = registered_client(standin);
  forge::Poller poller(client, std::chrono::seconds(5));
  standin.enqueue({1, "jobs:\n  a:\n    runs-on: linux\n    steps: [{run: 'true'}]\n"});
  standin.enqueue({2, "jobs:\n  a:\n    runs-on: linux\n    steps: [{run: 'true'}]\n"});
  auto first = poller.fetch();
  REQUIRE(first);
  REQUIRE(*first);
  CHECK((*first)->id == 1);
  // The version did not move while task 2 waits: only a request with 0 makes the server look.
  CHECK(poller.tasks_version() == 0);
  auto second = poller.fetch();
  REQUIRE((second && *second));
  CHECK((*second)->id == 2);
  auto empty = poller.fetch();
  REQUIRE(empty);
  CHECK_FALSE(*empty);
  CHECK(poller.tasks_version() == 2);
  auto again = poller.fetch();
  REQUIRE(again);
  CHECK_FALSE(*again);
  CHECK(standin.fetch_versions() == std::vector<std::int64_t>{0, 0, 0, 2});
  standin.enqueue({3, "jobs:\n  a:\n    runs-on: linux\n    steps: [{run: 'true'}]\n"});
  auto third = poller.fetch();
  REQUIRE((third && *third));
  CHECK((*third)->id == 3);
}

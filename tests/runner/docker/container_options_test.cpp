#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runner/docker/container_options.hpp"
#include "runner/docker/docker_backend.hpp"

using namespace pipeline::runner::docker;
using nlohmann::json;

namespace {

json applied(const std::string& text) {
  auto options = parse_container_options(text);
  REQUIRE(options.ok());
  json body = json::object();
  apply_container_options(*options, body);
  return body;
}

}  // namespace

TEST_CASE("options split like a shell", "[docker][options]") {
  struct Case {
    std::string text;
    std::vector<std::string> words;
  };
  const std::vector<Case> cases = {
      {"", {}},
      {"  --cpus 1  ", {"--cpus", "1"}},
      {"--health-cmd \"redis-cli ping\"", {"--health-cmd", "redis-cli ping"}},
      {"--health-cmd 'pg_isready -U \"x\"'", {"--health-cmd", "pg_isready -U \"x\""}},
      {"-e A=b\\ c", {"-e", "A=b c"}},
      {"--label a=\"x\\\"y\"", {"--label", "a=x\"y"}},
      {"--x=''", {"--x="}},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto words = split_shell_words(c.text);
    REQUIRE(words.ok());
    CHECK(*words == c.words);
  }
  CHECK_FALSE(split_shell_words("--health-cmd 'unterminated").ok());
}

TEST_CASE("each supported option lands in the create body", "[docker][options]") {
  struct Case {
    std::string text;
    json::json_pointer pointer;
    json expected;
  };
  const std::vector<Case> cases = {
      {"--cpus 1.5", json::json_pointer("/HostConfig/NanoCpus"), 1500000000},
      {"--memory 512m", json::json_pointer("/HostConfig/Memory"), 536870912},
      {"-m=1g", json::json_pointer("/HostConfig/Memory"), 1073741824},
      {"--shm-size 64mb", json::json_pointer("/HostConfig/ShmSize"), 67108864},
      {"--user 1000:1000", json::json_pointer("/User"), "1000:1000"},
      {"--hostname box", json::json_pointer("/Hostname"), "box"},
      {"-e A=1 --env B=2", json::json_pointer("/Env"), json::array({"A=1", "B=2"})},
      {"-v /a:/b:ro", json::json_pointer("/HostConfig/Binds"), json::array({"/a:/b:ro"})},
      {"--volume /data", json::json_pointer("/Volumes"), json{{"/data", json::object()}}},
      {"--health-cmd \"redis-cli ping\"", json::json_pointer("/Healthcheck/Test"), json::array({"CMD-SHELL", "redis-cli ping"})},
      {"--health-interval 10s", json::json_pointer("/Healthcheck/Interval"), 10000000000LL},
      {"--health-timeout=500ms", json::json_pointer("/Healthcheck/Timeout"), 500000000},
      {"--health-start-period 1m30s", json::json_pointer("/Healthcheck/StartPeriod"), 90000000000LL},
      {"--health-retries 5", json::json_pointer("/Healthcheck/Retries"), 5},
      {"--entrypoint /bin/sh", json::json_pointer("/Entrypoint"), json::array({"/bin/sh"})},
      {"--privileged", json::json_pointer("/HostConfig/Privileged"), true},
      {"--cap-add NET_ADMIN --cap-add SYS_PTRACE", json::json_pointer("/HostConfig/CapAdd"), json::array({"NET_ADMIN", "SYS_PTRACE"})},
      {"--cap-drop ALL", json::json_pointer("/HostConfig/CapDrop"), json::array({"ALL"})},
      {"--workdir /src", json::json_pointer("/WorkingDir"), "/src"},
      {"--label team=ci -l x", json::json_pointer("/Labels"), json{{"team", "ci"}, {"x", ""}}},
      {"--add-host db:10.0.0.2", json::json_pointer("/HostConfig/ExtraHosts"), json::array({"db:10.0.0.2"})},
      {"--ulimit nofile=1024:2048", json::json_pointer("/HostConfig/Ulimits/0"), json{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}},
      {"--ulimit nproc=64", json::json_pointer("/HostConfig/Ulimits/0/Hard"), 64},
      {"--init", json::json_pointer("/HostConfig/Init"), true},
      {"--init=false", json::json_pointer("/HostConfig/Init"), false},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const json body = applied(c.text);
    REQUIRE(body.contains(c.pointer));
    CHECK(body.at(c.pointer) == c.expected);
  }
}

TEST_CASE("network aliases are collected for the network endpoint", "[docker][options]") {
  auto options = parse_container_options("--network-alias db --network-alias pg");
  REQUIRE(options.ok());
  CHECK(options->network_aliases == std::vector<std::string>{"db", "pg"});
}

TEST_CASE("bad options are errors naming the option", "[docker][options]") {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"--network host", "unsupported container option '--network'"},
      {"--rm", "unsupported container option '--rm'"},
      {"--cpus", "container option '--cpus' needs a value"},
      {"--cpus lots", "container option '--cpus': 'lots' is not a number of CPUs"},
      {"--memory 12q", "container option '--memory': '12q' is not a size (e.g. 512m, 2g)"},
      {"--health-interval 10", "container option '--health-interval': '10' is not a duration (e.g. 10s, 1m30s, 500ms)"},
      {"--ulimit nofile", "container option '--ulimit': expected name=soft[:hard], got 'nofile'"},
      {"--privileged=maybe", "container option '--privileged': expected true or false, got 'maybe'"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto options = parse_container_options(c.text);
    REQUIRE_FALSE(options.ok());
    CHECK(options.error().message == c.message);
  }
}

TEST_CASE("port mappings", "[docker][options]") {
  struct Case {
    std::string text;
    std::string container_port, host_ip, host_port;
  };
  const std::vector<Case> cases = {
      {"5432:5432", "5432/tcp", "127.0.0.1", "5432"},
      {"5432", "5432/tcp", "127.0.0.1", ""},
      {"127.0.0.1:8080:80/tcp", "80/tcp", "127.0.0.1", "8080"},
      {"0.0.0.0:53:53/udp", "53/udp", "0.0.0.0", "53"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto port = parse_port_mapping(c.text);
    REQUIRE(port.ok());
    CHECK(port->container_port == c.container_port);
    CHECK(port->host_ip == c.host_ip);
    CHECK(port->host_port == c.host_port);
  }
  CHECK_FALSE(parse_port_mapping("a:b:c:d").ok());
  CHECK_FALSE(parse_port_mapping("x").ok());
}

TEST_CASE("pull policies", "[docker][options]") {
  CHECK(*parse_pull_policy("missing") == PullPolicy::missing);
  CHECK(*parse_pull_policy("always") == PullPolicy::always);
  CHECK(*parse_pull_policy("never") == PullPolicy::never);
  auto bad = parse_pull_policy("sometimes");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "unknown pull policy 'sometimes' (expected missing, always or never)");
}

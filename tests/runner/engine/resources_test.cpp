// Fixed host ports become scheduler resource keys.
#include <catch2/catch.hpp>

#include "runner/engine/resources.hpp"

using namespace pipeline::runner::engine;
using Keys = std::vector<std::string>;

TEST_CASE("fixed host ports are resources, random ones are not", "[resources]") {
  struct Row {
    std::string spec;
    Keys keys;
  };
  auto row = GENERATE(Row{"8080:80", {"port:8080/tcp"}}, Row{"80", {}}, Row{"127.0.0.1:8080:80", {"port:8080/tcp"}},
                      Row{"127.0.0.1::80", {}}, Row{"5353:53/udp", {"port:5353/udp"}},
                      Row{"8000-8002:8000-8002", {"port:8000/tcp", "port:8001/tcp", "port:8002/tcp"}},
                      Row{"[::1]:9000:90", {"port:9000/tcp"}}, Row{"x:80", {}}, Row{"99999:80", {}},
                      Row{"9-8:80", {}});
  CAPTURE(row.spec);
  CHECK(host_port_resources({row.spec}) == row.keys);
}

TEST_CASE("keys are unique and sorted across specs", "[resources]") {
  CHECK(host_port_resources({"9090:90", "8080:80", "8080:81"}) == Keys{"port:8080/tcp", "port:9090/tcp"});
  CHECK(host_port_resources({"1-65535:1-65535"}).size() == 1024);
}

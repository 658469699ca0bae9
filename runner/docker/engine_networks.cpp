// EngineClient: per-job networks, their members and their gateway.
#include "runner/docker/engine_client.hpp"

#include "runner/docker/engine_json.hpp"

namespace pipeline::runner::docker {

using namespace engine_json;

Result<std::string> EngineClient::create_network(const std::string& name, const Labels& labels) {
  const json body{{"Name", name}, {"CheckDuplicate", true}, {"Labels", labels}};
  auto response = call_json("POST", "/networks/create", body);
  if (auto ok = expect_ok("creating network " + name, response); !ok) {
    return ok.error();
  }
  return id_in(response->body);
}

Result<void> EngineClient::connect_network(const std::string& network, const std::string& container,
                                           const std::vector<std::string>& aliases) {
  const json body{{"Container", container}, {"EndpointConfig", {{"Aliases", aliases}}}};
  return expect_ok("connecting " + container.substr(0, 12) + " to a network", call_json("POST", "/networks/" + network + "/connect", body));
}

Result<void> EngineClient::disconnect_network(const std::string& network, const std::string& container, Wait wait) {
  const json body{{"Container", container}, {"Force", true}};
  return expect_ok("disconnecting " + container.substr(0, 12),
                   call_json("POST", "/networks/" + network + "/disconnect", body, wait));
}

Result<void> EngineClient::remove_network(const std::string& network, Wait wait) {
  auto response = call("DELETE", "/networks/" + network, "", "", wait);
  if (response && response->status == 404) {
    return {};
  }
  return expect_ok("removing network " + network.substr(0, 12), response);
}

Result<std::vector<std::string>> EngineClient::network_containers(const std::string& network) {
  auto response = call("GET", "/networks/" + network);
  if (auto ok = expect_ok("inspecting network " + network.substr(0, 12), response); !ok) {
    return ok.error();
  }
  std::vector<std::string> ids;
  const json& containers = member(json::parse(response->body, nullptr, false), "Containers");
  if (containers.is_object()) {
    for (const auto& item : containers.items()) {
      ids.push_back(item.key());
    }
  }
  return ids;
}

Result<std::string> EngineClient::network_gateway(const std::string& network) {
  auto response = call("GET", "/networks/" + network);
  if (auto ok = expect_ok("inspecting network " + network, response); !ok) {
    return ok.error();
  }
  const json network_json = json::parse(response->body, nullptr, false);
  const json& configs = member(member(network_json, "IPAM"), "Config");
  for (const auto& config : configs.is_array() ? configs : json::array()) {
    const std::string gateway = config.value("Gateway", "");
    if (!gateway.empty() && gateway.find(':') == std::string::npos) {
      return gateway;
    }
    // Docker leaves Gateway out of the default bridge's IPAM: the bridge holds the subnet's first address.
    const std::string subnet = config.value("Subnet", "");
    unsigned a = 0, b = 0, c = 0, d = 0, bits = 0;
    if (std::sscanf(subnet.c_str(), "%u.%u.%u.%u/%u", &a, &b, &c, &d, &bits) == 5 && bits < 31) {
      return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." + std::to_string(d + 1);
    }
  }
  return Error{"network " + network + " has no IPv4 gateway"};
}

Result<std::vector<LabelledObject>> EngineClient::list_networks(const std::string& label) {
  auto response = call("GET", "/networks?filters=" + label_filter(label));
  if (auto ok = expect_ok("listing networks", response); !ok) {
    return ok.error();
  }
  std::vector<LabelledObject> found;
  const json items = json::parse(response->body, nullptr, false);
  for (const json& item : items.is_array() ? items : json::array()) {
    found.push_back({item.value("Id", ""), item.value("Name", ""), labels_of(member(item, "Labels"))});
  }
  return found;
}

}  // namespace pipeline::runner::docker

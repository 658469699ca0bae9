#include "runner/docker/container_options.hpp"
#include "runner/docker/docker_backend.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>

#include <nlohmann/json.hpp>

namespace pipeline::runner::docker {
namespace {

using nlohmann::json;

// How one flag stores its value; `value` is empty for flags that take none.
using Setter = std::function<Result<void>(ContainerOptions&, const std::string& value)>;

enum class Takes { value, nothing };

struct Flag {
  std::vector<std::string> names;
  Takes takes;
  Setter set;
};

Result<void> set_number(std::optional<std::int64_t>& field, Result<std::int64_t> parsed) {
  if (!parsed) {
    return parsed.error();
  }
  field = *parsed;
  return {};
}

Result<bool> parse_bool(const std::string& value) {
  if (value.empty() || value == "true" || value == "1") {
    return true;
  }
  if (value == "false" || value == "0") {
    return false;
  }
  return Error{"expected true or false, got '" + value + "'"};
}

Result<std::int64_t> parse_integer(std::string_view text) {
  if (text.empty()) {
    return Error{"expected a number"};
  }
  char* end = nullptr;
  const std::string copy(text);
  const long long value = std::strtoll(copy.c_str(), &end, 10);
  if (*end != '\0') {
    return Error{"'" + copy + "' is not a whole number"};
  }
  return static_cast<std::int64_t>(value);
}

Result<void> set_cpus(ContainerOptions& o, const std::string& v) {
  char* end = nullptr;
  const double cpus = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || cpus <= 0) {
    return Error{"'" + v + "' is not a number of CPUs"};
  }
  o.nano_cpus = static_cast<std::int64_t>(std::llround(cpus * 1e9));
  return {};
}

Result<void> set_env(ContainerOptions& o, const std::string& v) {
  if (v.find('=') != std::string::npos) {
    o.env.push_back(v);
  } else if (const char* inherited = std::getenv(v.c_str())) {
    o.env.push_back(v + "=" + inherited);  // `-e NAME` takes the value from pipe's environment, like docker
  }
  return {};
}

Result<void> set_volume(ContainerOptions& o, const std::string& v) {
  if (v.empty()) {
    return Error{"empty volume"};
  }
  (v.find(':') == std::string::npos ? o.anonymous_volumes : o.binds).push_back(v);
  return {};
}

Result<void> set_label(ContainerOptions& o, const std::string& v) {
  const auto eq = v.find('=');
  o.labels[v.substr(0, eq)] = eq == std::string::npos ? "" : v.substr(eq + 1);
  return {};
}

Result<void> set_ulimit(ContainerOptions& o, const std::string& v) {
  const auto eq = v.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Error{"expected name=soft[:hard], got '" + v + "'"};
  }
  const std::string limits = v.substr(eq + 1);
  const auto colon = limits.find(':');
  auto soft = parse_integer(limits.substr(0, colon));
  auto hard = parse_integer(colon == std::string::npos ? limits : limits.substr(colon + 1));
  if (!soft || !hard) {
    return Error{"expected name=soft[:hard], got '" + v + "'"};
  }
  o.ulimits.push_back({v.substr(0, eq), *soft, *hard});
  return {};
}

Result<void> set_init(ContainerOptions& o, const std::string& v) {
  auto flag = parse_bool(v);
  if (!flag) {
    return flag.error();
  }
  o.init = *flag;
  return {};
}

Result<void> set_privileged(ContainerOptions& o, const std::string& v) {
  auto flag = parse_bool(v);
  if (!flag) {
    return flag.error();
  }
  o.privileged = *flag;
  return {};
}

Result<void> set_retries(ContainerOptions& o, const std::string& v) {
  auto n = parse_integer(v);
  if (!n) {
    return n.error();
  }
  o.health_retries = static_cast<int>(*n);
  return {};
}

const std::vector<Flag>& flag_table() {
  static const std::vector<Flag> k_flags = {
      {{"--cpus"}, Takes::value, set_cpus},
      {{"--memory", "-m"}, Takes::value, [](auto& o, auto& v) { return set_number(o.memory, parse_byte_size(v)); }},
      {{"--shm-size"}, Takes::value, [](auto& o, auto& v) { return set_number(o.shm_size, parse_byte_size(v)); }},
      {{"--user", "-u"}, Takes::value, [](auto& o, auto& v) { o.user = v; return Result<void>(); }},
      {{"--hostname", "-h"}, Takes::value, [](auto& o, auto& v) { o.hostname = v; return Result<void>(); }},
      {{"--entrypoint"}, Takes::value, [](auto& o, auto& v) { o.entrypoint = std::vector<std::string>{v}; return Result<void>(); }},
      {{"--workdir", "-w"}, Takes::value, [](auto& o, auto& v) { o.workdir = v; return Result<void>(); }},
      {{"--env", "-e"}, Takes::value, set_env},
      {{"--volume", "-v"}, Takes::value, set_volume},
      {{"--network-alias"}, Takes::value, [](auto& o, auto& v) { o.network_aliases.push_back(v); return Result<void>(); }},
      {{"--health-cmd"}, Takes::value, [](auto& o, auto& v) { o.health_test = std::vector<std::string>{"CMD-SHELL", v}; return Result<void>(); }},
      {{"--no-healthcheck"}, Takes::nothing, [](auto& o, auto&) { o.health_test = std::vector<std::string>{"NONE"}; return Result<void>(); }},
      {{"--health-interval"}, Takes::value, [](auto& o, auto& v) { return set_number(o.health_interval, parse_duration_ns(v)); }},
      {{"--health-timeout"}, Takes::value, [](auto& o, auto& v) { return set_number(o.health_timeout, parse_duration_ns(v)); }},
      {{"--health-start-period"}, Takes::value, [](auto& o, auto& v) { return set_number(o.health_start_period, parse_duration_ns(v)); }},
      {{"--health-retries"}, Takes::value, set_retries},
      {{"--privileged"}, Takes::nothing, set_privileged},
      {{"--cap-add"}, Takes::value, [](auto& o, auto& v) { o.cap_add.push_back(v); return Result<void>(); }},
      {{"--cap-drop"}, Takes::value, [](auto& o, auto& v) { o.cap_drop.push_back(v); return Result<void>(); }},
      {{"--label", "-l"}, Takes::value, set_label},
      {{"--add-host"}, Takes::value, [](auto& o, auto& v) { o.extra_hosts.push_back(v); return Result<void>(); }},
      {{"--ulimit"}, Takes::value, set_ulimit},
      {{"--init"}, Takes::nothing, set_init},
  };
  return k_flags;
}

const Flag* find_flag(const std::string& name) {
  for (const Flag& flag : flag_table()) {
    for (const std::string& candidate : flag.names) {
      if (candidate == name) {
        return &flag;
      }
    }
  }
  return nullptr;
}

}  // namespace

Result<std::vector<std::string>> split_shell_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      if (in_word) {
        words.push_back(std::move(word));
        word.clear();
        in_word = false;
      }
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const auto end = text.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return Error{"unterminated ' in options"};
      }
      word.append(text.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        const bool escaped = text[i] == '\\' && i + 1 < text.size() && std::string_view("\"\\$`").find(text[i + 1]) != std::string_view::npos;
        word.push_back(escaped ? text[++i] : text[i]);
      }
      if (i >= text.size()) {
        return Error{"unterminated \" in options"};
      }
    } else if (c == '\\' && i + 1 < text.size()) {
      word.push_back(text[++i]);
    } else {
      word.push_back(c);
    }
  }
  if (in_word) {
    words.push_back(std::move(word));
  }
  return words;
}

Result<ContainerOptions> parse_container_options(std::string_view text) {
  auto words = split_shell_words(text);
  if (!words) {
    return words.error();
  }
  ContainerOptions options;
  for (std::size_t i = 0; i < words->size(); ++i) {
    std::string name = (*words)[i];
    std::optional<std::string> value;
    if (const auto eq = name.find('='); name.rfind("-", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const Flag* flag = find_flag(name);
    if (flag == nullptr) {
      return Error{"unsupported container option '" + name + "'"};
    }
    if (flag->takes == Takes::value && !value) {
      if (i + 1 >= words->size()) {
        return Error{"container option '" + name + "' needs a value"};
      }
      value = (*words)[++i];
    }
    if (auto set = flag->set(options, value.value_or("")); !set) {
      return Error{"container option '" + name + "': " + set.error().message};
    }
  }
  return options;
}

Result<std::int64_t> parse_byte_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) != 0 || text[digits] == '.')) {
    ++digits;
  }
  const std::string number(text.substr(0, digits));
  std::string unit(text.substr(digits));
  for (char& c : unit) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (unit.size() == 2 && unit[1] == 'b') {
    unit.pop_back();
  }
  static const std::map<std::string, double> k_units = {{"", 1.0}, {"b", 1.0}, {"k", 1024.0}, {"m", 1048576.0},
                                                         {"g", 1073741824.0}, {"t", 1099511627776.0}};
  const auto scale = k_units.find(unit);
  if (number.empty() || scale == k_units.end()) {
    return Error{"'" + std::string(text) + "' is not a size (e.g. 512m, 2g)"};
  }
  return static_cast<std::int64_t>(std::atof(number.c_str()) * scale->second);
}

Result<std::int64_t> parse_duration_ns(std::string_view text) {
  static const std::vector<std::pair<std::string, double>> k_units = {
      {"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '.')) {
      ++i;
    }
    const std::string number(text.substr(start, i - start));
    const std::pair<std::string, double>* unit = nullptr;
    for (const auto& candidate : k_units) {  // two-letter units are listed first so "ms" wins over "m"
      if (text.substr(i, candidate.first.size()) == candidate.first) {
        unit = &candidate;
        break;
      }
    }
    if (number.empty() || unit == nullptr) {
      return Error{"'" + std::string(text) + "' is not a duration (e.g. 10s, 1m30s, 500ms)"};
    }
    total += std::atof(number.c_str()) * unit->second;
    i += unit->first.size();
  }
  if (text.empty()) {
    return Error{"empty duration"};
  }
  return static_cast<std::int64_t>(total);
}

namespace {

void apply_health(const ContainerOptions& o, json& body) {
  if (!o.health_test && !o.health_interval && !o.health_timeout && !o.health_start_period && !o.health_retries) {
    return;
  }
  json& health = body["Healthcheck"];
  if (o.health_test) {
    health["Test"] = *o.health_test;
  }
  if (o.health_interval) {
    health["Interval"] = *o.health_interval;
  }
  if (o.health_timeout) {
    health["Timeout"] = *o.health_timeout;
  }
  if (o.health_start_period) {
    health["StartPeriod"] = *o.health_start_period;
  }
  if (o.health_retries) {
    health["Retries"] = *o.health_retries;
  }
}

void append_all(json& array, const std::vector<std::string>& items) {
  for (const auto& item : items) {
    array.push_back(item);
  }
}

void apply_host_config(const ContainerOptions& o, json& host) {
  if (o.nano_cpus) {
    host["NanoCpus"] = *o.nano_cpus;
  }
  if (o.memory) {
    host["Memory"] = *o.memory;
  }
  if (o.shm_size) {
    host["ShmSize"] = *o.shm_size;
  }
  if (o.privileged) {
    host["Privileged"] = true;
  }
  if (o.init) {
    host["Init"] = *o.init;
  }
  append_all(host["Binds"], o.binds);
  append_all(host["CapAdd"], o.cap_add);
  append_all(host["CapDrop"], o.cap_drop);
  append_all(host["ExtraHosts"], o.extra_hosts);
  for (const Ulimit& limit : o.ulimits) {
    host["Ulimits"].push_back({{"Name", limit.name}, {"Soft", limit.soft}, {"Hard", limit.hard}});
  }
  for (const char* key : {"Binds", "CapAdd", "CapDrop", "ExtraHosts"}) {
    if (host[key].is_null()) {
      host.erase(key);
    }
  }
}

}  // namespace

void apply_container_options(const ContainerOptions& o, json& body) {
  if (!o.user.empty()) {
    body["User"] = o.user;
  }
  if (!o.hostname.empty()) {
    body["Hostname"] = o.hostname;
  }
  if (!o.workdir.empty()) {
    body["WorkingDir"] = o.workdir;
  }
  if (o.entrypoint) {
    body["Entrypoint"] = *o.entrypoint;
  }
  append_all(body["Env"], o.env);
  if (body["Env"].is_null()) {
    body.erase("Env");
  }
  for (const auto& volume : o.anonymous_volumes) {
    body["Volumes"][volume] = json::object();
  }
  for (const auto& [key, value] : o.labels) {
    body["Labels"][key] = value;
  }
  apply_health(o, body);
  apply_host_config(o, body["HostConfig"]);
}

Result<PortMapping> parse_port_mapping(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t colon = text.find(':'); colon != std::string::npos; colon = text.find(':', start)) {
    parts.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(text.substr(start));
  if (parts.size() > 3 || parts.back().empty()) {
    return Error{"invalid port mapping '" + text + "' (expected [[host-ip:]host-port:]container-port[/protocol])"};
  }
  PortMapping mapping;
  mapping.container_port = parts.back().find('/') == std::string::npos ? parts.back() + "/tcp" : parts.back();
  mapping.host_ip = parts.size() == 3 ? parts[0] : "127.0.0.1";
  mapping.host_port = parts.size() >= 2 ? parts[parts.size() - 2] : "";
  if (mapping.container_port.find_first_not_of("0123456789/tcpudsn") != std::string::npos ||
      mapping.host_port.find_first_not_of("0123456789") != std::string::npos) {
    return Error{"invalid port mapping '" + text + "'"};
  }
  return mapping;
}

}  // namespace pipeline::runner::docker

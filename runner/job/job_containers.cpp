#include "runner/job/job_containers.hpp"

#include <algorithm>
#include <array>

#include "runner/engine/shell.hpp"

namespace pipeline::runner::job {
namespace {

namespace expr = workflow::expr;

enum class Role { job, service };

constexpr std::array<std::string_view, 6> k_job_keys{"image", "credentials", "env", "ports", "volumes", "options"};
constexpr std::array<std::string_view, 8> k_service_keys{"image", "credentials", "env", "ports",
                                                         "volumes", "options", "entrypoint", "command"};

// The strings of a list value; a single string is a list of one.
Result<std::vector<std::string>> string_list(const expr::Value& value, const std::string& what) {
  std::vector<std::string> out;
  if (value.is_null()) {
    return out;
  }
  if (value.is_primitive()) {
    out.push_back(value.to_display_string());
    return out;
  }
  if (!value.is_array()) {
    return Error{what + " must be a list of strings, not " + std::string(value.kind_name())};
  }
  for (const auto& item : value.as_array()) {
    if (!item.is_primitive()) {
      return Error{what + " must be a list of strings, not a list holding " + std::string(item.kind_name())};
    }
    out.push_back(item.to_display_string());
  }
  return out;
}

Result<std::optional<std::pair<std::string, std::string>>> credentials_of(const expr::Value& value, const std::string& what) {
  if (value.is_null()) {
    return std::optional<std::pair<std::string, std::string>>();
  }
  if (!value.is_object()) {
    return Error{what + ": 'credentials' must be a mapping with 'username' and 'password'"};
  }
  const expr::Value* username = value.find("username");
  const expr::Value* password = value.find("password");
  const std::string user = username ? username->to_display_string() : "";
  const std::string secret = password ? password->to_display_string() : "";
  // GitHub's runner logs in only when both are given; otherwise the pull is anonymous.
  if (user.empty() || secret.empty()) {
    return std::optional<std::pair<std::string, std::string>>();
  }
  return std::optional<std::pair<std::string, std::string>>(std::make_pair(user, secret));
}

// `entrypoint:` replaces the image's ENTRYPOINT with one program (as `docker run --entrypoint`
// does) or with a list; `command:` is split into arguments the way the runner's command line is.
Result<void> read_command_keys(const expr::Value& value, const std::string& what, EvaluatedContainer& out) {
  if (const expr::Value* entrypoint = value.find("entrypoint"); entrypoint && !entrypoint->is_null()) {
    if (entrypoint->is_primitive()) {
      out.entrypoint = std::vector<std::string>{entrypoint->to_display_string()};
    } else {
      auto list = string_list(*entrypoint, what + ": 'entrypoint'");
      if (!list) {
        return list.error();
      }
      out.entrypoint = std::move(*list);
    }
  }
  if (const expr::Value* command = value.find("command"); command && !command->is_null()) {
    if (command->is_primitive()) {
      out.command = engine::split_arguments(command->to_display_string());
    } else {
      auto list = string_list(*command, what + ": 'command'");
      if (!list) {
        return list.error();
      }
      out.command = std::move(*list);
    }
  }
  return {};
}

Result<void> check_keys(const expr::Object& object, Role role, const std::string& what) {
  for (const auto& entry : object.entries()) {
    const bool known = role == Role::service
                           ? std::find(k_service_keys.begin(), k_service_keys.end(), entry.key) != k_service_keys.end()
                           : std::find(k_job_keys.begin(), k_job_keys.end(), entry.key) != k_job_keys.end();
    if (!known) {
      return Error{"unknown key '" + entry.key + "' in " + what};
    }
  }
  return {};
}

// Reads an evaluated value: an image name, or a mapping of the keys `container:` takes.
Result<EvaluatedContainer> container_from_value(const expr::Value& value, Role role, const std::string& what) {
  EvaluatedContainer out;
  if (value.is_null() || value.is_primitive()) {
    out.image = value.to_display_string();
    return out;
  }
  if (!value.is_object()) {
    return Error{what + " must be an image name or a mapping, not " + std::string(value.kind_name())};
  }
  if (auto keys = check_keys(value.as_object(), role, what); !keys) {
    return keys.error();
  }
  const expr::Value* image = value.find("image");
  out.image = image ? image->to_display_string() : "";
  auto credentials = credentials_of(value.find("credentials") ? *value.find("credentials") : expr::Value{}, what);
  if (!credentials) {
    return credentials.error();
  }
  out.credentials = std::move(*credentials);
  if (const expr::Value* env = value.find("env"); env && env->is_object()) {
    for (const auto& entry : env->as_object().entries()) {
      set_env(out.env, entry.key, entry.value.to_display_string());
    }
  } else if (env && !env->is_null()) {
    return Error{what + ": 'env' must be a mapping, not " + std::string(env->kind_name())};
  }
  for (auto [key, target] : {std::pair{"ports", &out.ports}, std::pair{"volumes", &out.volumes}}) {
    auto list = string_list(value.find(key) ? *value.find(key) : expr::Value{}, what + ": '" + key + "'");
    if (!list) {
      return list.error();
    }
    *target = std::move(*list);
  }
  if (const expr::Value* options = value.find("options"); options && !options->is_null()) {
    out.options = options->to_display_string();
  }
  if (role == Role::service) {
    if (auto command = read_command_keys(value, what, out); !command) {
      return command.error();
    }
  }
  return out;
}

Result<EvaluatedContainer> evaluate_as(const workflow::Container& container, expr::EvalContext& context, Role role,
                                       const std::string& what) {
  auto value = evaluate_node(container.raw, context);
  if (!value) {
    return value.error();
  }
  auto out = container_from_value(*value, role, what);
  if (!out) {
    return Error{where_prefix(container.where) + out.error().message};
  }
  return out;
}

ServiceSpec service_spec(std::string key, EvaluatedContainer evaluated) {
  ServiceSpec spec;
  spec.key = std::move(key);
  spec.image = std::move(evaluated.image);
  spec.env = std::move(evaluated.env);
  spec.ports = std::move(evaluated.ports);
  spec.volumes = std::move(evaluated.volumes);
  spec.options = std::move(evaluated.options);
  spec.credentials = std::move(evaluated.credentials);
  spec.entrypoint = std::move(evaluated.entrypoint);
  spec.command = std::move(evaluated.command);
  return spec;
}

// `services: ${{ ... }}`: a mapping of service keys to image names or service mappings.
Result<std::vector<ServiceSpec>> services_from_expression(const workflow::Node& node, expr::EvalContext& context) {
  auto value = evaluate_node(node, context);
  if (!value) {
    return value.error();
  }
  std::vector<ServiceSpec> services;
  if (value->is_null()) {
    return services;
  }
  if (!value->is_object()) {
    return Error{where_prefix(node.where) + "'services' must evaluate to a mapping, not " +
                 std::string(value->kind_name())};
  }
  for (const auto& entry : value->as_object().entries()) {
    auto service = container_from_value(entry.value, Role::service, "service '" + entry.key + "'");
    if (!service) {
      return Error{where_prefix(node.where) + service.error().message};
    }
    if (!service->image.empty()) {
      services.push_back(service_spec(entry.key, std::move(*service)));
    }
  }
  return services;
}

}  // namespace

Result<EvaluatedContainer> evaluate_container(const workflow::Container& container, expr::EvalContext& context,
                                              std::string_view what) {
  return evaluate_as(container, context, Role::job, std::string(what));
}

Result<std::vector<ServiceSpec>> evaluate_services(const workflow::Job& job, expr::EvalContext& context) {
  if (job.services_expression) {
    return services_from_expression(*job.services_expression, context);
  }
  std::vector<ServiceSpec> services;
  for (const auto& [key, service] : job.services) {
    auto evaluated = evaluate_as(service, context, Role::service, "service '" + key + "'");
    if (!evaluated) {
      return evaluated.error();
    }
    // GitHub starts no service whose image is empty: `image: ${{ matrix.db }}` can leave one out.
    if (!evaluated->image.empty()) {
      services.push_back(service_spec(key, std::move(*evaluated)));
    }
  }
  return services;
}

}  // namespace pipeline::runner::job

// `pipe eval` — evaluates one `${{ }}` expression against contexts given on the command line.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runner/cli/app.hpp"
#include "workflow/expr/evaluator.hpp"
#include "workflow/expr/hash_files.hpp"
#include "workflow/expr/parser.hpp"
#include "workflow/expr/template.hpp"

namespace pipeline::runner::cli {
namespace {

namespace expr = workflow::expr;

struct EvalOptions {
  std::string expression;
  std::vector<std::string> contexts;  // NAME=JSON or NAME=@FILE
  bool json = false;
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{"cannot read " + path};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `env` is case-sensitive on Linux runners; every other context is not.
expr::Value with_key_case(const std::string& name, expr::Value value) {
  const bool is_env = name.size() == 3 && (name[0] | 0x20) == 'e' && (name[1] | 0x20) == 'n' && (name[2] | 0x20) == 'v';
  if (!is_env || !value.is_object()) {
    return value;
  }
  expr::Value env = expr::Value::object(expr::KeyCase::sensitive);
  for (const auto& entry : value.as_object().entries()) {
    env.set(entry.key, entry.value);
  }
  return env;
}

// A misspelt name would otherwise be accepted and never read: the expression would see null.
Result<void> check_context_name(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::vector<std::string_view> names = expr::context_names(expr::k_all_contexts);
  if (std::find(names.begin(), names.end(), lower) != names.end()) {
    return {};
  }
  std::string list;
  for (const auto n : names) {
    list += (list.empty() ? "" : ", ") + std::string(n);
  }
  return Error{"--context: unknown context '" + name + "' (known: " + list + ")"};
}

Result<void> add_context(expr::MapContext& ctx, const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Error{"--context expects NAME=JSON or NAME=@FILE, got '" + spec + "'"};
  }
  const std::string name = spec.substr(0, eq);
  if (Result<void> known = check_context_name(name); !known) {
    return known;
  }
  std::string text = spec.substr(eq + 1);
  if (!text.empty() && text[0] == '@') {
    Result<std::string> file = read_file(text.substr(1));
    if (!file) {
      return Error{"--context " + name + ": " + file.error().message};
    }
    text = std::move(*file);
  }
  try {
    ctx.set(name, with_key_case(name, expr::Value::from_json(nlohmann::ordered_json::parse(text))));
  } catch (const nlohmann::json::exception& e) {
    return Error{"--context " + name + ": invalid JSON: " + e.what()};
  }
  return {};
}

Result<expr::Value> evaluate(const EvalOptions& options, expr::MapContext& ctx) {
  if (expr::has_expression(options.expression)) {
    return expr::evaluate_template(options.expression, ctx);
  }
  Result<expr::Ast> ast = expr::parse(options.expression);
  if (!ast) {
    return ast.error();
  }
  return expr::evaluate(*ast, ctx);
}

// A string built from a context file need not be UTF-8: bad bytes print as U+FFFD.
std::string dump_json(const nlohmann::json& json, int indent) {
  return json.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Strings print as they are, arrays and objects as indented JSON, the rest as GitHub shows them.
std::string render(const expr::Value& value, bool as_json) {
  if (as_json) {
    return "{\"kind\": \"" + std::string(value.kind_name()) + "\", \"value\": " + dump_json(value.to_json(), -1) + "}";
  }
  if (value.is_array() || value.is_object()) {
    return dump_json(value.to_json(), 2);
  }
  return value.to_display_string();
}

int run_eval(const EvalOptions& options) {
  expr::MapContext ctx;
  const std::filesystem::path root = std::filesystem::current_path();
  ctx.set_hash_files([root](const std::vector<std::string>& patterns) { return expr::hash_files(root, patterns); });
  for (const auto& spec : options.contexts) {
    if (Result<void> added = add_context(ctx, spec); !added) {
      std::fprintf(stderr, "pipe: error: %s\n", added.error().message.c_str());
      return k_exit_usage;
    }
  }
  Result<expr::Value> value = evaluate(options, ctx);
  if (!value) {
    std::fprintf(stderr, "%s\n", value.error().message.c_str());
    return k_exit_usage;
  }
  std::cout << render(*value, options.json) << "\n";
  return k_exit_success;
}

}  // namespace

std::function<int()> setup_eval(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  app.add_option("expression", options->expression, "Expression, bare or inside ${{ }}")->required();
  app.add_option("--context,-c", options->contexts, "A context as NAME=JSON or NAME=@FILE (repeatable)");
  app.add_flag("--json", options->json, "Print {\"kind\": ..., \"value\": ...}");
  app.footer("All contexts and functions are allowed; status functions see a successful job;\n"
             "hashFiles() looks under the current directory.");
  return [options] { return run_eval(*options); };
}

}  // namespace pipeline::runner::cli

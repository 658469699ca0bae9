#include "runner/forge/register.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "runner/forge/client.hpp"
#include "runner/forge/daemon.hpp"
#include "runner/forge/labels.hpp"
#include "runner/forge/registration.hpp"
#include "runner/secrets/prompt.hpp"

namespace pipeline::runner::forge {

namespace {

constexpr int k_exit_refused = 1;
constexpr int k_exit_usage = 2;

int usage_error(const std::string& message) {
  std::cerr << "pipe runner register: " << message << '\n';
  return k_exit_usage;
}

std::string host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("pipe-runner");
}

std::string ask(const std::string& question, const std::string& fallback) {
  std::cerr << question << (fallback.empty() ? "" : " [" + fallback + "]") << ": " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer.empty() ? fallback : answer;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

/// The token from --token, --token-file, the environment, or (on a terminal) a no-echo prompt.
std::string find_token(const RegisterOptions& options, bool interactive) {
  if (!options.token.empty()) {
    return options.token;
  }
  if (!options.token_file.empty()) {
    std::ifstream in(options.token_file);
    std::stringstream text;
    text << in.rdbuf();
    return trimmed(text.str());
  }
  if (const char* value = std::getenv(k_token_variable); value && *value) {
    return value;
  }
  if (interactive) {
    auto typed = secrets::prompt_secret("registration token");
    return typed ? trimmed(*typed) : std::string();
  }
  return {};
}

}  // namespace

int run_register(RegisterOptions options) {
  const bool interactive = !options.no_interactive && secrets::can_prompt();
  if (options.instance.empty() && interactive) {
    options.instance = ask("forge URL (e.g. https://gitea.example.com)", "");
  }
  if (options.instance.empty()) {
    return usage_error("--instance URL is required");
  }
  if (options.instance.rfind("http://", 0) != 0 && options.instance.rfind("https://", 0) != 0) {
    return usage_error("--instance '" + options.instance + "' must start with http:// or https://");
  }
  const std::string token = find_token(options, interactive);
  if (token.empty()) {
    return usage_error(std::string("a registration token is required: --token, --token-file or ") + k_token_variable);
  }
  if (options.name.empty()) {
    options.name = interactive ? ask("runner name", host_name()) : host_name();
  }
  if (options.labels.empty()) {
    options.labels = interactive ? ask("labels (NAME:docker://IMAGE or NAME:host, comma-separated)", k_default_labels)
                                 : k_default_labels;
  }
  auto labels = parse_label_list(options.labels);
  if (!labels) {
    return usage_error(labels.error().message);
  }
  const ForgeClient client(options.instance, options.insecure ? TlsCheck::skip : TlsCheck::verify);
  if (auto pinged = client.ping(); !pinged) {
    std::cerr << "pipe runner register: " << options.instance << " does not answer as an Actions server: "
              << pinged.error().message << '\n';
    return k_exit_refused;
  }
  auto runner = client.register_runner(options.name, token, k_runner_version, label_names(*labels));
  if (!runner) {
    std::cerr << "pipe runner register: " << runner.error().message << '\n';
    return k_exit_refused;
  }
  Registration registration;
  registration.id = runner->id;
  registration.uuid = runner->uuid;
  registration.name = runner->name.empty() ? options.name : runner->name;
  registration.token = runner->token;
  registration.address = options.instance;
  for (const auto& label : *labels) {
    registration.labels.push_back(to_string(label));
  }
  if (auto saved = save_registration(options.file, registration); !saved) {
    std::cerr << "pipe runner register: " << saved.error().message << '\n';
    return k_exit_refused;
  }
  std::cout << "registered runner '" << registration.name << "' (id " << registration.id << ") with "
            << options.instance << "; identity in " << options.file << '\n';
  return 0;
}

}  // namespace pipeline::runner::forge

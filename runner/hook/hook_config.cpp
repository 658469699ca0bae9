#include "runner/hook/hook_config.hpp"

#include "runner/config/config.hpp"

namespace pipeline::runner::hook {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    end = end == std::string::npos ? text.size() : end;
    std::string item = text.substr(start, end - start);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) {
      items.push_back(item.substr(first, last - first + 1));
    }
    start = end + 1;
  }
  return items;
}

Result<HookConfig> read_hook_config(const std::filesystem::path& root) {
  const auto loaded = config::load_config(root.string(), config::process_environment());
  if (workflow::has_errors(loaded.diagnostics)) {
    std::string text = loaded.format();
    while (!text.empty() && text.back() == '\n') {
      text.pop_back();
    }
    return Error{text};
  }
  HookConfig out;
  for (const auto& value : loaded.config.list("hook.jobs")) {
    for (auto& job : split_list(value)) {
      out.jobs.push_back(std::move(job));
    }
  }
  out.workflow = loaded.config.value("hook.workflow");
  out.warm = loaded.config.value("hook.warm");
  out.warm_idle = loaded.config.value("hook.warm-idle");
  out.backend = loaded.config.value("hook.backend");
  for (const config::Setting* platform : loaded.config.under("platforms")) {
    out.platforms.emplace_back(platform->key.substr(std::string("platforms.").size()), platform->values.front());
  }
  return out;
}

}  // namespace pipeline::runner::hook

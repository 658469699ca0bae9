#include "runner/trace/trace.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <memory>

namespace pipeline::runner::trace {
namespace {

struct LevelName {
  Level level;
  std::string_view name;
  spdlog::level::level_enum spdlog_level;
};

constexpr std::array<LevelName, 6> k_levels{{
    {Level::off, "off", spdlog::level::off},
    {Level::error, "error", spdlog::level::err},
    {Level::warn, "warn", spdlog::level::warn},
    {Level::info, "info", spdlog::level::info},
    {Level::debug, "debug", spdlog::level::debug},
    {Level::trace, "trace", spdlog::level::trace},
}};

// The level checked on every call; written once by start(), before any thread traces.
std::atomic<Level> g_level{Level::off};
std::shared_ptr<spdlog::logger> g_logger;

spdlog::level::level_enum spdlog_level(Level level) {
  for (const auto& entry : k_levels) {
    if (entry.level == level) {
      return entry.spdlog_level;
    }
  }
  return spdlog::level::off;
}

}  // namespace

Result<Level> parse_level(std::string_view text) {
  for (const auto& entry : k_levels) {
    if (entry.name == text) {
      return entry.level;
    }
  }
  return Error{"unknown log level '" + std::string(text) + "' (expected off, error, warn, info, debug or trace)"};
}

Result<void> start(Level level, const std::string& file) {
  if (level == Level::off) {
    return {};
  }
  try {
    spdlog::sink_ptr sink;
    if (file.empty()) {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
    }
    g_logger = std::make_shared<spdlog::logger>("pipe", std::move(sink));
  } catch (const spdlog::spdlog_ex& e) {
    return Error{"cannot open the log file " + file + ": " + e.what()};
  }
  g_logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e pipe[%P] %t %l: %v");
  g_logger->set_level(spdlog_level(level));
  g_logger->flush_on(spdlog::level::trace);  // a killed run still leaves every line written so far
  g_level.store(level, std::memory_order_release);
  return {};
}

bool enabled(Level level) {
  const Level current = g_level.load(std::memory_order_relaxed);
  return current != Level::off && level >= current;
}

void write(Level level, std::string_view line) {
  if (enabled(level) && g_logger) {
    g_logger->log(spdlog_level(level), "{}", line);
  }
}

}  // namespace pipeline::runner::trace

#include "runner/docker/warm_pool.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <future>

#include "runner/docker/create_body.hpp"
#include "runner/trace/trace.hpp"
#include "workflow/base/json_text.hpp"

namespace pipeline::runner::docker {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Every bind naming the placeholder, now naming the container's own directory.
json with_dir(json body, const std::string& dir) {
  for (auto& bind : body["HostConfig"]["Binds"]) {
    std::string text = bind.get<std::string>();
    for (auto at = text.find(k_warm_dir_placeholder); at != std::string::npos; at = text.find(k_warm_dir_placeholder)) {
      text.replace(at, std::string_view(k_warm_dir_placeholder).size(), dir);
    }
    bind = text;
  }
  return body;
}

std::string run_of(const json& body) {
  const json& labels = body["Labels"];
  return labels.contains("pipe.run") ? labels["pipe.run"].get<std::string>() : std::string("run");
}

// 0755: a container user other than root must reach the job's temp dirs inside.
Result<std::string> make_dir(const std::string& parent) {
  std::error_code ec;
  fs::create_directories(parent, ec);
  std::string pattern = (fs::path(parent) / "warm-XXXXXX").string();
  if (ec || ::mkdtemp(pattern.data()) == nullptr) {
    return Error{"cannot create a temporary directory under " + parent};
  }
  fs::permissions(pattern, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec, ec);
  return pattern;
}

}  // namespace

std::string warm_key(const json& body) { return json_text(body); }

WarmPool::WarmPool(EngineClient& client, WarmReady on_ready, std::function<void(const std::string&)> status)
    : m_client(client), m_on_ready(std::move(on_ready)), m_status(std::move(status)) {}

WarmPool::~WarmPool() { close(); }

std::optional<WarmContainer> WarmPool::take(const std::string& key) {
  std::unique_lock lock(m_mutex);
  auto found = m_stock.find(key);
  if (m_closed || found == m_stock.end() || found->second.unclaimed() <= 0) {
    return std::nullopt;
  }
  // A container being made is nearer to started than one this job would create now: wait for it.
  Stock& stock = found->second;
  ++stock.claimed;
  m_changed.wait(lock, [&] { return m_closed || !stock.ready.empty() || stock.unclaimed() < 0; });
  --stock.claimed;
  if (m_closed || stock.ready.empty()) {
    return std::nullopt;  // the run ended, or the one this job waited for failed to start
  }
  WarmContainer taken = std::move(stock.ready.back());
  stock.ready.pop_back();
  trace::debug([&] { return "warm container " + taken.id.substr(0, 12) + " taken"; });
  return taken;
}

void WarmPool::top_up(const std::string& key, const json& body, const std::string& dir_parent, int cap,
                      const std::function<int()>& jobs_to_come) {
  std::lock_guard guard(m_mutex);
  Stock& stock = m_stock[key];
  const int wanted = std::min(cap, jobs_to_come());
  for (int have = stock.unclaimed(); !m_closed && have < wanted; ++have) {
    ++stock.making;
    m_threads.emplace_back([this, key, body, dir_parent] {
      auto made = make(body, dir_parent);
      std::unique_lock lock(m_mutex);
      Stock& mine = m_stock[key];
      --mine.making;
      if (made && !m_closed) {
        mine.ready.push_back(std::move(*made));
      } else if (made) {
        lock.unlock();
        trace::debug([&] { return "warm container " + made->id.substr(0, 12) + " removed: the run ended"; });
        discard(*made);  // the run ended while this one started
        lock.lock();
      } else if (m_status) {
        m_status("warm container: " + made.error().message);
      }
      m_changed.notify_all();
    });
  }
}

Result<WarmContainer> WarmPool::make(const json& body, const std::string& dir_parent) {
  auto dir = make_dir(dir_parent);
  if (!dir) {
    return dir.error();
  }
  WarmContainer warm;
  warm.host_dir = *dir;
  auto id = m_client.create_container(with_dir(body, warm.host_dir),
                                      "pipe_" + detail::sanitize_name(run_of(body)) + "_warm_" + detail::random_hex(6));
  if (!id) {
    discard(warm);
    return id.error();
  }
  warm.id = *id;
  // The image's bash is looked up while the container starts: the start is the engine's slowest call.
  auto bash = std::async(std::launch::async, [this, id = warm.id] { return m_client.path_exists(id, "/bin/bash"); });
  auto started = m_client.start_container(warm.id);
  const auto found = bash.get();
  if (!started) {
    discard(warm);
    return started.error();
  }
  warm.has_bash = found && *found;
  if (m_on_ready) {
    m_on_ready(warm);
  }
  trace::debug([&] { return "warm container " + warm.id.substr(0, 12) + " started"; });
  return warm;
}

void WarmPool::discard(const WarmContainer& container) {
  if (!container.id.empty()) {
    if (auto removed = m_client.remove_container(container.id, Wait::brief); !removed && m_status) {
      m_status("warm container: " + removed.error().message);
    }
  }
  std::error_code ec;
  fs::remove_all(container.host_dir, ec);
}

void WarmPool::wait_idle() {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [this] {
    for (const auto& [key, stock] : m_stock) {
      if (stock.making > 0) {
        return false;
      }
    }
    return true;
  });
}

void WarmPool::close() {
  std::vector<std::thread> threads;
  std::vector<WarmContainer> left;
  {
    std::lock_guard guard(m_mutex);
    m_closed = true;
    threads.swap(m_threads);
  }
  m_changed.notify_all();  // a job waiting for a container being made goes cold
  for (auto& thread : threads) {
    thread.join();
  }
  {
    std::lock_guard guard(m_mutex);
    for (auto& [key, stock] : m_stock) {
      for (auto& container : stock.ready) {
        left.push_back(std::move(container));
      }
      stock.ready.clear();
    }
  }
  std::vector<std::thread> removals;
  for (const auto& container : left) {
    trace::debug([&] { return "warm container " + container.id.substr(0, 12) + " removed: no job took it"; });
    removals.emplace_back([this, container] { discard(container); });
  }
  for (auto& removal : removals) {
    removal.join();
  }
}

}  // namespace pipeline::runner::docker

#include "runner/forge/poller.hpp"

namespace pipeline::runner::forge {

Result<std::optional<Task>> Poller::fetch() {
  // The version as it was when the request left: another worker may change it meanwhile, and
  // only an answer to the version we sent may replace it.
  std::int64_t sent = m_version.load();
  auto answer = m_client.fetch_task(sent, m_fetch_timeout);
  if (!answer) {
    return answer.error();
  }
  if (answer->tasks_version > sent) {
    m_version.compare_exchange_strong(sent, answer->tasks_version);
  }
  if (!answer->task) {
    return std::optional<Task>();
  }
  std::int64_t received = answer->tasks_version;
  m_version.compare_exchange_strong(received, 0);
  return std::optional<Task>(std::move(*answer->task));
}

}  // namespace pipeline::runner::forge

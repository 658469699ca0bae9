#include "runner/services/file_response.hpp"

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

#include <httplib.h>

namespace pipeline::runner::services {

namespace {

constexpr std::size_t k_read_size = 4U << 20U;  // per read: few system calls, little memory

}  // namespace

void serve_file(httplib::Response& response, int fd, std::int64_t size, const std::string& content_type) {
  auto shared_fd = std::shared_ptr<int>(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  response.set_content_provider(
      static_cast<std::size_t>(size), content_type,
      [shared_fd](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        // One buffer per thread: a fresh zeroed buffer per call cost as much as the copy.
        thread_local std::vector<char> buffer(k_read_size);
        const ssize_t got = ::pread(*shared_fd, buffer.data(), std::min(length, buffer.size()), static_cast<off_t>(offset));
        return got > 0 && sink.write(buffer.data(), static_cast<std::size_t>(got));
      });
}

}  // namespace pipeline::runner::services

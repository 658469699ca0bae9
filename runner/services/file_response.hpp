#pragma once
// A response whose body is a file, read at the client's pace through an open descriptor: a file
// removed or replaced while it downloads (an evicted cache entry, a re-uploaded artifact) still
// goes out whole.
#include <cstdint>
#include <string>

namespace httplib {
struct Response;
}

namespace pipeline::runner::services {

/// Sends the first `size` bytes of `fd` as the body of `response`, of type `content_type`. The
/// descriptor becomes the response's: it is closed once the body is sent or abandoned.
void serve_file(httplib::Response& response, int fd, std::int64_t size, const std::string& content_type);

}  // namespace pipeline::runner::services

// The blob endpoints behind the signed URLs: the calls Azure's storage client makes for a block
// blob (@actions/cache uploads through it), and GET with ranges for downloads.
#include <fcntl.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <vector>

#include "runner/cache/cache_api.hpp"
#include "runner/cache/upload.hpp"
#include "runner/services/file_response.hpp"

namespace pipeline::runner::cache {
namespace {

using services::Access;
using services::Caller;
using services::Method;

constexpr const char* k_azure_version = "2024-11-04";
// Azure's limit is 50,000 ids of up to 64 characters, each in a <Latest> element.
constexpr std::size_t k_max_block_list = 50000U * 100U;

// Azure answers errors with an XML body and the code in a header; the SDK reads either.
void azure_error(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  res.status = status;
  res.set_header("x-ms-error-code", code);
  res.set_content("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code + "</Code><Message>" + message +
                      "</Message></Error>",
                  "application/xml");
}

void azure_created(httplib::Response& res) {
  res.status = 201;
  res.set_header("x-ms-version", k_azure_version);
  res.set_header("x-ms-request-server-encrypted", "false");
  res.set_header("ETag", "\"0x1\"");
}

// -1 when the body's length is not declared (chunked) or not a number.
std::int64_t content_length(const httplib::Request& req) {
  const std::string text = req.get_header_value("Content-Length");
  std::int64_t length = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
  return error == std::errc() && end == text.data() + text.size() && length >= 0 ? length : -1;
}

// Bodies go straight to the staging files as they arrive: a block is never held in memory whole.
void put_upload(const httplib::Request& req, httplib::Response& res, const Caller&, CacheRoutes& cache,
                const BodySource& body) {
  auto upload = cache.uploads().get(std::stoll(req.matches[1].str()));
  if (!upload) {
    azure_error(res, 404, "BlobNotFound", "The specified blob does not exist.");
    return;
  }
  const std::string comp = req.get_param_value("comp");
  Result<void> done;
  if (comp == "block") {
    done = upload->blocks.put_block(upload->reservation, req.get_param_value("blockid"), content_length(req), body);
  } else if (comp == "blocklist") {
    std::string xml;
    const bool whole = body([&xml](std::string_view piece) {
      xml.append(piece);
      return xml.size() <= k_max_block_list;
    });
    done = whole ? upload->blocks.commit(upload->reservation, parse_block_list(xml))
                 : Result<void>(Error{"The block list is too long."});
  } else if (comp.empty() && req.get_header_value("x-ms-blob-type") == "BlockBlob") {
    done = put_blob(upload->reservation, body);
  } else {
    azure_error(res, 400, "UnsupportedQueryParameter", "pipe's cache takes block blobs only.");
    return;
  }
  if (!done) {
    azure_error(res, 400, "InvalidBlockList", done.error().message);
    return;
  }
  azure_created(res);
}

// Reads the file through an open descriptor, so an entry evicted while it downloads stays whole.
void get_entry(const httplib::Request& req, httplib::Response& res, const Caller&, CacheRoutes& cache) {
  const std::string id = req.matches[1].str();
  const auto path = cache.store().archive(cache.scope().repository, id);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat info {};
  if (fd < 0 || ::fstat(fd, &info) != 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    azure_error(res, 404, "BlobNotFound", "The specified blob does not exist.");
    return;
  }
  res.set_header("x-ms-blob-type", "BlockBlob");
  res.set_header("x-ms-version", k_azure_version);
  services::serve_file(res, fd, info.st_size, "application/octet-stream");
}

}  // namespace

void mount_blob_api(services::Router& router, CacheRoutes& cache) {
  add_cache_streaming_route(router, Method::put, R"(/_cache/uploads/(\d+))", Access::signed_write, cache, put_upload);
  add_cache_route(router, Method::get, R"(/_cache/entries/([0-9a-f]+))", Access::signed_read, cache, get_entry);
}

}  // namespace pipeline::runner::cache

#include "runner/system/lazy/curl.hpp"

#include "runner/system/lazy/shared_library.hpp"

namespace pipeline::runner::lazy {
namespace {

// One line per function, and the C name is spelled from the member's, so they cannot drift apart.
#define PIPE_RESOLVE(member)                                                  \
  if (auto resolved = library.resolve("curl_" #member, api.member); !resolved) { \
    return resolved.error();                                                  \
  }

Result<CurlApi> resolve_all(const SharedLibrary& library) {
  CurlApi api;
  PIPE_RESOLVE(version)
  PIPE_RESOLVE(easy_init)
  PIPE_RESOLVE(easy_setopt)
  PIPE_RESOLVE(easy_perform)
  PIPE_RESOLVE(easy_getinfo)
  PIPE_RESOLVE(easy_reset)
  PIPE_RESOLVE(easy_cleanup)
  PIPE_RESOLVE(easy_recv)
  PIPE_RESOLVE(easy_send)
  PIPE_RESOLVE(easy_strerror)
  PIPE_RESOLVE(slist_append)
  PIPE_RESOLVE(slist_free_all)
  return api;
}

#undef PIPE_RESOLVE

Result<LoadedApi<CurlApi>> load() {
  auto loaded = load_api(k_curl_soname, resolve_all);
  if (!loaded) {
    return loaded.error();
  }
  decltype(&::curl_global_init) global_init = nullptr;
  if (auto resolved = loaded->library.resolve("curl_global_init", global_init); !resolved) {
    return resolved.error();
  }
  // curl_global_init is not thread-safe; here it runs once, under the static's initialisation lock.
  if (const CURLcode code = global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK) {
    return Error{std::string("cannot initialise libcurl: ") + loaded->api.easy_strerror(code)};
  }
  return loaded;
}

}  // namespace

Result<const CurlApi*> curl() {
  static const Result<LoadedApi<CurlApi>> k_loaded = load();
  if (!k_loaded) {
    return k_loaded.error();
  }
  return &k_loaded->api;
}

}  // namespace pipeline::runner::lazy

#pragma once
// libcurl, loaded at its first use: only Docker and Vault talk HTTP, and loading libcurl with the
// ~20 libraries it needs costs every other command several milliseconds.
// Include only from .cpp files that talk HTTP: it pulls in <curl/curl.h>.
//
// <curl/curl.h> turns curl_easy_setopt/getinfo into type-checking macros only for C; in C++ they
// stay plain calls, so calling through the pointers below checks exactly what a direct call did.
#include <curl/curl.h>

#include "workflow/base/result.hpp"

namespace pipeline::runner::lazy {

/// The runtime name of libcurl (Debian's libcurl4).
inline constexpr const char* k_curl_soname = "libcurl.so.4";

/// The libcurl functions pipe calls, each typed from <curl/curl.h>: a changed signature fails to compile.
struct CurlApi {
  decltype(&::curl_version) version = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_reset) easy_reset = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_recv) easy_recv = nullptr;
  decltype(&::curl_easy_send) easy_send = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
};

/// libcurl, loaded and globally initialised by the first call from any thread; later calls give the
/// same answer. Fails with "cannot load libcurl.so.4: <why>" when the library or a function is missing.
[[nodiscard]] Result<const CurlApi*> curl();

}  // namespace pipeline::runner::lazy

// Shared libraries loaded at first use: the loader, libcurl and libarchive through it, and a pipe
// that starts without loading either.
#include <catch2/catch.hpp>

#include <stdio.h>

#include <array>
#include <string>

#include "runner/system/lazy/archive.hpp"
#include "runner/system/lazy/curl.hpp"
#include "runner/system/lazy/shared_library.hpp"

using namespace pipeline::runner::lazy;

namespace {

// Runs a shell command and returns what it printed on stdout and stderr.
std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = ::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    out.append(buffer.data(), n);
  }
  ::pclose(pipe);
  return out;
}

}  // namespace

TEST_CASE("a library opens and its functions resolve with their header's types", "[lazy]") {
  auto library = SharedLibrary::open("libcurl.so.4");
  REQUIRE(library.ok());
  decltype(&::curl_version) version = nullptr;
  REQUIRE(library->resolve("curl_version", version).ok());
  CHECK_THAT(std::string(version()), Catch::StartsWith("libcurl/"));
  CHECK(library->soname() == "libcurl.so.4");
}

TEST_CASE("a library that is not installed is an error that names it, not a crash", "[lazy]") {
  auto library = SharedLibrary::open("libpipe-no-such-library.so.7");
  REQUIRE_FALSE(library.ok());
  CHECK_THAT(library.error().message, Catch::StartsWith("cannot load libpipe-no-such-library.so.7: "));
  CHECK_THAT(library.error().message, Catch::Contains("cannot open shared object file"));
}

TEST_CASE("a function the library lacks is an error that names it", "[lazy]") {
  auto library = SharedLibrary::open("libcurl.so.4");
  REQUIRE(library.ok());
  decltype(&::curl_version) missing = nullptr;
  auto resolved = library->resolve("curl_pipe_no_such_function", missing);
  REQUIRE_FALSE(resolved.ok());
  CHECK_THAT(resolved.error().message, Catch::StartsWith("cannot load libcurl.so.4: "));
  CHECK_THAT(resolved.error().message, Catch::Contains("curl_pipe_no_such_function"));
  CHECK(missing == nullptr);
}

TEST_CASE("a moved library is closed once, by its new owner", "[lazy]") {
  auto library = SharedLibrary::open("libarchive.so.13");
  REQUIRE(library.ok());
  SharedLibrary moved = std::move(*library);
  decltype(&::archive_version_string) version = nullptr;
  REQUIRE(moved.resolve("archive_version_string", version).ok());
  CHECK_THAT(std::string(version()), Catch::StartsWith("libarchive "));
}

TEST_CASE("libcurl loads once and answers every caller with the same functions", "[lazy]") {
  auto first = curl();
  REQUIRE(first.ok());
  CHECK_THAT(std::string((*first)->version()), Catch::StartsWith("libcurl/"));
  auto second = curl();
  REQUIRE(second.ok());
  CHECK(*first == *second);
  CURL* handle = (*first)->easy_init();  // works only after curl_global_init ran
  REQUIRE(handle != nullptr);
  CHECK((*first)->easy_setopt(handle, CURLOPT_URL, "http://127.0.0.1:1/") == CURLE_OK);
  (*first)->easy_cleanup(handle);
}

TEST_CASE("libarchive loads once and writes a tar", "[lazy]") {
  auto loaded = libarchive();
  REQUIRE(loaded.ok());
  const ArchiveApi& la = **loaded;
  CHECK(*libarchive() == &la);
  archive* writer = la.write_new();
  REQUIRE(writer != nullptr);
  CHECK(la.write_set_format_pax_restricted(writer) == ARCHIVE_OK);
  CHECK(la.write_free(writer) == ARCHIVE_OK);
}

TEST_CASE("pipe starts without loading libcurl or libarchive", "[lazy]") {
  // LD_DEBUG=files lists every library the loader maps, whether pipe needs it or dlopens it.
  const std::string trace = output_of(std::string("LD_DEBUG=files '") + PIPE_EXE + "' --version");
  REQUIRE_THAT(trace, Catch::Contains("file=libc.so.6"));  // the trace works at all
  CHECK_THAT(trace, !Catch::Contains("libcurl"));
  CHECK_THAT(trace, !Catch::Contains("libarchive"));
}

// The one copy of each encoding: base64 (standard and URL-safe), URI and XML escapes.
#include <catch2/catch.hpp>

#include <string>

#include "workflow/base/text_encoding.hpp"

using namespace pipeline;

TEST_CASE("base64 matches RFC 4648's test vectors, padded", "[base][encoding]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("\xfb\xff") == "+/8=");
}

TEST_CASE("base64url uses - and _ and pads only when asked", "[base][encoding]") {
  CHECK(base64url_encode("\xfb\xff", Base64Padding::with) == "-_8=");
  CHECK(base64url_encode("\xfb\xff", Base64Padding::without) == "-_8");
  CHECK(base64url_encode("f", Base64Padding::with) == "Zg==");
  CHECK(base64url_encode("foo", Base64Padding::without) == "Zm9v");
}

TEST_CASE("base64url round-trips every length, with or without padding", "[base][encoding]") {
  for (std::string bytes : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe"}) {
    bytes += std::string(1, '\0');
    CAPTURE(bytes);
    CHECK(base64url_decode(base64url_encode(bytes, Base64Padding::without)) == bytes);
    CHECK(base64url_decode(base64url_encode(bytes, Base64Padding::with)) == bytes);
  }
  CHECK_FALSE(base64url_decode("a+b").has_value());
  CHECK_FALSE(base64url_decode("a/b").has_value());
}

TEST_CASE("uri_escape keeps only RFC 3986's unreserved characters", "[base][encoding]") {
  CHECK(uri_escape("a b/c~") == "a%20b%2Fc~");
  CHECK(uri_escape("pipe-test/busybox:latest") == "pipe-test%2Fbusybox%3Alatest");
  CHECK(uri_escape(R"({"label":["pipe=1"]})") == "%7B%22label%22%3A%5B%22pipe%3D1%22%5D%7D");
  CHECK(uri_escape("ü") == "%C3%BC");
}

TEST_CASE("xml_escape escapes the five markup characters and nothing else", "[base][encoding]") {
  CHECK(xml_escape("<a&'\">") == "&lt;a&amp;&apos;&quot;&gt;");
  CHECK(xml_escape("plain ü\ttext") == "plain ü\ttext");
}

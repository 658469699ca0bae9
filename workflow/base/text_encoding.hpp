#pragma once
// The byte-to-text encodings pipe speaks on the wire and in reports: one copy of each.
#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

/// Whether a base64 text ends in `=` up to a multiple of four characters.
enum class Base64Padding { with, without };

/// Standard base64 (RFC 4648 §4) of `bytes`, with `=` padding.
[[nodiscard]] std::string base64_encode(std::string_view bytes);

/// URL-safe base64 (RFC 4648 §5: `-` and `_`): padded for Docker's X-Registry-Auth, unpadded for JWTs.
[[nodiscard]] std::string base64url_encode(std::string_view bytes, Base64Padding padding);

/// Decodes URL-safe base64 (padding optional); nullopt on a character outside its alphabet.
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);

/// RFC 3986 percent-encoding of everything but the unreserved characters, upper-case hex.
[[nodiscard]] std::string uri_escape(std::string_view value);

/// XML escape of `< > " ' &`, for text and attribute values alike.
[[nodiscard]] std::string xml_escape(std::string_view value);

}  // namespace pipeline

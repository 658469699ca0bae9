#include "runner/services/token.hpp"

#include <array>
#include <chrono>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "workflow/base/text_encoding.hpp"

namespace pipeline::runner::services {

namespace {

constexpr std::string_view k_hex = "0123456789abcdef";

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  std::string text;
  text.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    text += k_hex[bytes[i] >> 4U];
    text += k_hex[bytes[i] & 0xFU];
  }
  return text;
}

// JWT parts are base64url without padding (RFC 7515 §2).
std::string jwt_part(std::string_view bytes) {
  return base64url_encode(bytes, Base64Padding::without);
}

std::string hmac_raw(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest.data(), &size);
  return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

// Constant time, so a forged signature cannot be found byte by byte from response times.
bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string results_scope(const Caller& caller) {
  return "Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:" + caller.run_id + ":" +
         caller.job_id;
}

std::optional<Caller> caller_in_scope(std::string_view scope) {
  constexpr std::string_view k_prefix = "Actions.Results:";
  for (std::size_t start = 0; start < scope.size();) {
    std::size_t end = scope.find(' ', start);
    if (end == std::string_view::npos) {
      end = scope.size();
    }
    const std::string_view part = scope.substr(start, end - start);
    if (part.substr(0, k_prefix.size()) == k_prefix) {
      const std::string_view ids = part.substr(k_prefix.size());
      const auto colon = ids.find(':');
      if (colon == std::string_view::npos || ids.find(':', colon + 1) != std::string_view::npos) {
        return std::nullopt;
      }
      return Caller{std::string(ids.substr(0, colon)), std::string(ids.substr(colon + 1))};
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string signed_text(std::string_view path, const Caller& caller, Permission permission, std::string_view expires) {
  std::string text(path);
  for (std::string_view field : {std::string_view(caller.run_id), std::string_view(caller.job_id),
                                 std::string_view(permission == Permission::read ? "r" : "w"), expires}) {
    text += '\n';
    text += field;
  }
  return text;
}

}  // namespace

std::string random_key() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("no random bytes for the service key");
  }
  return to_hex(bytes.data(), bytes.size());
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  const std::string raw = hmac_raw(key, data);
  return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string make_runtime_token(std::string_view key, const Caller& caller, std::int64_t expires) {
  const nlohmann::json header{{"alg", "HS256"}, {"typ", "JWT"}};
  const nlohmann::json claims{{"scp", results_scope(caller)}, {"iss", "pipe"}, {"exp", expires}};
  const std::string unsigned_part = jwt_part(header.dump()) + "." + jwt_part(claims.dump());
  return unsigned_part + "." + jwt_part(hmac_raw(key, unsigned_part));
}

std::optional<Caller> verify_runtime_token(std::string_view key, std::string_view token, std::int64_t now) {
  const auto last_dot = token.rfind('.');
  if (last_dot == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view unsigned_part = token.substr(0, last_dot);
  const auto signature = base64url_decode(token.substr(last_dot + 1));
  if (!signature || !same(*signature, hmac_raw(key, unsigned_part))) {
    return std::nullopt;
  }
  const auto first_dot = unsigned_part.find('.');
  const auto payload = base64url_decode(unsigned_part.substr(first_dot == std::string_view::npos ? 0 : first_dot + 1));
  const auto claims = nlohmann::json::parse(payload.value_or(""), nullptr, false);
  if (!claims.is_object() || !claims.contains("scp") || !claims["scp"].is_string() || !claims.contains("exp") ||
      !claims["exp"].is_number_integer() || claims["exp"].get<std::int64_t>() <= now) {
    return std::nullopt;
  }
  return caller_in_scope(claims["scp"].get<std::string>());
}

std::string sign_path(std::string_view key, std::string_view path, const Caller& caller, Permission permission,
                      std::int64_t expires) {
  const std::string se = std::to_string(expires);
  return "run=" + caller.run_id + "&job=" + caller.job_id + "&sp=" + (permission == Permission::read ? "r" : "w") +
         "&se=" + se + "&sig=" + hmac_sha256_hex(key, signed_text(path, caller, permission, se));
}

std::optional<Caller> verify_signed(std::string_view key, std::string_view path, const SignedQuery& query,
                                    Permission permission, std::int64_t now) {
  Caller caller{query.run_id, query.job_id};
  const std::string expected = hmac_sha256_hex(key, signed_text(path, caller, permission, query.expires));
  if (!same(expected, query.signature)) {
    return std::nullopt;
  }
  std::int64_t expires = 0;
  try {
    expires = std::stoll(query.expires);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (expires <= now) {
    return std::nullopt;
  }
  return caller;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace pipeline::runner::services

#pragma once
// The credentials the service host hands out: a job's runtime token (an HS256 JWT whose `scp`
// claim names the run and job, as @actions/artifact reads it) and signed blob URLs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::runner::services {

/// Who is calling: the run and the job a token or a signed URL was issued to.
struct Caller {
  std::string run_id;
  std::string job_id;
  friend bool operator==(const Caller&, const Caller&) = default;
};

/// What a signed URL allows.
enum class Permission { read, write };

/// A fresh random key, 32 bytes as hex.
[[nodiscard]] std::string random_key();

/// HMAC-SHA256 of `data` under `key`, as lowercase hex.
[[nodiscard]] std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// A JWT for `caller` signed with `key`, valid until `expires` (Unix seconds).
[[nodiscard]] std::string make_runtime_token(std::string_view key, const Caller& caller, std::int64_t expires);

/// The caller a runtime token names when its signature holds and `now` is before its expiry.
[[nodiscard]] std::optional<Caller> verify_runtime_token(std::string_view key, std::string_view token,
                                                         std::int64_t now);

/// The query string (without `?`) that signs `path` for `caller` until `expires`.
[[nodiscard]] std::string sign_path(std::string_view key, std::string_view path, const Caller& caller,
                                    Permission permission, std::int64_t expires);

/// The fields of a signed URL's query, as the request carried them.
struct SignedQuery {
  std::string run_id;   // `run`
  std::string job_id;   // `job`
  std::string permission;  // `sp`: r or w
  std::string expires;  // `se`: Unix seconds
  std::string signature;  // `sig`
};

/// The caller of a signed request when its signature matches `path` and `permission` and has
/// not expired at `now`.
[[nodiscard]] std::optional<Caller> verify_signed(std::string_view key, std::string_view path,
                                                  const SignedQuery& query, Permission permission, std::int64_t now);

/// Unix seconds now.
[[nodiscard]] std::int64_t unix_now();

}  // namespace pipeline::runner::services

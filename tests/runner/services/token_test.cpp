#include "runner/services/token.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "workflow/base/text_encoding.hpp"

using namespace pipeline::runner::services;

namespace {

const Caller k_caller{"20261205-013000-abcd", "build-1"};

std::string flip_last(std::string text) {
  // The last character of a 32-byte signature carries 4 bits and 2 of padding: 'A' to 'B' would
  // change only the padding, which decoders drop; 'Q' differs in the bits that count.
  text.back() = text.back() == 'A' ? 'Q' : 'A';
  return text;
}

}  // namespace

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2", "[services]") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("the runtime token carries the Actions.Results scope the artifact client reads", "[services]") {
  const std::string key = random_key();
  const std::string token = make_runtime_token(key, k_caller, unix_now() + 60);
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  const auto claims = nlohmann::json::parse(*pipeline::base64url_decode(token.substr(first + 1, second - first - 1)));
  CHECK(claims["scp"].get<std::string>().find(" Actions.Results:20261205-013000-abcd:build-1") != std::string::npos);
  CHECK(verify_runtime_token(key, token, unix_now()) == k_caller);
}

TEST_CASE("a runtime token is refused when forged, re-keyed or expired", "[services]") {
  const std::string key = random_key();
  const std::string token = make_runtime_token(key, k_caller, 1000);
  CHECK(verify_runtime_token(key, token, 999) == k_caller);
  CHECK_FALSE(verify_runtime_token(key, token, 1000).has_value());
  CHECK_FALSE(verify_runtime_token(random_key(), token, 999).has_value());
  CHECK_FALSE(verify_runtime_token(key, flip_last(token), 999).has_value());
  CHECK_FALSE(verify_runtime_token(key, "", 999).has_value());
  CHECK_FALSE(verify_runtime_token(key, "a.b", 999).has_value());
  // Another job's claims under this token's signature.
  const auto other = make_runtime_token(key, Caller{"run", "other"}, 1000);
  const std::string spliced = token.substr(0, token.find('.') + 1) + other.substr(other.find('.') + 1, other.rfind('.') - other.find('.') - 1) + token.substr(token.rfind('.'));
  CHECK_FALSE(verify_runtime_token(key, spliced, 999).has_value());
}

TEST_CASE("a signed path holds only for its path, permission, caller and lifetime", "[services]") {
  const std::string key = random_key();
  const std::string query = sign_path(key, "/blob/1", k_caller, Permission::write, 1000);
  auto field = [&](const std::string& name) {
    const auto at = query.find(name + "=");
    const auto end = query.find('&', at);
    return query.substr(at + name.size() + 1, end == std::string::npos ? std::string::npos : end - at - name.size() - 1);
  };
  SignedQuery signed_query{field("run"), field("job"), field("sp"), field("se"), field("sig")};
  CHECK(verify_signed(key, "/blob/1", signed_query, Permission::write, 999) == k_caller);
  CHECK_FALSE(verify_signed(key, "/blob/1", signed_query, Permission::write, 1000).has_value());
  CHECK_FALSE(verify_signed(key, "/blob/2", signed_query, Permission::write, 999).has_value());
  CHECK_FALSE(verify_signed(key, "/blob/1", signed_query, Permission::read, 999).has_value());
  CHECK_FALSE(verify_signed(random_key(), "/blob/1", signed_query, Permission::write, 999).has_value());
  SignedQuery other_run = signed_query;
  other_run.run_id = "20261205-013000-ffff";
  CHECK_FALSE(verify_signed(key, "/blob/1", other_run, Permission::write, 999).has_value());
  SignedQuery later = signed_query;
  later.expires = "2000";
  CHECK_FALSE(verify_signed(key, "/blob/1", later, Permission::write, 999).has_value());
}

#include <catch2/catch.hpp>

#include "runner/secrets/vault_action.hpp"

using namespace pipeline::runner::secrets;

TEST_CASE("vault-action secrets lines parse into requests", "[vault]") {
  struct Row {
    const char* text;
    std::vector<VaultSecretRequest> expected;
  };
  const Row rows[] = {
      {"secret/data/ci/app token", {{"secret/data/ci/app", "token", "TOKEN", Wildcard::none}}},
      {"secret/data/ci/app token | APP_TOKEN", {{"secret/data/ci/app", "token", "APP_TOKEN", Wildcard::none}}},
      {"  kv/ci  api-key|KEY ", {{"kv/ci", "api-key", "KEY", Wildcard::none}}},
      {"secret/data/ci/app db.password", {{"secret/data/ci/app", "db.password", "DB__PASSWORD", Wildcard::none}}},
      {"secret/data/ci/app my-key", {{"secret/data/ci/app", "my-key", "MYKEY", Wildcard::none}}},
      {"secret/data/ci/app *", {{"secret/data/ci/app", "*", "", Wildcard::upper_case}}},
      {"secret/data/ci/app **", {{"secret/data/ci/app", "**", "", Wildcard::keep_case}}},
      {"secret/data/ci/aws * | MYAPP_", {{"secret/data/ci/aws", "*", "MYAPP_", Wildcard::upper_case}}},
      {"secret/data/ci/aws ** | MyApp_", {{"secret/data/ci/aws", "**", "MyApp_", Wildcard::keep_case}}},
      {"a/b x | X ; a/c y | Y;",
       {{"a/b", "x", "X", Wildcard::none}, {"a/c", "y", "Y", Wildcard::none}}},
      {"a/b\nx\n| X ;\n\n a/c y", {{"a/b", "x", "X", Wildcard::none}, {"a/c", "y", "Y", Wildcard::none}}},
      {"  ;  ; ", {}},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto parsed = parse_vault_secrets(row.text);
    REQUIRE(parsed);
    CHECK(*parsed == row.expected);
  }
}

TEST_CASE("vault-action secrets lines: errors name the entry", "[vault]") {
  struct Row {
    const char* text;
    const char* message_part;
  };
  const Row rows[] = {
      {"secret/data/ci/app", "1 words"},
      {"secret/data/ci/app a b | X", "3 words"},
      {"a/b x | y | Z", "4 words"},  // split at the last |: `a/b x | y` is four words
      {"a/b * | 9PREFIX", "not a valid name"},
      {"a/b x | 9LIVES", "not a valid name"},
      {"a/b x | ", "not a valid name"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto parsed = parse_vault_secrets(row.text);
    REQUIRE_FALSE(parsed);
    CHECK_THAT(parsed.error().message, Catch::Contains(row.message_part));
  }
  auto two = parse_vault_secrets("a ; b");
  REQUIRE_FALSE(two);
  CHECK(std::count(two.error().message.begin(), two.error().message.end(), '\n') == 1);
}

TEST_CASE("vault-action default and wildcard names", "[vault]") {
  CHECK(default_secret_name("token") == "TOKEN");
  CHECK(default_secret_name("a.b.c") == "A__B__C");
  CHECK(default_secret_name("api-key") == "APIKEY");
  CHECK(default_secret_name("x y") == "XY");
  CHECK(wildcard_secret_name("dbPass", Wildcard::upper_case) == "DBPASS");
  CHECK(wildcard_secret_name("dbPass", Wildcard::keep_case) == "dbPass");
  CHECK(wildcard_secret_name("SecretKey", Wildcard::upper_case, "MYAPP_") == "MYAPP_SECRETKEY");
  CHECK(wildcard_secret_name("SecretKey", Wildcard::keep_case, "MyApp_") == "MyApp_SecretKey");
  CHECK(wildcard_secret_name("db.pass-word", Wildcard::upper_case) == "DB__PASSWORD");
  CHECK(wildcard_secret_name("db.pass-word", Wildcard::keep_case, "P_") == "P_db__password");
}

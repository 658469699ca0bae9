#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <string>
#include <thread>

#include "runner/output/encodings.hpp"
#include "runner/output/masker.hpp"
#include "workflow/base/text_encoding.hpp"

using namespace pipeline::runner::output;
using pipeline::base64_encode;
using pipeline::uri_escape;
using pipeline::xml_escape;

namespace {

// The obvious quadratic masker the fast one must agree with.
std::string naive_mask(const std::string& text, const std::vector<std::string>& patterns) {
  std::vector<Range> ranges;
  std::vector<Range> all;
  for (const auto& p : patterns) {
    for (auto pos = text.find(p); pos != std::string::npos; pos = text.find(p, pos + 1)) {
      all.push_back({pos, pos + p.size()});
    }
  }
  std::sort(all.begin(), all.end(), [](Range a, Range b) { return a.begin < b.begin; });
  for (auto r : all) {
    if (!ranges.empty() && r.begin <= ranges.back().end) {
      ranges.back().end = std::max(ranges.back().end, r.end);
    } else {
      ranges.push_back(r);
    }
  }
  return apply_ranges(text, ranges);
}

std::string stream_all(const Masker& masker, const std::vector<std::string>& chunks) {
  MaskingStream stream(masker);
  std::string out;
  for (const auto& c : chunks) {
    out += stream.write(c);
  }
  return out + stream.flush();
}

}  // namespace

TEST_CASE("masker replaces a secret and its encoded forms", "[mask]") {
  Masker masker;
  REQUIRE(masker.add_secret("p@ss w'ord\"<&>") == AddResult::added);
  const std::string secret = "p@ss w'ord\"<&>";
  const std::vector<std::string> forms = {
      secret,
      "p@ss w''ord\"<&>",
      "p@ss w'ord\\\"<&>",
      json_escape(secret),
      uri_escape(secret),
      xml_escape(secret),
      base64_encode(secret).substr(0, base64_encode(secret).find('=')),
  };
  for (const auto& form : forms) {
    CAPTURE(form);
    CHECK(masker.mask("x " + form + " y") == "x *** y");
  }
}

TEST_CASE("encodings follow the runner's encoders", "[mask]") {
  CHECK(json_escape("a\"b\\c\nd\x01") == "a\\\"b\\\\c\\nd\\u0001");
  const auto forms = masked_forms("abcdef");
  // Shifted by one and two bytes, padding dropped, both alphabets.
  CHECK(std::count(forms.begin(), forms.end(), "YmNkZWY") == 1);
  CHECK(std::count(forms.begin(), forms.end(), "Y2RlZg") == 1);
  CHECK(std::count(forms.begin(), forms.end(), "YWJjZGVm") == 1);
  CHECK(masked_forms("\"quoted-value\"").end() !=
        std::find(masked_forms("\"quoted-value\"").begin(), masked_forms("\"quoted-value\"").end(), "quoted-value"));
}

TEST_CASE("base64 of a secret inside a longer base64 text is masked at every alignment", "[mask]") {
  Masker masker;
  REQUIRE(masker.add_secret("hunter2-secret") == AddResult::added);
  for (std::string prefix : {"user:", "us:", "u:", ""}) {
    const auto encoded = base64_encode(prefix + "hunter2-secret" + "!tail");
    CAPTURE(prefix, encoded);
    CHECK(masker.mask(encoded).find("***") != std::string::npos);
  }
}

TEST_CASE("short and blank secrets follow the caller's policy", "[mask]") {
  Masker masker;
  CHECK(masker.add_secret("abc") == AddResult::too_short);
  CHECK(masker.add_secret("  \n ") == AddResult::empty);
  CHECK(masker.mask("abc") == "abc");
  CHECK(masker.add_mask("abc") == AddResult::added);
  CHECK(masker.mask("xabcx") == "x***x");
  CHECK(masker.add_secret("  trimmed  ") == AddResult::added);
  CHECK(masker.mask("[trimmed]") == "[***]");
}

TEST_CASE("overlapping and touching matches merge into one mask", "[mask]") {
  Masker masker;
  masker.add_mask("abcd");
  masker.add_mask("cdef");
  masker.add_mask("wxyz");
  CHECK(masker.mask("1abcdef2") == "1***2");
  CHECK(masker.mask("1abcdwxyz2") == "1***2");
  CHECK(masker.mask("1abcd wxyz2") == "1*** ***2");
  CHECK(masker.mask("ABCD") == "ABCD");  // case-sensitive
}

TEST_CASE("a longer match swallows earlier ones", "[mask]") {
  Masker masker;
  masker.add_mask("bc");
  masker.add_mask("ef");
  masker.add_mask("abcdefgh");
  CHECK(masker.mask("abcdefgh") == "***");
  CHECK(masker.mask("xbcxefx") == "x***x***x");
}

TEST_CASE("multi-line secrets mask each line", "[mask]") {
  Masker masker;
  REQUIRE(masker.add_secret("first-line\r\nsecond-line\n\nthird") == AddResult::added);
  CHECK(masker.mask("a first-line b") == "a *** b");
  CHECK(masker.mask("second-line") == "***");
  CHECK(masker.mask("third") == "***");
  CHECK(masker.mask("first-line\r\nsecond-line\n\nthird") == "***");
}

TEST_CASE("lines of a multi-line secret shorter than a secret may be are not masked alone", "[mask]") {
  Masker masker;
  const std::string json = "{\n  \"client_secret\": \"s3cr3t-value\",\n  \"id\": 7\n}\n";
  REQUIRE(masker.add_secret(json) == AddResult::added);
  CHECK(masker.mask("a {brace} and } more") == "a {brace} and } more");
  CHECK(masker.mask("  \"client_secret\": \"s3cr3t-value\",") == "  ***");
  CHECK(masker.mask("\"id\": 7") == "***");  // 7 bytes: long enough
  CHECK(masker.mask(json) == "***\n");
  Masker mask;
  REQUIRE(mask.add_mask("ab\ncdefgh") == AddResult::added);
  CHECK(mask.mask("ab ab") == "ab ab");
  CHECK(mask.mask("cdefgh") == "***");
  REQUIRE(mask.add_mask("ab") == AddResult::added);  // asked for alone: any length
  CHECK(mask.mask("xaby") == "x***y");
}

TEST_CASE("a secret split at every position across two writes is masked", "[mask][stream]") {
  Masker masker;
  const std::string secret = "s3cr3t-v4lue";
  masker.add_mask(secret);
  const std::string text = "before " + secret + " after";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    CAPTURE(split);
    CHECK(stream_all(masker, {text.substr(0, split), text.substr(split)}) == "before *** after");
  }
  std::vector<std::string> bytes;
  for (char c : text) {
    bytes.emplace_back(1, c);
  }
  CHECK(stream_all(masker, bytes) == "before *** after");
}

TEST_CASE("streaming keeps touching secrets merged across writes", "[mask][stream]") {
  Masker masker;
  masker.add_mask("abcd");
  masker.add_mask("efgh");
  for (std::size_t split = 0; split <= 10; ++split) {
    const std::string text = "1abcdefgh2";
    CAPTURE(split);
    CHECK(stream_all(masker, {text.substr(0, split), text.substr(split)}) == "1***2");
  }
}

TEST_CASE("a value added while streaming masks the bytes still held back and all later ones",
          "[mask][stream]") {
  Masker masker;
  masker.add_mask("zzzzzzzz");
  MaskingStream stream(masker);
  std::string out = stream.write("token: tok");
  masker.add_mask("token-123");
  out += stream.write("en-123 and token-123\n");
  out += stream.flush();
  CHECK(out.find("token-123") == std::string::npos);
}

TEST_CASE("fast matcher agrees with the naive one on random text", "[mask]") {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> patterns;
    const int count = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < count; ++i) {
      std::string p;
      const std::size_t len = 1 + rng() % (round % 2 == 0 ? 3 : 12);
      for (std::size_t j = 0; j < len + (round % 2 == 0 ? 0 : 3); ++j) {
        p += static_cast<char>('a' + rng() % 3);
      }
      patterns.push_back(p);
    }
    std::string text;
    for (int i = 0; i < 300; ++i) {
      text += static_cast<char>('a' + rng() % 4);
    }
    const PatternMatcher matcher(patterns);
    CAPTURE(round, text);
    const std::string expected = naive_mask(text, patterns);
    REQUIRE(apply_ranges(text, matcher.find(text)) == expected);
    Masker masker;
    for (const auto& p : patterns) {
      masker.add_mask(p);
    }
    std::vector<std::string> chunks;
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t len = 1 + rng() % 40;
      chunks.push_back(text.substr(at, len));
      at += len;
    }
    std::string joined;
    for (const auto& c : chunks) {
      joined += c;
    }
    REQUIRE(joined == text);
    REQUIRE(stream_all(masker, chunks) == masker.mask(text));
  }
}

TEST_CASE("masking from many threads while secrets are added is safe", "[mask]") {
  Masker masker;
  masker.add_mask("initial-secret");
  std::atomic<int> wrong{0};  // Catch's assertions are not thread-safe: count, check after
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&masker, &wrong, t] {
      for (int i = 0; i < 200; ++i) {
        if (t == 0) {
          masker.add_mask("added-" + std::to_string(i) + "-value");
        }
        if (masker.mask("x initial-secret y") != "x *** y") {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(wrong == 0);
  CHECK(masker.mask("added-199-value") == "***");
}

TEST_CASE("short add-mask values do not register tiny base64 fragments", "[mask]") {
  Masker masker;
  masker.add_mask("abc");
  CHECK(masker.mask("Yw Y2 YWJj abc") == "Yw Y2 *** ***");
}

TEST_CASE("the too-short warning names the secret, not its value", "[mask]") {
  CHECK(too_short_warning("API_PIN") ==
        "Secret 'API_PIN' is shorter than 4 characters and will not be masked in the output.");
}

TEST_CASE("masking lines together equals masking each line alone", "[masker]") {
  Masker masker;
  REQUIRE(masker.add_secret("first-line\nsecond-line") == AddResult::added);
  REQUIRE(masker.add_secret("p4ssw0rd") == AddResult::added);
  const std::string text = "x first-line\nsecond-line y\n\nsecond-line\np4ssw0rd p4ssw0rd\nplain\n";
  std::string each;
  for (std::size_t at = 0; at < text.size();) {
    const auto nl = text.find('\n', at);
    each += masker.mask(text.substr(at, nl - at)) + "\n";
    at = nl + 1;
  }
  CHECK(masker.mask_lines(text) == each);
  CHECK(masker.mask_lines(text) == "x ***\n*** y\n\n***\n*** ***\nplain\n");
  // The whole value is still masked where the text is not split into lines.
  CHECK(masker.mask("first-line\nsecond-line") == "***");
}

TEST_CASE("line masking sees values added after an earlier line mask", "[masker]") {
  Masker masker;
  CHECK(masker.mask_lines("a late-value b\n") == "a late-value b\n");
  masker.add_mask("late-value");
  CHECK(masker.mask_lines("a late-value b\n") == "a *** b\n");
  masker.add_mask("twin\nlines");
  CHECK(masker.mask_lines("twin\nlines\n") == "***\n***\n");
}

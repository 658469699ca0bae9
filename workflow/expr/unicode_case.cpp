#include "workflow/expr/unicode_case.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace pipeline::workflow::expr {
namespace {

// How a range maps to upper case: every character by a fixed offset, or only every other one
// (alternating upper/lower pairs, lower case on the odd or the even code points).
enum class Step : std::uint8_t { all, odd, even };

struct CaseRange {
  char32_t first;
  char32_t last;
  std::int32_t delta;
  Step step;
};

// Compact table of the scripts users write in practice; sorted by `first`, non-overlapping.
constexpr CaseRange k_ranges[] = {
    {0x0061, 0x007A, -32, Step::all},     {0x00B5, 0x00B5, 0x02E7, Step::all},
    {0x00E0, 0x00F6, -32, Step::all},     {0x00F8, 0x00FE, -32, Step::all},
    {0x00FF, 0x00FF, 0x79, Step::all},    {0x0100, 0x012F, -1, Step::odd},
    {0x0132, 0x0137, -1, Step::odd},      {0x0139, 0x0148, -1, Step::even},
    {0x014A, 0x0177, -1, Step::odd},      {0x017A, 0x017E, -1, Step::even},
    {0x0180, 0x0180, 0xC3, Step::all},    {0x0183, 0x0185, -1, Step::odd},
    {0x0188, 0x0188, -1, Step::all},      {0x018C, 0x018C, -1, Step::all},
    {0x0192, 0x0192, -1, Step::all},      {0x0195, 0x0195, 0x61, Step::all},
    {0x0199, 0x0199, -1, Step::all},      {0x019A, 0x019A, 0xA3, Step::all},
    {0x019E, 0x019E, 0x82, Step::all},    {0x01A1, 0x01A5, -1, Step::odd},
    {0x01A8, 0x01A8, -1, Step::all},      {0x01AD, 0x01AD, -1, Step::all},
    {0x01B0, 0x01B0, -1, Step::all},      {0x01B4, 0x01B6, -1, Step::even},
    {0x01B9, 0x01B9, -1, Step::all},      {0x01BD, 0x01BD, -1, Step::all},
    {0x01BF, 0x01BF, 0x38, Step::all},    {0x01C5, 0x01C5, -1, Step::all},
    {0x01C6, 0x01C6, -2, Step::all},      {0x01C8, 0x01C8, -1, Step::all},
    {0x01C9, 0x01C9, -2, Step::all},      {0x01CB, 0x01CB, -1, Step::all},
    {0x01CC, 0x01CC, -2, Step::all},      {0x01CE, 0x01DC, -1, Step::even},
    {0x01DD, 0x01DD, -79, Step::all},     {0x01DF, 0x01EF, -1, Step::odd},
    {0x01F2, 0x01F2, -1, Step::all},      {0x01F3, 0x01F3, -2, Step::all},
    {0x01F5, 0x01F5, -1, Step::all},      {0x01F9, 0x021F, -1, Step::odd},
    {0x0223, 0x0233, -1, Step::odd},      {0x023C, 0x023C, -1, Step::all},
    {0x0242, 0x0242, -1, Step::all},      {0x0247, 0x024F, -1, Step::odd},
    {0x0253, 0x0253, -210, Step::all},    {0x0254, 0x0254, -206, Step::all},
    {0x0256, 0x0257, -205, Step::all},    {0x0259, 0x0259, -202, Step::all},
    {0x025B, 0x025B, -203, Step::all},    {0x0260, 0x0260, -205, Step::all},
    {0x0263, 0x0263, -207, Step::all},    {0x0268, 0x0268, -209, Step::all},
    {0x0269, 0x0269, -211, Step::all},    {0x026F, 0x026F, -211, Step::all},
    {0x0272, 0x0272, -213, Step::all},    {0x0275, 0x0275, -214, Step::all},
    {0x0280, 0x0280, -218, Step::all},    {0x0283, 0x0283, -218, Step::all},
    {0x0288, 0x0288, -218, Step::all},    {0x0289, 0x0289, -69, Step::all},
    {0x028A, 0x028B, -217, Step::all},    {0x028C, 0x028C, -71, Step::all},
    {0x0292, 0x0292, -219, Step::all},    {0x0371, 0x0373, -1, Step::odd},
    {0x0377, 0x0377, -1, Step::all},      {0x037B, 0x037D, 130, Step::all},
    {0x03AC, 0x03AC, -38, Step::all},     {0x03AD, 0x03AF, -37, Step::all},
    {0x03B1, 0x03C1, -32, Step::all},     {0x03C2, 0x03C2, -31, Step::all},
    {0x03C3, 0x03CB, -32, Step::all},     {0x03CC, 0x03CC, -64, Step::all},
    {0x03CD, 0x03CE, -63, Step::all},     {0x03D0, 0x03D0, -62, Step::all},
    {0x03D1, 0x03D1, -57, Step::all},     {0x03D5, 0x03D5, -47, Step::all},
    {0x03D6, 0x03D6, -54, Step::all},     {0x03D7, 0x03D7, -8, Step::all},
    {0x03D9, 0x03EF, -1, Step::odd},      {0x03F0, 0x03F0, -86, Step::all},
    {0x03F1, 0x03F1, -80, Step::all},     {0x03F2, 0x03F2, 7, Step::all},
    {0x03F5, 0x03F5, -96, Step::all},     {0x03F8, 0x03F8, -1, Step::all},
    {0x03FB, 0x03FB, -1, Step::all},      {0x0430, 0x044F, -32, Step::all},
    {0x0450, 0x045F, -80, Step::all},     {0x0461, 0x0481, -1, Step::odd},
    {0x048B, 0x04BF, -1, Step::odd},      {0x04C2, 0x04CE, -1, Step::even},
    {0x04CF, 0x04CF, -15, Step::all},     {0x04D1, 0x052F, -1, Step::odd},
    {0x0561, 0x0586, -48, Step::all},     {0x13F8, 0x13FD, -8, Step::all},
    {0x1E01, 0x1E95, -1, Step::odd},      {0x1E9B, 0x1E9B, -59, Step::all},
    {0x1EA1, 0x1EFF, -1, Step::odd},      {0x1F00, 0x1F07, 8, Step::all},
    {0x1F10, 0x1F15, 8, Step::all},       {0x1F20, 0x1F27, 8, Step::all},
    {0x1F30, 0x1F37, 8, Step::all},       {0x1F40, 0x1F45, 8, Step::all},
    {0x1F51, 0x1F57, 8, Step::odd},       {0x1F60, 0x1F67, 8, Step::all},
    {0x1F70, 0x1F71, 74, Step::all},      {0x1F72, 0x1F75, 86, Step::all},
    {0x1F76, 0x1F77, 100, Step::all},     {0x1F78, 0x1F79, 128, Step::all},
    {0x1F7A, 0x1F7B, 112, Step::all},     {0x1F7C, 0x1F7D, 126, Step::all},
    {0x1F80, 0x1F87, 8, Step::all},       {0x1F90, 0x1F97, 8, Step::all},
    {0x1FA0, 0x1FA7, 8, Step::all},       {0x1FB0, 0x1FB1, 8, Step::all},
    {0x1FB3, 0x1FB3, 9, Step::all},       {0x1FBE, 0x1FBE, -7205, Step::all},
    {0x1FC3, 0x1FC3, 9, Step::all},       {0x1FD0, 0x1FD1, 8, Step::all},
    {0x1FE0, 0x1FE1, 8, Step::all},       {0x1FE5, 0x1FE5, 7, Step::all},
    {0x1FF3, 0x1FF3, 9, Step::all},       {0x214E, 0x214E, -28, Step::all},
    {0x2170, 0x217F, -16, Step::all},     {0x2184, 0x2184, -1, Step::all},
    {0x24D0, 0x24E9, -26, Step::all},     {0x2C30, 0x2C5F, -48, Step::all},
    {0x2C81, 0x2CE3, -1, Step::odd},      {0x2D00, 0x2D25, -7264, Step::all},
    {0xA641, 0xA66D, -1, Step::odd},      {0xA681, 0xA69B, -1, Step::odd},
    {0xA723, 0xA72F, -1, Step::odd},      {0xA733, 0xA76F, -1, Step::odd},
    {0xA77F, 0xA787, -1, Step::odd},      {0xAB70, 0xABBF, -38864, Step::all},
    {0xFF41, 0xFF5A, -32, Step::all},     {0x10428, 0x1044F, -40, Step::all},
    {0x104D8, 0x104FB, -40, Step::all},   {0x10CC0, 0x10CF2, -64, Step::all},
    {0x118C0, 0x118DF, -32, Step::all},   {0x16E60, 0x16E7F, -32, Step::all},
    {0x1E922, 0x1E943, -34, Step::all},
};

constexpr char32_t k_invalid_base = 0x110000;  // invalid UTF-8 bytes decode above Unicode

// Decodes one code point at `i` and advances; an invalid byte becomes k_invalid_base + byte so
// it never case-maps and never equals a valid character.
char32_t decode(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  const int extra = b0 >= 0xF0 && b0 < 0xF5 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC2 && b0 < 0xE0 ? 1 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
    ++i;
    return k_invalid_base + b0;
  }
  char32_t cp = b0 & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return k_invalid_base + b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

void encode(char32_t cp, std::string& out) {
  if (cp >= k_invalid_base) {
    out += static_cast<char>(cp - k_invalid_base);
  } else if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Sort key that orders code points the way UTF-16 code units order (.NET compares UTF-16).
std::uint64_t utf16_order(char32_t cp) {
  if (cp >= k_invalid_base) {
    return (std::uint64_t{0xFFFF} << 16) | (cp - k_invalid_base);
  }
  if (cp >= 0x10000) {
    const char32_t v = cp - 0x10000;
    return (std::uint64_t{0xD800 + (v >> 10)} << 16) | (0xDC00 + (v & 0x3FF));
  }
  return std::uint64_t{cp} << 16;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

std::vector<char32_t> upper_code_points(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    out.push_back(simple_upper(decode(s, i)));
  }
  return out;
}

}  // namespace

char32_t simple_upper(char32_t c) {
  if (c < 0x80) {
    return c >= 'a' && c <= 'z' ? c - 32 : c;
  }
  const auto* it = std::upper_bound(std::begin(k_ranges), std::end(k_ranges), c,
                                    [](char32_t v, const CaseRange& r) { return v < r.first; });
  if (it == std::begin(k_ranges)) {
    return c;
  }
  const CaseRange& r = *(it - 1);
  if (c > r.last) {
    return c;
  }
  if ((r.step == Step::odd && (c % 2) == 0) || (r.step == Step::even && (c % 2) == 1)) {
    return c;
  }
  return static_cast<char32_t>(static_cast<std::int64_t>(c) + r.delta);
}

std::string fold_key(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  if (is_ascii(text)) {
    for (char c : text) {
      out += ascii_upper(c);
    }
    return out;
  }
  for (std::size_t i = 0; i < text.size();) {
    encode(simple_upper(decode(text, i)), out);
  }
  return out;
}

int compare_ignore_case(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const auto ka = utf16_order(simple_upper(decode(a, i)));
    const auto kb = utf16_order(simple_upper(decode(b, j)));
    if (ka != kb) {
      return ka < kb ? -1 : 1;
    }
  }
  if (i < a.size()) {
    return 1;
  }
  return j < b.size() ? -1 : 0;
}

// Non-ASCII characters never fold to ASCII ones (the table leaves ı and ſ alone), so when one
// side is pure ASCII a byte-wise ASCII-folding comparison gives the exact answer.
bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (is_ascii(a) || is_ascii(b)) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_upper(x) == ascii_upper(y); });
  }
  return compare_ignore_case(a, b) == 0;
}

bool contains_ignore_case(std::string_view haystack, std::string_view needle) {
  if (is_ascii(needle)) {  // see equals_ignore_case: an ASCII needle only matches ASCII bytes
    const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                                [](char x, char y) { return ascii_upper(x) == ascii_upper(y); });
    return it != haystack.end() || needle.empty();
  }
  const auto h = upper_code_points(haystack);
  const auto n = upper_code_points(needle);
  return std::search(h.begin(), h.end(), n.begin(), n.end()) != h.end() || n.empty();
}

bool starts_with_ignore_case(std::string_view text, std::string_view prefix) {
  if (is_ascii(prefix)) {
    return prefix.size() <= text.size() && equals_ignore_case(text.substr(0, prefix.size()), prefix);
  }
  const auto t = upper_code_points(text);
  const auto p = upper_code_points(prefix);
  return p.size() <= t.size() && std::equal(p.begin(), p.end(), t.begin());
}

bool ends_with_ignore_case(std::string_view text, std::string_view suffix) {
  if (is_ascii(suffix)) {
    return suffix.size() <= text.size() && equals_ignore_case(text.substr(text.size() - suffix.size()), suffix);
  }
  const auto t = upper_code_points(text);
  const auto s = upper_code_points(suffix);
  return s.size() <= t.size() && std::equal(s.begin(), s.end(), t.end() - static_cast<std::ptrdiff_t>(s.size()));
}

std::size_t utf16_length(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = decode(text, i);
    n += cp >= 0x10000 && cp < k_invalid_base ? 2 : 1;
  }
  return n;
}

}  // namespace pipeline::workflow::expr

#include "runner/engine/text_width.hpp"

#include <array>
#include <utility>

namespace pipeline::runner::engine {
namespace {

using Range = std::pair<char32_t, char32_t>;

// The common zero-width ranges: combining marks, joiners and variation selectors.
constexpr std::array<Range, 10> k_zero_width{{{0x0300, 0x036F},
                                              {0x0483, 0x0489},
                                              {0x0591, 0x05BD},
                                              {0x0610, 0x061A},
                                              {0x064B, 0x065F},
                                              {0x200B, 0x200F},
                                              {0x20D0, 0x20FF},
                                              {0xFE00, 0xFE0F},
                                              {0xFE20, 0xFE2F},
                                              {0xE0100, 0xE01EF}}};

// East Asian Wide (W) and Fullwidth (F) blocks, and the emoji planes terminals draw wide.
constexpr std::array<Range, 14> k_wide{{{0x1100, 0x115F},
                                        {0x231A, 0x231B},
                                        {0x2E80, 0x303E},
                                        {0x3041, 0x33FF},
                                        {0x3400, 0x4DBF},
                                        {0x4E00, 0x9FFF},
                                        {0xA000, 0xA4CF},
                                        {0xAC00, 0xD7A3},
                                        {0xF900, 0xFAFF},
                                        {0xFE30, 0xFE4F},
                                        {0xFF00, 0xFF60},
                                        {0xFFE0, 0xFFE6},
                                        {0x1F300, 0x1FAFF},
                                        {0x20000, 0x3FFFD}}};

template <std::size_t N>
bool in(const std::array<Range, N>& ranges, char32_t c) {
  for (const auto& [first, last] : ranges) {
    if (c >= first && c <= last) {
      return true;
    }
  }
  return false;
}

// One decoded code point and its length in bytes; length 0 for an invalid sequence.
struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 0;
};

Decoded decode(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) {
    return {lead, 1};
  }
  std::size_t length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 && lead < 0xF0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 0;
  if (length == 0 || length > text.size()) {
    return {};
  }
  char32_t c = lead & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[i]);
    if ((next & 0xC0) != 0x80) {
      return {};
    }
    c = (c << 6) | (next & 0x3F);
  }
  const bool overlong = (length == 3 && c < 0x800) || (length == 4 && c < 0x10000);
  if (overlong || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    return {};
  }
  return {c, length};
}

bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c < 0xA0); }

}  // namespace

int code_point_width(char32_t code_point) {
  if (in(k_zero_width, code_point)) {
    return 0;
  }
  return in(k_wide, code_point) ? 2 : 1;
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  while (!text.empty()) {
    const Decoded d = decode(text);
    width += d.length == 0 ? 1 : static_cast<std::size_t>(code_point_width(d.code_point));
    text.remove_prefix(d.length == 0 ? 1 : d.length);
  }
  return width;
}

std::string truncate_to_width(std::string_view text, std::size_t columns) {
  // The ellipsis needs a column of its own: the line is cut one column earlier when it is cut.
  const bool fits = display_width(text) <= columns;
  const std::size_t room = fits ? columns : (columns == 0 ? 0 : columns - 1);
  std::string out;
  std::size_t used = 0;
  while (!text.empty()) {
    const Decoded d = decode(text);
    const bool valid = d.length != 0;
    const std::size_t width = valid ? static_cast<std::size_t>(code_point_width(d.code_point)) : 1;
    if (used + width > room) {
      break;
    }
    if (!valid) {
      out += '?';
    } else if (is_control(d.code_point)) {
      out += ' ';
    } else {
      out.append(text.data(), d.length);
    }
    used += width;
    text.remove_prefix(valid ? d.length : 1);
  }
  if (!fits && columns > 0) {
    out += "…";
  }
  return out;
}

}  // namespace pipeline::runner::engine

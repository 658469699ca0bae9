#include "runner/output/encodings.hpp"

#include <algorithm>
#include <array>

#include "workflow/base/text_encoding.hpp"

namespace pipeline::runner::output {
namespace {

constexpr std::string_view k_hex_lower = "0123456789abcdef";

std::string replace_all(std::string_view text, char from, std::string_view to) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == from) {
      out += to;
    } else {
      out += c;
    }
  }
  return out;
}

std::string without_padding(std::string encoded) {
  while (!encoded.empty() && encoded.back() == '=') {
    encoded.pop_back();
  }
  return encoded;
}

std::string url_safe(std::string encoded) {
  std::replace(encoded.begin(), encoded.end(), '+', '-');
  std::replace(encoded.begin(), encoded.end(), '/', '_');
  return encoded;
}

// The bytes before a secret decide which base64 digits it lands on; encoding the value from
// offsets 0, 1 and 2 covers all three alignments. Padding is dropped because some encoders
// omit it, so a masked form with `=` would miss those. When the bytes do not fill the last
// group, its last digit also carries bits of whatever follows the secret, so a form without
// that unstable digit is added too (GitHub registers only the full form and misses those).
void add_base64_forms(std::string_view value, std::vector<std::string>& forms) {
  for (std::size_t offset = 0; offset <= 2 && offset < value.size(); ++offset) {
    const auto shifted = value.substr(offset);
    std::string encoded = without_padding(base64_encode(shifted));
    if (shifted.size() % 3 != 0 && encoded.size() > 1) {
      std::string stable = encoded.substr(0, encoded.size() - 1);
      forms.push_back(url_safe(stable));
      forms.push_back(std::move(stable));
    }
    forms.push_back(url_safe(encoded));
    forms.push_back(std::move(encoded));
  }
}

// GitHub strips one pair of surrounding quotes only from longer values, so short quoted
// values do not turn into very short masks.
std::string without_double_quotes(std::string_view value) {
  if (value.size() > 8 && value.front() == '"' && value.back() == '"') {
    return std::string(value.substr(1, value.size() - 2));
  }
  return {};
}

}  // namespace

std::string json_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += k_hex_lower[u >> 4U];
          out += k_hex_lower[u & 15U];
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::vector<std::string> masked_forms(std::string_view value) {
  std::vector<std::string> forms;
  forms.emplace_back(value);
  add_base64_forms(value, forms);
  forms.push_back(replace_all(value, '"', "\\\""));
  forms.push_back(replace_all(value, '\'', "''"));
  forms.push_back(json_escape(value));
  forms.push_back(uri_escape(value));
  forms.push_back(xml_escape(value));
  forms.push_back(without_double_quotes(value));
  std::sort(forms.begin(), forms.end());
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  // A two-letter base64 fragment of a short `add-mask` value would mask that pair of letters
  // everywhere, so derived forms shorter than 4 bytes are dropped.
  std::erase_if(forms, [value](const std::string& form) { return form.empty() || (form.size() < 4 && form != value); });
  return forms;
}

}  // namespace pipeline::runner::output

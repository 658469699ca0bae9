#include "workflow/expr/value.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

#include "workflow/expr/unicode_case.hpp"

namespace pipeline::workflow::expr {
namespace {

std::string index_key_for(KeyCase key_case, std::string_view key) {
  return key_case == KeyCase::sensitive ? std::string(key) : fold_key(key);
}

bool is_js_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_js_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_js_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// `0x`/`0o` literals are read as 32-bit integers, as the runner does (0xFFFFFFFF is -1).
// Leading zeros do not count towards the limit (.NET skips them: 0x000000001 is 1).
double parse_radix(std::string_view digits, int radix) {
  if (digits.empty()) {
    return std::nan("");
  }
  const std::size_t significant = digits.find_first_not_of('0');
  digits.remove_prefix(significant == std::string_view::npos ? digits.size() - 1 : significant);
  if (digits.size() > (radix == 16 ? 8u : 11u)) {
    return std::nan("");
  }
  std::uint64_t v = 0;
  for (char c : digits) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
    if (d >= radix) {
      return std::nan("");
    }
    v = v * static_cast<std::uint64_t>(radix) + static_cast<std::uint64_t>(d);
  }
  if (v > 0xFFFFFFFFu) {
    return std::nan("");
  }
  return static_cast<double>(static_cast<std::int32_t>(static_cast<std::uint32_t>(v)));
}

std::size_t skip_digits(std::string_view s, std::size_t i) {
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    ++i;
  }
  return i;
}

// [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
bool is_decimal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  const std::size_t int_end = skip_digits(s, i);
  std::size_t digits = int_end - i;
  i = int_end;
  if (i < s.size() && s[i] == '.') {
    const std::size_t frac_end = skip_digits(s, i + 1);
    digits += frac_end - i - 1;
    i = frac_end;
  }
  if (digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    const std::size_t exp_end = skip_digits(s, i);
    if (exp_end == i) {
      return false;
    }
    i = exp_end;
  }
  return i == s.size();
}

// Brings two values to a common kind for comparison (step 2 and 3 of the coercion rules);
// returns false when they stay mismatched (unequal and unordered).
enum class Common { none, number, string, boolean, null, identity };

Common common_kind(const Value& a, const Value& b, double& x, double& y) {
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case Value::Kind::number: x = a.as_number(); y = b.as_number(); return Common::number;
      case Value::Kind::string: return Common::string;
      case Value::Kind::boolean: return Common::boolean;
      case Value::Kind::null: return Common::null;
      default: return Common::identity;
    }
  }
  const bool a_num_like = a.is_primitive();
  const bool b_num_like = b.is_primitive();
  if (!a_num_like || !b_num_like) {
    return Common::none;
  }
  // Any primitive mismatch (number/string, or a boolean/null side) compares as numbers.
  x = a.to_number();
  y = b.to_number();
  return Common::number;
}

}  // namespace

// ---- Object ---------------------------------------------------------------------------------

void Object::set(std::string key, Value value) {
  std::string index_key = index_key_for(m_key_case, key);
  for (std::size_t i = 0; i < m_keys.size() && m_index.empty(); ++i) {
    if (m_keys[i] == index_key) {
      m_entries[i].value = std::move(value);
      return;
    }
  }
  if (auto it = m_index.find(index_key); it != m_index.end()) {
    m_entries[it->second].value = std::move(value);
    return;
  }
  if (!m_index.empty() || m_keys.size() >= k_scan_limit) {
    if (m_index.empty()) {
      for (std::size_t i = 0; i < m_keys.size(); ++i) {
        m_index.emplace(m_keys[i], i);
      }
    }
    m_index.emplace(index_key, m_entries.size());
  }
  m_keys.push_back(std::move(index_key));
  m_entries.push_back(Entry{std::move(key), std::move(value)});
}

const Value* Object::find_index(std::string_view index_key) const {
  if (m_index.empty()) {
    for (std::size_t i = 0; i < m_keys.size(); ++i) {
      if (m_keys[i].size() == index_key.size() && m_keys[i] == index_key) {
        return &m_entries[i].value;
      }
    }
    return nullptr;
  }
  auto it = m_index.find(index_key);
  return it == m_index.end() ? nullptr : &m_entries[it->second].value;
}

const Value* Object::find(std::string_view key) const {
  if (m_key_case == KeyCase::sensitive) {
    return find_index(key);
  }
  return find_index(fold_key(key));
}

const Value* Object::find_folded(std::string_view raw, std::string_view folded) const {
  return find_index(m_key_case == KeyCase::sensitive ? raw : folded);
}

// ---- Value ----------------------------------------------------------------------------------

Value Value::array(Array items) { return Value(std::make_shared<Array>(std::move(items))); }

Value Value::object(KeyCase key_case) { return Value(std::make_shared<Object>(key_case)); }

template <class Json>
Value value_from_json(const Json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::boolean: return Value(json.template get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return Value(json.template get<double>());
    case nlohmann::json::value_t::string: return Value(json.template get<std::string>());
    case nlohmann::json::value_t::array: {
      Value out = Value::array();
      for (const auto& item : json) {
        out.push_back(value_from_json(item));
      }
      return out;
    }
    case nlohmann::json::value_t::object: {
      Value out = Value::object();
      for (const auto& [key, item] : json.items()) {
        out.set(key, value_from_json(item));
      }
      return out;
    }
    default: return Value();
  }
}

Value Value::from_json(const nlohmann::json& json) { return value_from_json(json); }

Value Value::from_json(const nlohmann::ordered_json& json) { return value_from_json(json); }

Value& Value::set(std::string key, Value value) {
  mutable_object().set(std::move(key), std::move(value));
  return *this;
}

Value& Value::push_back(Value value) {
  mutable_array().push_back(std::move(value));
  return *this;
}

const Value* Value::find(std::string_view key) const { return is_object() ? as_object().find(key) : nullptr; }

std::string_view Value::kind_name() const {
  static constexpr std::string_view k_names[] = {"Null", "Boolean", "Number", "String", "Array", "Object"};
  return k_names[m_data.index()];
}

bool Value::is_truthy() const {
  switch (kind()) {
    case Kind::null: return false;
    case Kind::boolean: return as_boolean();
    case Kind::number: return as_number() != 0 && !std::isnan(as_number());
    case Kind::string: return !as_string().empty();
    default: return true;
  }
}

std::string Value::to_display_string() const {
  switch (kind()) {
    case Kind::null: return "";
    case Kind::boolean: return as_boolean() ? "true" : "false";
    case Kind::number: return format_number(as_number());
    case Kind::string: return as_string();
    case Kind::array: return "Array";
    case Kind::object: return "Object";
  }
  return "";
}

double Value::to_number() const {
  switch (kind()) {
    case Kind::null: return 0;
    case Kind::boolean: return as_boolean() ? 1 : 0;
    case Kind::number: return as_number();
    case Kind::string: return parse_number(as_string());
    default: return std::nan("");
  }
}

nlohmann::ordered_json Value::to_json() const {
  switch (kind()) {
    case Kind::null: return nullptr;
    case Kind::boolean: return as_boolean();
    case Kind::number: {
      const double n = as_number();
      if (!std::isfinite(n)) {
        return nullptr;
      }
      if (n == std::floor(n) && std::fabs(n) < 9.007199254740992e15) {
        return static_cast<std::int64_t>(n);
      }
      return n;
    }
    case Kind::string: return as_string();
    case Kind::array: {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& item : as_array()) {
        out.push_back(item.to_json());
      }
      return out;
    }
    case Kind::object: {
      nlohmann::ordered_json out = nlohmann::ordered_json::object();
      for (const auto& entry : as_object().entries()) {
        out[entry.key] = entry.value.to_json();
      }
      return out;
    }
  }
  return nullptr;
}

bool Value::same_as(const Value& other) const { return m_data == other.m_data; }

// ---- numbers --------------------------------------------------------------------------------

std::string format_number(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "Infinity" : "-Infinity";
  }
  if (value == 0) {
    return "0";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14e", value);  // d.dddddddddddddde±XX: 15 significant digits
  std::string text(buf);
  const auto e_pos = text.find('e');
  const int exponent = std::atoi(text.c_str() + e_pos + 1);
  std::string mantissa = text.substr(0, e_pos);
  const bool negative = mantissa[0] == '-';
  std::string digits;
  for (char c : mantissa) {
    if (c >= '0' && c <= '9') {
      digits += c;
    }
  }
  while (digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
  }
  std::string out = negative ? "-" : "";
  if (exponent >= 15 || exponent < -4) {  // .NET: fixed notation only for -5 < exponent < precision
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "E%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp_buf;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exponent - 1), '0');
    return out + digits;
  }
  const auto int_len = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= int_len) {
    return out + digits + std::string(int_len - digits.size(), '0');
  }
  return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

double parse_number(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty()) {
    return 0;
  }
  // Only lower-case prefixes: the runner reads `0X10` as NaN.
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    return parse_radix(s.substr(2), 16);
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o') {
    return parse_radix(s.substr(2), 8);
  }
  if (s == "Infinity" || s == "+Infinity") {
    return std::numeric_limits<double>::infinity();
  }
  if (s == "-Infinity") {
    return -std::numeric_limits<double>::infinity();
  }
  if (!is_decimal(s)) {
    return std::nan("");
  }
  return std::strtod(std::string(s).c_str(), nullptr);
}

// ---- comparison -----------------------------------------------------------------------------

bool values_equal(const Value& a, const Value& b) {
  double x = 0;
  double y = 0;
  switch (common_kind(a, b, x, y)) {
    case Common::number: return x == y;
    case Common::string: return equals_ignore_case(a.as_string(), b.as_string());
    case Common::boolean: return a.as_boolean() == b.as_boolean();
    case Common::null: return true;
    case Common::identity: return a.same_as(b);
    case Common::none: return false;
  }
  return false;
}

bool values_less(const Value& a, const Value& b) {
  double x = 0;
  double y = 0;
  switch (common_kind(a, b, x, y)) {
    case Common::number: return x < y;
    case Common::string: return compare_ignore_case(a.as_string(), b.as_string()) < 0;
    case Common::boolean: return !a.as_boolean() && b.as_boolean();
    default: return false;
  }
}

bool values_greater(const Value& a, const Value& b) {
  double x = 0;
  double y = 0;
  switch (common_kind(a, b, x, y)) {
    case Common::number: return x > y;
    case Common::string: return compare_ignore_case(a.as_string(), b.as_string()) > 0;
    case Common::boolean: return a.as_boolean() && !b.as_boolean();
    default: return false;
  }
}

}  // namespace pipeline::workflow::expr

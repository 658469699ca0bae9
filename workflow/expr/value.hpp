#pragma once
// The values an expression computes: null, boolean, number, string, array and object.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pipeline::workflow::expr {

class Value;

/// An ordered list of values; shared between Values (identity decides equality).
using Array = std::vector<Value>;

/// Whether an object matches its keys ignoring case (GitHub's default) or exactly (`env` on Linux).
enum class KeyCase { insensitive, sensitive };

class Object;

/// One value of the expression language.
class Value {
public:
  enum class Kind { null, boolean, number, string, array, object };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : m_data(b) {}
  Value(double n) : m_data(n) {}
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  Value(I n) : m_data(static_cast<double>(n)) {}
  Value(std::string s) : m_data(std::move(s)) {}
  Value(std::string_view s) : m_data(std::string(s)) {}
  Value(const char* s) : m_data(std::string(s)) {}
  Value(std::shared_ptr<Array> a) : m_data(std::move(a)) {}
  Value(std::shared_ptr<Object> o) : m_data(std::move(o)) {}

  /// A new empty array value.
  [[nodiscard]] static Value array(Array items = {});
  /// A new empty object value; `env` on Linux uses KeyCase::sensitive.
  [[nodiscard]] static Value object(KeyCase key_case = KeyCase::insensitive);
  /// Converts JSON (numbers become doubles); objects are case-insensitive.
  [[nodiscard]] static Value from_json(const nlohmann::json& json);
  [[nodiscard]] static Value from_json(const nlohmann::ordered_json& json);

  [[nodiscard]] Kind kind() const { return static_cast<Kind>(m_data.index()); }
  [[nodiscard]] bool is_null() const { return kind() == Kind::null; }
  [[nodiscard]] bool is_boolean() const { return kind() == Kind::boolean; }
  [[nodiscard]] bool is_number() const { return kind() == Kind::number; }
  [[nodiscard]] bool is_string() const { return kind() == Kind::string; }
  [[nodiscard]] bool is_array() const { return kind() == Kind::array; }
  [[nodiscard]] bool is_object() const { return kind() == Kind::object; }
  /// Null, boolean, number or string.
  [[nodiscard]] bool is_primitive() const { return kind() <= Kind::string; }

  [[nodiscard]] bool as_boolean() const { return std::get<bool>(m_data); }
  [[nodiscard]] double as_number() const { return std::get<double>(m_data); }
  [[nodiscard]] const std::string& as_string() const { return std::get<std::string>(m_data); }
  [[nodiscard]] const Array& as_array() const { return *std::get<std::shared_ptr<Array>>(m_data); }
  [[nodiscard]] const Object& as_object() const { return *std::get<std::shared_ptr<Object>>(m_data); }
  /// Mutable access for builders; the array/object is shared by every copy of this Value.
  [[nodiscard]] Array& mutable_array() { return *std::get<std::shared_ptr<Array>>(m_data); }
  [[nodiscard]] Object& mutable_object() { return *std::get<std::shared_ptr<Object>>(m_data); }

  /// Sets `key` on an object value (builder convenience); returns *this.
  Value& set(std::string key, Value value);
  /// Appends to an array value (builder convenience); returns *this.
  Value& push_back(Value value);
  /// Member of an object (case rules of the object), else nullptr.
  [[nodiscard]] const Value* find(std::string_view key) const;

  /// "Null", "Boolean", "Number", "String", "Array" or "Object".
  [[nodiscard]] std::string_view kind_name() const;
  /// Falsy: null, false, 0, -0, NaN and ''; everything else is truthy.
  [[nodiscard]] bool is_truthy() const;
  /// GitHub's to-string: null '', numbers as .NET G15, `Array`, `Object`.
  [[nodiscard]] std::string to_display_string() const;
  /// null 0, booleans 0/1, strings parsed like JavaScript's Number(), else NaN.
  [[nodiscard]] double to_number() const;
  /// JSON form (integral numbers without a fraction, NaN/Infinity as null).
  [[nodiscard]] nlohmann::ordered_json to_json() const;
  /// Same object/array instance, or equal primitive (no coercion).
  [[nodiscard]] bool same_as(const Value& other) const;

private:
  std::variant<std::monostate, bool, double, std::string, std::shared_ptr<Array>, std::shared_ptr<Object>> m_data;
};

/// A mapping that keeps insertion order and finds keys case-insensitively by default.
class Object {
public:
  /// One `key: value`, the key as first written.
  struct Entry {
    std::string key;
    Value value;
  };

  explicit Object(KeyCase key_case = KeyCase::insensitive) : m_key_case(key_case) {}

  /// Adds or replaces `key` (an existing key keeps its position and original spelling).
  void set(std::string key, Value value);
  /// The value stored under `key`, or nullptr.
  [[nodiscard]] const Value* find(std::string_view key) const;
  /// Lookup with a key already folded by `fold_key` (skips folding on hot paths).
  [[nodiscard]] const Value* find_folded(std::string_view raw, std::string_view folded) const;
  [[nodiscard]] const std::vector<Entry>& entries() const { return m_entries; }
  [[nodiscard]] std::size_t size() const { return m_entries.size(); }
  [[nodiscard]] KeyCase key_case() const { return m_key_case; }

private:
  [[nodiscard]] const Value* find_index(std::string_view index_key) const;

  static constexpr std::size_t k_scan_limit = 16;  // small objects are scanned, larger ones indexed

  KeyCase m_key_case;
  std::vector<Entry> m_entries;
  std::vector<std::string> m_keys;  // folded (or exact) key of each entry
  std::map<std::string, std::size_t, std::less<>> m_index;  // filled once past k_scan_limit
};

/// Formats a number like .NET's `G15` (`1E+15`, `0.1`, `120`), with -0 as `0`.
[[nodiscard]] std::string format_number(double value);
/// Parses like GitHub: trimmed decimal/exponent, `0x` hex, `0o` octal, `Infinity`, '' → 0; else NaN.
[[nodiscard]] double parse_number(std::string_view text);

/// Coercing equality of the comparison operators (`==`).
[[nodiscard]] bool values_equal(const Value& a, const Value& b);
/// Coercing `<`; false when the two are unordered.
[[nodiscard]] bool values_less(const Value& a, const Value& b);
/// Coercing `>`; false when the two are unordered.
[[nodiscard]] bool values_greater(const Value& a, const Value& b);

}  // namespace pipeline::workflow::expr

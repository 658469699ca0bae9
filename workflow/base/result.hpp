#pragma once
// Value-or-error for operations that can fail (files, HTTP, git, Docker, parsing).
#include <string>
#include <utility>
#include <variant>

namespace pipeline {

/// What went wrong, in words a user can act on.
struct Error {
  std::string message;
};

/// Holds either a T or an Error; `if (!r) return r.error();` is the idiom.
template <class T>
class [[nodiscard]] Result {
public:
  Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

  [[nodiscard]] bool ok() const { return m_data.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(m_data); }
  const T& value() const& { return std::get<0>(m_data); }
  T&& value() && { return std::get<0>(std::move(m_data)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  [[nodiscard]] const Error& error() const { return std::get<1>(m_data); }

private:
  std::variant<T, Error> m_data;
};

/// Result of an operation with no value.
template <>
class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_ok(false) {}
  [[nodiscard]] bool ok() const { return m_ok; }
  explicit operator bool() const { return m_ok; }
  [[nodiscard]] const Error& error() const { return m_error; }

private:
  Error m_error;
  bool m_ok = true;
};

}  // namespace pipeline

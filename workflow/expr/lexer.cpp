#include "workflow/expr/lexer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

namespace pipeline::workflow::expr::detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_char(char c) { return is_letter(c) || is_digit(c) || c == '_' || c == '-'; }

bool ends_word(char c) {
  return is_space(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '.' || c == '!' ||
         c == '<' || c == '>' || c == '=' || c == '&' || c == '|';
}

bool is_identifier(std::string_view s) {
  return !s.empty() && (is_letter(s[0]) || s[0] == '_') &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return is_word_char(c); });
}

// Characters that end a number: whitespace and the punctuation that may follow a value.
bool ends_number(char c) {
  return is_space(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '!' || c == '<' ||
         c == '>' || c == '=' || c == '&' || c == '|';
}

// Whether the previous token allows a dereference, which makes `.` an accessor rather than `.5`
// (after a literal, `.x` is read as a malformed number, as GitHub does).
bool ends_value(const std::vector<Token>& tokens) {
  if (tokens.empty()) {
    return false;
  }
  switch (tokens.back().kind) {
    case TokenKind::named_value:
    case TokenKind::function:
    case TokenKind::property:
    case TokenKind::wildcard:
    case TokenKind::rparen:
    case TokenKind::rbracket: return true;
    default: return false;
  }
}

class Lexer {
public:
  explicit Lexer(std::string_view text) : m_text(text) {}

  std::vector<Token> run() {
    m_tokens.reserve(m_text.size() / 4 + 4);
    while (true) {
      while (m_pos < m_text.size() && is_space(m_text[m_pos])) {
        ++m_pos;
      }
      if (m_pos >= m_text.size()) {
        break;
      }
      Token token = next();
      const bool stop = token.kind == TokenKind::unexpected;
      m_tokens.push_back(std::move(token));
      if (stop) {
        break;
      }
    }
    return std::move(m_tokens);
  }

private:
  Token make(TokenKind kind, std::size_t length) {
    Token t{kind, m_text.substr(m_pos, length), static_cast<std::uint32_t>(m_pos), {}};
    m_pos += length;
    return t;
  }

  bool peek_is(std::size_t ahead, char c) const {
    return m_pos + ahead < m_text.size() && m_text[m_pos + ahead] == c;
  }

  Token next() {
    const char c = m_text[m_pos];
    switch (c) {
      case '(': return make(TokenKind::lparen, 1);
      case ')': return make(TokenKind::rparen, 1);
      case '[': return make(TokenKind::lbracket, 1);
      case ']': return make(TokenKind::rbracket, 1);
      case ',': return make(TokenKind::comma, 1);
      case '*': return wildcard();
      case '!': return peek_is(1, '=') ? make(TokenKind::not_equal, 2) : make(TokenKind::not_, 1);
      case '=': return peek_is(1, '=') ? make(TokenKind::equal, 2) : word();
      case '<': return peek_is(1, '=') ? make(TokenKind::less_equal, 2) : make(TokenKind::less, 1);
      case '>': return peek_is(1, '=') ? make(TokenKind::greater_equal, 2) : make(TokenKind::greater, 1);
      case '&': return peek_is(1, '&') ? make(TokenKind::and_, 2) : word();
      case '|': return peek_is(1, '|') ? make(TokenKind::or_, 2) : word();
      case '\'': return string();
      case '.': return ends_value(m_tokens) ? make(TokenKind::dot, 1) : number();
      default: break;
    }
    if (is_digit(c) || c == '-' || c == '+') {
      return number();
    }
    return word();
  }

  // `*` is only meaningful right after `.` or `[`.
  Token wildcard() {
    if (!m_tokens.empty() && (m_tokens.back().kind == TokenKind::dot || m_tokens.back().kind == TokenKind::lbracket)) {
      return make(TokenKind::wildcard, 1);
    }
    return make(TokenKind::unexpected, 1);
  }

  Token string() {
    const std::size_t close = m_text.find('\'', m_pos + 1);
    if (close != std::string_view::npos && (close + 1 >= m_text.size() || m_text[close + 1] != '\'')) {
      Token t = make(TokenKind::literal, close + 1 - m_pos);  // common case: no '' escapes
      t.value = Value(t.raw.substr(1, t.raw.size() - 2));
      return t;
    }
    std::string value;
    std::size_t i = m_pos + 1;
    while (i < m_text.size()) {
      if (m_text[i] == '\'') {
        if (i + 1 < m_text.size() && m_text[i + 1] == '\'') {
          value += '\'';
          i += 2;
          continue;
        }
        Token t = make(TokenKind::literal, i + 1 - m_pos);
        t.value = Value(std::move(value));
        return t;
      }
      value += m_text[i++];
    }
    return make(TokenKind::unexpected, m_text.size() - m_pos);  // unterminated string
  }

  Token number() {
    std::size_t end = m_pos + 1;
    while (end < m_text.size() && !ends_number(m_text[end])) {
      ++end;
    }
    const std::string_view raw = m_text.substr(m_pos, end - m_pos);
    const double n = parse_number(raw);
    if (std::isnan(n)) {
      return make(TokenKind::unexpected, raw.size());
    }
    Token t = make(TokenKind::literal, raw.size());
    t.value = Value(n);
    return t;
  }

  // Reads up to the next boundary; anything but a legal identifier is one unexpected token.
  Token word() {
    std::size_t end = m_pos + 1;
    while (end < m_text.size() && !ends_word(m_text[end])) {
      ++end;
    }
    const std::string_view raw = m_text.substr(m_pos, end - m_pos);
    if (!is_identifier(raw)) {
      return make(TokenKind::unexpected, raw.size());
    }
    if (!m_tokens.empty() && m_tokens.back().kind == TokenKind::dot) {
      return make(TokenKind::property, raw.size());
    }
    if (auto literal = keyword(raw)) {
      Token t = make(TokenKind::literal, raw.size());
      t.value = *literal;
      return t;
    }
    std::size_t after = end;
    while (after < m_text.size() && is_space(m_text[after])) {
      ++after;
    }
    const bool call = after < m_text.size() && m_text[after] == '(';
    return make(call ? TokenKind::function : TokenKind::named_value, raw.size());
  }

  static std::optional<Value> keyword(std::string_view raw) {
    if (raw == "null") {
      return Value();
    }
    if (raw == "true" || raw == "false") {
      return Value(raw == "true");
    }
    if (raw == "NaN") {
      return Value(std::numeric_limits<double>::quiet_NaN());
    }
    if (raw == "Infinity") {
      return Value(std::numeric_limits<double>::infinity());
    }
    return std::nullopt;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  std::vector<Token> m_tokens;
};

}  // namespace

std::vector<Token> tokenize(std::string_view expression) { return Lexer(expression).run(); }

}  // namespace pipeline::workflow::expr::detail

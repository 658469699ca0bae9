#pragma once
// Splits expression text into tokens (internal to the parser).
#include <cstdint>
#include <string_view>
#include <vector>

#include "workflow/expr/value.hpp"

namespace pipeline::workflow::expr::detail {

enum class TokenKind : std::uint8_t {
  literal, named_value, function, property, wildcard,
  lparen, rparen, lbracket, rbracket, comma, dot,
  not_, and_, or_, equal, not_equal, less, less_equal, greater, greater_equal,
  unexpected  // text the lexer could not read (reported as `Unexpected symbol`)
};

struct Token {
  TokenKind kind = TokenKind::unexpected;
  std::string_view raw;  // points into the expression
  std::uint32_t offset = 0;
  Value value;  // literal
};

/// Every token of `expression`; an unreadable piece becomes one `unexpected` token and ends the list.
[[nodiscard]] std::vector<Token> tokenize(std::string_view expression);

}  // namespace pipeline::workflow::expr::detail

#include "workflow/expr/parser.hpp"

#include <algorithm>
#include <array>

#include "workflow/expr/lexer.hpp"
#include "workflow/expr/unicode_case.hpp"

namespace pipeline::workflow::expr {
namespace {

using detail::Token;
using detail::TokenKind;
using NodePtr = std::shared_ptr<const AstNode>;

struct ContextName {
  std::string_view name;
  std::uint32_t bit;
};

constexpr std::array<ContextName, 12> k_contexts{{
    {"github", k_ctx_github}, {"env", k_ctx_env}, {"vars", k_ctx_vars}, {"job", k_ctx_job},
    {"jobs", k_ctx_jobs}, {"steps", k_ctx_steps}, {"runner", k_ctx_runner}, {"secrets", k_ctx_secrets},
    {"strategy", k_ctx_strategy}, {"matrix", k_ctx_matrix}, {"needs", k_ctx_needs}, {"inputs", k_ctx_inputs},
}};

struct FunctionInfo {
  std::string_view name;  // lower-case
  Function id;
  std::size_t min_args;
  std::size_t max_args;
  std::uint32_t requires_bit;  // 0 when always available
};

constexpr std::size_t k_unbounded = static_cast<std::size_t>(-1);

constexpr std::array<FunctionInfo, 13> k_functions{{
    {"contains", Function::contains, 2, 2, 0},
    {"startswith", Function::starts_with, 2, 2, 0},
    {"endswith", Function::ends_with, 2, 2, 0},
    {"format", Function::format, 1, k_unbounded, 0},
    {"join", Function::join, 1, 2, 0},
    {"tojson", Function::to_json, 1, 1, 0},
    {"fromjson", Function::from_json, 1, 1, 0},
    {"hashfiles", Function::hash_files, 1, k_unbounded, k_fn_hash_files},
    {"success", Function::success, 0, 0, k_fn_status},
    {"failure", Function::failure, 0, 0, k_fn_status},
    {"cancelled", Function::cancelled, 0, 0, k_fn_status},
    {"always", Function::always, 0, 0, k_fn_status},
    {"case", Function::case_, 3, k_unbounded, 0},
}};

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  return out;
}

bool equals_ascii_lower(std::string_view name, std::string_view lower) {
  return name.size() == lower.size() && std::equal(name.begin(), name.end(), lower.begin(), [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? static_cast<char>(a + 32) : a) == b;
         });
}

const FunctionInfo* find_function(std::string_view name) {
  for (const auto& f : k_functions) {
    if (equals_ascii_lower(name, f.name)) {
      return &f;
    }
  }
  return nullptr;
}

std::uint32_t context_bit(std::string_view lower_name) {
  for (const auto& c : k_contexts) {
    if (c.name == lower_name) {
      return c.bit;
    }
  }
  return 0;
}

// Thrown inside the parser only; parse() turns it into an Error.
struct ParseFailure {
  std::string message;
};

class Parser {
public:
  Parser(std::string_view text, const ParseOptions& options, std::vector<Token> tokens)
      : m_text(text), m_options(options), m_tokens(std::move(tokens)) {}

  Ast run() {
    if (m_tokens.empty()) {
      fail_end();
    }
    NodePtr root = expression();
    if (m_pos < m_tokens.size()) {
      fail("Unexpected symbol", m_tokens[m_pos]);
    }
    return Ast{std::move(root), std::string(m_text), m_calls_status};
  }

private:
  [[noreturn]] void fail(std::string_view kind, const Token& token) const {
    const std::size_t position = utf16_length(m_text.substr(0, token.offset)) + 1;
    throw ParseFailure{std::string(kind) + ": '" + std::string(token.raw) + "'. Located at position " +
                       std::to_string(position) + " within expression: " + std::string(m_text)};
  }

  [[noreturn]] void fail_end() const {
    if (m_tokens.empty()) {
      throw ParseFailure{"Unexpected end of expression"};
    }
    fail("Unexpected end of expression", m_tokens.back());
  }

  // The current token; reaching the end here is an error.
  const Token& peek_required() const {
    if (m_pos >= m_tokens.size()) {
      fail_end();
    }
    if (m_tokens[m_pos].kind == TokenKind::unexpected) {
      fail("Unexpected symbol", m_tokens[m_pos]);
    }
    return m_tokens[m_pos];
  }

  bool at(TokenKind kind) const { return m_pos < m_tokens.size() && m_tokens[m_pos].kind == kind; }

  const Token& expect(TokenKind kind) {
    const Token& t = peek_required();
    if (t.kind != kind) {
      fail("Unexpected symbol", t);
    }
    ++m_pos;
    return t;
  }

  // GitHub counts depth per sub-expression, `||`/`&&` chain, `!` and member access (not per
  // comparison); the error names the token about to be read.
  void enter() {
    if (++m_depth > k_max_depth) {
      fail("Exceeded max expression depth " + std::to_string(k_max_depth),
           m_pos < m_tokens.size() ? m_tokens[m_pos] : m_tokens.back());
    }
  }
  void leave(int levels = 1) { m_depth -= levels; }

  static NodePtr seal(AstNode node) { return std::make_shared<const AstNode>(std::move(node)); }

  NodePtr expression() {
    enter();
    NodePtr e = parse_or();
    leave();
    return e;
  }

  // `||` and `&&` chains become one n-ary node, as GitHub's evaluator groups them.
  NodePtr parse_chain(TokenKind op, NodeKind kind, NodePtr (Parser::*operand)()) {
    NodePtr first = (this->*operand)();
    if (!at(op)) {
      return first;
    }
    enter();
    AstNode node;
    node.kind = kind;
    node.offset = m_tokens[m_pos].offset;
    node.children.push_back(std::move(first));
    while (at(op)) {
      ++m_pos;
      node.children.push_back((this->*operand)());
    }
    leave();
    return seal(std::move(node));
  }

  NodePtr parse_or() { return parse_chain(TokenKind::or_, NodeKind::or_, &Parser::parse_and); }
  NodePtr parse_and() { return parse_chain(TokenKind::and_, NodeKind::and_, &Parser::parse_equality); }

  static NodePtr binary(NodeKind kind, NodePtr left, NodePtr right, const Token& token) {
    AstNode node;
    node.kind = kind;
    node.offset = token.offset;
    node.children = {std::move(left), std::move(right)};
    return seal(std::move(node));
  }

  NodePtr parse_equality() {
    NodePtr left = parse_comparison();
    while (at(TokenKind::equal) || at(TokenKind::not_equal)) {
      const Token& token = m_tokens[m_pos++];
      const NodeKind kind = token.kind == TokenKind::equal ? NodeKind::equal : NodeKind::not_equal;
      left = binary(kind, std::move(left), parse_comparison(), token);
    }
    return left;
  }

  static NodeKind comparison_kind(TokenKind kind) {
    switch (kind) {
      case TokenKind::less: return NodeKind::less;
      case TokenKind::less_equal: return NodeKind::less_equal;
      case TokenKind::greater: return NodeKind::greater;
      default: return NodeKind::greater_equal;
    }
  }

  NodePtr parse_comparison() {
    NodePtr left = parse_unary();
    while (at(TokenKind::less) || at(TokenKind::less_equal) || at(TokenKind::greater) ||
           at(TokenKind::greater_equal)) {
      const Token& token = m_tokens[m_pos++];
      left = binary(comparison_kind(token.kind), std::move(left), parse_unary(), token);
    }
    return left;
  }

  NodePtr parse_unary() {
    const Token& token = peek_required();
    if (token.kind != TokenKind::not_) {
      return parse_postfix();
    }
    ++m_pos;
    enter();
    AstNode node;
    node.kind = NodeKind::not_;
    node.offset = token.offset;
    node.children.push_back(parse_unary());
    leave();
    return seal(std::move(node));
  }

  // Member access only follows a context, a call or a parenthesized group, never a literal.
  NodePtr parse_postfix() {
    const TokenKind first = peek_required().kind;
    NodePtr node = parse_primary();
    if (first != TokenKind::named_value && first != TokenKind::function && first != TokenKind::lparen) {
      return node;
    }
    int levels = 0;
    while (at(TokenKind::dot) || at(TokenKind::lbracket)) {
      const Token& token = m_tokens[m_pos++];
      if (token.kind == TokenKind::dot) {
        enter();
        node = parse_property(std::move(node));
      } else {
        node = parse_index(std::move(node), token);
        enter();
      }
      ++levels;
    }
    leave(levels);
    return node;
  }

  NodePtr parse_property(NodePtr object) {
    const Token& token = peek_required();
    if (token.kind != TokenKind::property && token.kind != TokenKind::wildcard) {
      fail("Unexpected symbol", token);
    }
    ++m_pos;
    AstNode node;
    node.kind = token.kind == TokenKind::wildcard ? NodeKind::wildcard : NodeKind::property;
    node.offset = token.offset;
    node.name = std::string(token.raw);
    node.folded = fold_key(token.raw);
    node.children.push_back(std::move(object));
    return seal(std::move(node));
  }

  NodePtr parse_index(NodePtr object, const Token& bracket) {
    AstNode node;
    node.offset = bracket.offset;
    node.children.push_back(std::move(object));
    if (at(TokenKind::wildcard)) {
      ++m_pos;
      node.kind = NodeKind::wildcard;
    } else {
      node.kind = NodeKind::index;
      node.children.push_back(expression());
    }
    expect(TokenKind::rbracket);
    return seal(std::move(node));
  }

  NodePtr parse_primary() {
    const Token& token = peek_required();
    ++m_pos;
    switch (token.kind) {
      case TokenKind::literal: {
        AstNode node;
        node.literal = std::move(m_tokens[m_pos - 1].value);  // each token is read once
        node.offset = token.offset;
        return seal(std::move(node));
      }
      case TokenKind::named_value: return parse_named_value(token);
      case TokenKind::function: return parse_call(token);
      case TokenKind::lparen: {
        NodePtr inner = expression();
        expect(TokenKind::rparen);
        return inner;
      }
      default: fail("Unexpected symbol", token);
    }
  }

  NodePtr parse_named_value(const Token& token) {
    std::string lower = ascii_lower(token.raw);
    const std::uint32_t bit = context_bit(lower);
    if (bit == 0 || (m_options.contexts & bit) == 0) {
      fail("Unrecognized named-value", token);
    }
    AstNode node;
    node.kind = NodeKind::named_value;
    node.name = std::move(lower);
    node.offset = token.offset;
    return seal(std::move(node));
  }

  NodePtr parse_call(const Token& token) {
    const FunctionInfo* info = find_function(token.raw);
    if (info == nullptr || (info->requires_bit != 0 && (m_options.functions & info->requires_bit) == 0)) {
      fail("Unrecognized function", token);
    }
    expect(TokenKind::lparen);
    AstNode node;
    node.kind = NodeKind::call;
    node.function = info->id;
    node.name = std::string(info->name);
    node.offset = token.offset;
    if (!at(TokenKind::rparen)) {
      node.children.push_back(expression());
      while (at(TokenKind::comma)) {
        ++m_pos;
        node.children.push_back(expression());
      }
    }
    expect(TokenKind::rparen);
    check_arity(*info, node.children.size(), token);
    m_calls_status = m_calls_status || info->requires_bit == k_fn_status;
    return seal(std::move(node));
  }

  void check_arity(const FunctionInfo& info, std::size_t count, const Token& token) const {
    if (count < info.min_args) {
      fail("Too few parameters supplied", token);
    }
    if (count > info.max_args) {
      fail("Too many parameters supplied", token);
    }
    if (info.id == Function::case_ && count % 2 == 0) {
      fail("Even number of parameters supplied, requires an odd number of parameters", token);
    }
  }

  std::string_view m_text;
  const ParseOptions& m_options;
  std::vector<Token> m_tokens;
  std::size_t m_pos = 0;
  int m_depth = 0;
  bool m_calls_status = false;
};

}  // namespace

ParseOptions ParseOptions::only(std::initializer_list<std::string_view> contexts,
                                std::initializer_list<std::string_view> functions) {
  ParseOptions options{0, 0};
  for (auto name : contexts) {
    options.contexts |= context_bit(ascii_lower(name));
  }
  for (auto name : functions) {
    const FunctionInfo* info = find_function(name);
    if (info != nullptr) {
      options.functions |= info->requires_bit;
    }
  }
  return options;
}

std::vector<std::string_view> context_names(std::uint32_t bits) {
  std::vector<std::string_view> names;
  for (const auto& c : k_contexts) {
    if ((bits & c.bit) != 0) {
      names.push_back(c.name);
    }
  }
  return names;
}

Result<Ast> parse(std::string_view expression, const ParseOptions& options) {
  if (expression.size() > k_max_length) {
    return Error{"Exceeded max expression length " + std::to_string(k_max_length)};
  }
  try {
    return Parser(expression, options, detail::tokenize(expression)).run();
  } catch (const ParseFailure& failure) {
    return Error{failure.message};
  }
}

}  // namespace pipeline::workflow::expr

#pragma once
// Parses `${{ }}` expression text into an Ast, checking names and arity as GitHub does.
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "workflow/expr/ast.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::workflow::expr {

/// Named values (contexts) an expression may refer to, as bits.
enum ContextBit : std::uint32_t {
  k_ctx_github = 1u << 0, k_ctx_env = 1u << 1, k_ctx_vars = 1u << 2, k_ctx_job = 1u << 3,
  k_ctx_jobs = 1u << 4, k_ctx_steps = 1u << 5, k_ctx_runner = 1u << 6, k_ctx_secrets = 1u << 7,
  k_ctx_strategy = 1u << 8, k_ctx_matrix = 1u << 9, k_ctx_needs = 1u << 10, k_ctx_inputs = 1u << 11,
  k_all_contexts = (1u << 12) - 1,
};

/// Functions only some keys allow, as bits; the others are always available.
enum FunctionBit : std::uint32_t {
  k_fn_hash_files = 1u << 0,
  k_fn_status = 1u << 1,  // success() failure() cancelled() always()
  k_all_functions = (1u << 2) - 1,
};

/// What a key of a workflow allows; the default allows every context and function.
struct ParseOptions {
  std::uint32_t contexts = k_all_contexts;
  std::uint32_t functions = k_all_functions;

  /// Options allowing exactly these contexts and extra functions (names as GitHub spells them;
  /// "hashFiles", and any status function name enables all four).
  [[nodiscard]] static ParseOptions only(std::initializer_list<std::string_view> contexts,
                                         std::initializer_list<std::string_view> functions = {});
  [[nodiscard]] bool operator==(const ParseOptions&) const = default;
};

/// The lower-case names of the contexts in `bits`, in a fixed order.
[[nodiscard]] std::vector<std::string_view> context_names(std::uint32_t bits);

/// Maximum nesting depth and length of one expression, as GitHub enforces them.
inline constexpr int k_max_depth = 50;
inline constexpr std::size_t k_max_length = 21000;

/// Parses `expression`; errors use GitHub's text:
/// `<Kind>: '<token>'. Located at position <N> within expression: <expression>`.
[[nodiscard]] Result<Ast> parse(std::string_view expression, const ParseOptions& options = {});

}  // namespace pipeline::workflow::expr

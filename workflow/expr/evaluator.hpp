#pragma once
// Evaluates a parsed expression against the contexts of one moment of a run.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/expr/ast.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::workflow::expr {

/// What success()/failure()/cancelled() look at: the job's status, or a composite action's own.
enum class Status { success, failure, cancelled };

/// Where an evaluation finds its contexts, its status and its files.
class EvalContext {
public:
  virtual ~EvalContext() = default;
  /// The context named `name` (lower-case, e.g. "github"), or nullptr when absent (reads as null).
  /// The pointer must stay valid for the whole evaluation.
  [[nodiscard]] virtual const Value* lookup(std::string_view name) = 0;
  /// The status the status functions test.
  [[nodiscard]] virtual Status status() const { return Status::success; }
  /// hashFiles(patterns...): hex digest, '' when nothing matches.
  [[nodiscard]] virtual Result<std::string> hash_files(const std::vector<std::string>& patterns);
};

/// An EvalContext over a fixed set of named contexts; enough for tests, `pipe eval` and the engine.
class MapContext : public EvalContext {
public:
  using HashFilesFn = std::function<Result<std::string>(const std::vector<std::string>&)>;

  /// Adds or replaces a context (name matched case-insensitively).
  void set(std::string_view name, Value value);
  [[nodiscard]] const Value* lookup(std::string_view name) override;
  [[nodiscard]] Status status() const override { return m_status; }
  void set_status(Status status) { m_status = status; }
  /// Installs the hashFiles implementation (without one, hashFiles is an error).
  void set_hash_files(HashFilesFn fn) { m_hash_files = std::move(fn); }
  [[nodiscard]] Result<std::string> hash_files(const std::vector<std::string>& patterns) override;

private:
  std::vector<std::pair<std::string, Value>> m_contexts;  // few entries: a linear scan is fastest
  Status m_status = Status::success;
  HashFilesFn m_hash_files;
};

/// Evaluates `ast`; runtime errors (bad format string, invalid JSON, ...) come back as Error.
[[nodiscard]] Result<Value> evaluate(const Ast& ast, EvalContext& context);

}  // namespace pipeline::workflow::expr

#include "workflow/expr/template.hpp"

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace pipeline::workflow::expr {
namespace {

constexpr std::string_view k_open = "${{";
constexpr std::string_view k_close = "}}";
constexpr std::size_t k_cache_limit = 20000;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Offset of the `}}` closing an expression that starts at `from`, skipping quoted strings.
std::size_t find_close(std::string_view text, std::size_t from) {
  bool in_string = false;
  for (std::size_t i = from; i < text.size(); ++i) {
    if (text[i] == '\'') {
      in_string = !in_string;  // '' inside a string toggles twice, which is what we want
    } else if (!in_string && text.compare(i, k_close.size(), k_close) == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

Segment trimmed_expression(std::string_view text, std::size_t start, std::size_t begin, std::size_t end) {
  while (begin < end && is_space(text[begin])) {
    ++begin;
  }
  while (end > begin && is_space(text[end - 1])) {
    --end;
  }
  return Segment{Segment::Kind::expression, text.substr(begin, end - begin), begin, start};
}

class AstCache {
public:
  std::shared_ptr<const Result<Ast>> get(std::string_view expression, const ParseOptions& options) {
    std::string key = make_key(expression, options);
    {
      std::shared_lock lock(m_mutex);
      auto it = m_entries.find(key);
      if (it != m_entries.end()) {
        return it->second;
      }
    }
    auto parsed = std::make_shared<const Result<Ast>>(parse(expression, options));
    std::unique_lock lock(m_mutex);
    if (m_entries.size() >= k_cache_limit) {
      m_entries.clear();  // a crude bound: workflows have far fewer distinct expressions
    }
    m_entries.emplace(std::move(key), parsed);
    return parsed;
  }

private:
  static std::string make_key(std::string_view expression, const ParseOptions& options) {
    std::string key;
    key.reserve(expression.size() + 8);
    key.append(reinterpret_cast<const char*>(&options.contexts), sizeof options.contexts);
    key.append(reinterpret_cast<const char*>(&options.functions), sizeof options.functions);
    key.append(expression);
    return key;
  }

  std::shared_mutex m_mutex;
  std::unordered_map<std::string, std::shared_ptr<const Result<Ast>>> m_entries;
};

AstCache& cache() {
  static AstCache instance;
  return instance;
}

Result<Value> evaluate_expression(std::string_view expression, EvalContext& context, const ParseOptions& options) {
  const auto ast = cache().get(expression, options);
  if (!*ast) {
    return ast->error();
  }
  return evaluate(**ast, context);
}

Result<bool> template_calls_status_function(std::string_view text, const ParseOptions& options) {
  Result<std::vector<Segment>> segments = split_template(text);
  if (!segments) {
    return segments.error();
  }
  bool calls = false;
  for (const Segment& segment : *segments) {
    if (segment.kind == Segment::Kind::literal) {
      continue;
    }
    const auto ast = cache().get(segment.text, options);
    if (!*ast) {
      return ast->error();
    }
    calls = calls || (*ast)->calls_status_function;
  }
  return calls;
}

}  // namespace

bool has_expression(std::string_view text) { return text.find(k_open) != std::string_view::npos; }

Result<std::vector<Segment>> split_template(std::string_view text) {
  std::vector<Segment> segments;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find(k_open, pos);
    if (open == std::string_view::npos) {
      segments.push_back(Segment{Segment::Kind::literal, text.substr(pos), pos, pos});
      break;
    }
    if (open > pos) {
      segments.push_back(Segment{Segment::Kind::literal, text.substr(pos, open - pos), pos, pos});
    }
    const std::size_t inner = open + k_open.size();
    const std::size_t close = find_close(text, inner);
    if (close == std::string_view::npos) {
      return Error{"The expression is not closed. An unescaped ${{ sequence was found, but the closing }} "
                   "sequence was not found."};
    }
    Segment segment = trimmed_expression(text, open, inner, close);
    if (segment.text.empty()) {
      return Error{"An expression was expected."};
    }
    segments.push_back(segment);
    pos = close + k_close.size();
  }
  return segments;
}

Result<Ast> parse_cached(std::string_view expression, const ParseOptions& options) {
  return *cache().get(expression, options);
}

Result<Value> evaluate_template(std::string_view text, EvalContext& context, const ParseOptions& options) {
  if (!has_expression(text)) {
    return Value(text);
  }
  Result<std::vector<Segment>> segments = split_template(text);
  if (!segments) {
    return segments.error();
  }
  if (segments->size() == 1) {
    return evaluate_expression(segments->front().text, context, options);
  }
  std::string out;
  for (const Segment& segment : *segments) {
    if (segment.kind == Segment::Kind::literal) {
      out += segment.text;
      continue;
    }
    Result<Value> value = evaluate_expression(segment.text, context, options);
    if (!value) {
      return value.error();
    }
    out += value->to_display_string();
  }
  return Value(std::move(out));
}

ConditionSource condition_source(std::string_view if_text) {
  std::size_t begin = 0;
  std::size_t end = if_text.size();
  while (begin < end && is_space(if_text[begin])) {
    ++begin;
  }
  while (end > begin && is_space(if_text[end - 1])) {
    --end;
  }
  const std::string_view trimmed = if_text.substr(begin, end - begin);
  if (!has_expression(trimmed)) {
    return ConditionSource{trimmed, begin, false};
  }
  Result<std::vector<Segment>> segments = split_template(trimmed);
  if (segments && segments->size() == 1) {
    const Segment& only = segments->front();
    return ConditionSource{only.text, begin + only.offset, false};
  }
  return ConditionSource{trimmed, begin, true};
}

Result<bool> evaluate_condition(std::string_view if_text, EvalContext& context, const ParseOptions& options) {
  const ConditionSource source = condition_source(if_text);
  if (source.expression.empty()) {
    return context.status() == Status::success;
  }
  if (source.is_template) {
    // GitHub reads mixed text as one `format('…', e1, e2, …)` expression, so a status function in
    // any part of it drops the implicit `success() &&`, as for a plain condition.
    Result<bool> calls_status = template_calls_status_function(source.expression, options);
    if (!calls_status) {
      return calls_status.error();
    }
    if (!*calls_status && context.status() != Status::success) {
      return false;
    }
    Result<Value> value = evaluate_template(source.expression, context, options);
    if (!value) {
      return value.error();
    }
    return value->is_truthy();
  }
  const auto ast = cache().get(source.expression, options);
  if (!*ast) {
    return ast->error();
  }
  if (!(*ast)->calls_status_function && context.status() != Status::success) {
    return false;  // the implicit `success() &&` short-circuits: the condition is not evaluated
  }
  Result<Value> value = evaluate(**ast, context);
  if (!value) {
    return value.error();
  }
  return value->is_truthy();
}

}  // namespace pipeline::workflow::expr

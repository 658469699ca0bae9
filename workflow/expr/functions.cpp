// The built-in functions: contains, startsWith, endsWith, format, join, toJSON, fromJSON,
// hashFiles, case and the status functions.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "workflow/expr/eval_internal.hpp"
#include "workflow/expr/unicode_case.hpp"

namespace pipeline::workflow::expr::detail {
namespace {

Ref arg(const AstNode& node, std::size_t i, EvalContext& context) { return eval_node(*node.children[i], context); }

// Strings are compared in place; other primitives are converted first.
template <class F>
bool on_strings(const Value& a, const Value& b, F f) {
  if (a.is_string() && b.is_string()) {
    return f(a.as_string(), b.as_string());
  }
  return f(a.to_display_string(), b.to_display_string());
}

Ref contains(const AstNode& node, EvalContext& context) {
  const Ref haystack = arg(node, 0, context);
  const Ref needle = arg(node, 1, context);
  const Value& h = haystack.get();
  if (h.is_primitive()) {
    return boolean(on_strings(h, needle.get(), [](std::string_view a, std::string_view b) {
      return contains_ignore_case(a, b);
    }));
  }
  if (h.is_array()) {
    for (const auto& item : h.as_array()) {
      if (values_equal(item, needle.get())) {
        return boolean(true);
      }
    }
  }
  return boolean(false);
}

enum class Affix { prefix, suffix };

Ref starts_or_ends(const AstNode& node, EvalContext& context, Affix affix) {
  const Ref text = arg(node, 0, context);
  const Ref part = arg(node, 1, context);
  if (!text.get().is_primitive() || !part.get().is_primitive()) {
    return boolean(false);
  }
  return boolean(on_strings(text.get(), part.get(), [affix](std::string_view a, std::string_view b) {
    return affix == Affix::prefix ? starts_with_ignore_case(a, b) : ends_with_ignore_case(a, b);
  }));
}

[[noreturn]] void invalid_format(std::string_view f) {
  throw EvalFailure{"The following format string is invalid: " + std::string(f)};
}

// Reads `{N}` starting at `i` (the `{`); returns the argument index and moves `i` past `}`.
std::size_t read_placeholder(std::string_view f, std::size_t& i) {
  std::size_t j = i + 1;
  std::size_t index = 0;
  const std::size_t digits_start = j;
  while (j < f.size() && f[j] >= '0' && f[j] <= '9') {
    index = index * 10 + static_cast<std::size_t>(f[j] - '0');
    if (index > 1000000) {
      invalid_format(f);
    }
    ++j;
  }
  if (j == digits_start || j >= f.size() || f[j] != '}') {
    invalid_format(f);
  }
  i = j + 1;
  return index;
}

// Counts the literal text appended to `out` since `start`, when there is any.
void count_literal(MemoryCounter& memory, const std::string& out, std::size_t start) {
  if (out.size() > start) {
    memory.add(std::string_view(out).substr(start));
  }
}

Ref format(const AstNode& node, EvalContext& context) {
  const std::string f = arg(node, 0, context).get().to_display_string();
  std::vector<std::string> args;
  for (std::size_t i = 1; i < node.children.size(); ++i) {
    args.push_back(arg(node, i, context).get().to_display_string());
  }
  MemoryCounter memory(node);
  std::string out;
  std::size_t literal_start = 0;  // where the literal text not yet counted begins in `out`
  std::size_t i = 0;
  while (i < f.size()) {
    const char c = f[i];
    if ((c == '{' || c == '}') && i + 1 < f.size() && f[i + 1] == c) {
      out += c;
      i += 2;
    } else if (c == '}') {
      invalid_format(f);
    } else if (c == '{') {
      const std::size_t index = read_placeholder(f, i);
      if (index >= args.size()) {
        throw EvalFailure{"The following format string references more arguments than were supplied: " + f};
      }
      count_literal(memory, out, literal_start);
      memory.add(args[index]);
      out += args[index];
      literal_start = out.size();
    } else {
      out += c;
      ++i;
    }
  }
  count_literal(memory, out, literal_start);
  return Ref::own(Value(std::move(out)));
}

Ref join(const AstNode& node, EvalContext& context) {
  const Ref items = arg(node, 0, context);
  const Value& v = items.get();
  if (v.is_primitive()) {
    return Ref::own(Value(v.to_display_string()));
  }
  if (!v.is_array() || v.as_array().empty()) {
    return Ref::own(Value(""));
  }
  // As in the runner, a separator that is an array or an object leaves the default in place,
  // and it is only read when there is something to separate.
  std::string separator = ",";
  if (node.children.size() > 1 && v.as_array().size() > 1) {
    const Ref given = arg(node, 1, context);
    if (given.get().is_primitive()) {
      separator = given.get().to_display_string();
    }
  }
  MemoryCounter memory(node);
  std::string out;
  bool first = true;
  for (const auto& item : v.as_array()) {
    if (!first) {
      memory.add(separator);
      out += separator;
    }
    first = false;
    std::string text = item.to_display_string();
    memory.add(text);
    out += text;
  }
  return Ref::own(Value(std::move(out)));
}

Ref to_json(const AstNode& node, EvalContext& context) {
  const Ref v = arg(node, 0, context);
  std::string json = v.get().to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  MemoryCounter(node).add(json);
  return Ref::own(Value(std::move(json)));
}

// ---- fromJSON: the runner reads with Newtonsoft's JToken.ReadFrom, which is more lenient than
// nlohmann in two ways that matter: it stops after the first value (`[1] x` is [1]; a number or
// literal must still end at whitespace or a delimiter, so `1x` fails), and a number too large for
// a double is +/-Infinity (.NET's double parse) rather than an error.

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool ends_json_token(char c) { return is_json_space(c) || c == ',' || c == ']' || c == '}' || c == '/'; }

// A string nlohmann will hand back as is; stands for an overflowing number until after parsing.
constexpr std::string_view k_infinity_marker{"\0pipe:+Infinity", 15};
constexpr std::string_view k_neg_infinity_marker{"\0pipe:-Infinity", 15};

// `token` as the parser should see it: a valid number beyond double's range becomes a marker.
std::string number_token(std::string_view token, bool& has_infinity) {
  const std::string t(token);
  if (!std::isinf(std::strtod(t.c_str(), nullptr))) {
    return t;
  }
  try {
    const nlohmann::ordered_json finite = nlohmann::ordered_json::parse(t);
    (void)finite;
  } catch (const nlohmann::json::out_of_range&) {
    has_infinity = true;
    return t.front() == '-' ? "\"\\u0000pipe:-Infinity\"" : "\"\\u0000pipe:+Infinity\"";
  } catch (const nlohmann::json::exception&) {
  }
  return t;  // not a valid number: left for the parser to reject
}

// The text of the first JSON value in `text` (empty when there is none).
std::string first_json_value(std::string_view text, bool& has_infinity) {
  std::string out;
  int depth = 0;
  std::size_t i = 0;
  while (i < text.size() && is_json_space(text[i])) {
    ++i;
  }
  while (i < text.size()) {
    const char c = text[i];
    std::size_t end = i + 1;
    if (c == '"') {
      while (end < text.size() && text[end] != '"') {
        end += text[end] == '\\' ? 2 : 1;
      }
      end = std::min(end + 1, text.size());
      out.append(text.substr(i, end - i));
    } else if (c == '[' || c == '{') {
      ++depth;
      out += c;
    } else if (c == ']' || c == '}') {
      --depth;
      out += c;
    } else if (depth == 0 || c == '-' || (c >= '0' && c <= '9')) {
      while (end < text.size() && (depth == 0 ? !ends_json_token(text[end]) : !ends_json_token(text[end]) && text[end] != ':')) {
        ++end;
      }
      out += c == '-' || (c >= '0' && c <= '9') ? number_token(text.substr(i, end - i), has_infinity)
                                                 : std::string(text.substr(i, end - i));
    } else {
      out += c;
    }
    i = end;
    if (depth <= 0) {
      break;
    }
  }
  return out;
}

void restore_infinities(nlohmann::ordered_json& json) {
  if (json.is_string()) {
    const auto& s = json.get_ref<const std::string&>();
    if (s == k_infinity_marker || s == k_neg_infinity_marker) {
      json = s == k_infinity_marker ? HUGE_VAL : -HUGE_VAL;
    }
    return;
  }
  if (json.is_structured()) {
    for (auto& item : json) {
      restore_infinities(item);
    }
  }
}

Ref from_json(const AstNode& node, EvalContext& context) {
  const std::string text = arg(node, 0, context).get().to_display_string();
  bool has_infinity = false;
  try {
    nlohmann::ordered_json json = nlohmann::ordered_json::parse(first_json_value(text, has_infinity));
    if (has_infinity) {
      restore_infinities(json);
    }
    return Ref::own(Value::from_json(json));
  } catch (const nlohmann::json::exception&) {
    throw EvalFailure{"Error parsing fromJson"};
  }
}

Ref hash_files(const AstNode& node, EvalContext& context) {
  std::vector<std::string> patterns;
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    patterns.push_back(arg(node, i, context).get().to_display_string());
  }
  Result<std::string> digest = context.hash_files(patterns);
  if (!digest) {
    throw EvalFailure{digest.error().message};
  }
  return Ref::own(Value(std::move(*digest)));
}

Ref case_of(const AstNode& node, EvalContext& context) {
  const std::size_t pairs_end = node.children.size() - 1;
  for (std::size_t i = 0; i < pairs_end; i += 2) {
    Ref predicate = arg(node, i, context);
    if (!predicate.get().is_boolean()) {
      throw EvalFailure{"case predicate must evaluate to a boolean value"};
    }
    if (predicate.get().as_boolean()) {
      return arg(node, i + 1, context);
    }
  }
  return arg(node, pairs_end, context);
}

}  // namespace

Ref call_function(const AstNode& node, EvalContext& context) {
  switch (node.function) {
    case Function::contains: return contains(node, context);
    case Function::starts_with: return starts_or_ends(node, context, Affix::prefix);
    case Function::ends_with: return starts_or_ends(node, context, Affix::suffix);
    case Function::format: return format(node, context);
    case Function::join: return join(node, context);
    case Function::to_json: return to_json(node, context);
    case Function::from_json: return from_json(node, context);
    case Function::hash_files: return hash_files(node, context);
    case Function::success: return boolean(context.status() == Status::success);
    case Function::failure: return boolean(context.status() == Status::failure);
    case Function::cancelled: return boolean(context.status() == Status::cancelled);
    case Function::always: return boolean(true);
    case Function::case_: return case_of(node, context);
  }
  return Ref{};
}

}  // namespace pipeline::workflow::expr::detail

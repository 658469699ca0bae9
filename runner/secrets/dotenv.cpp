#include "runner/secrets/dotenv.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace pipeline::runner::secrets {
namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_key_char(char c) { return is_name_char(c) || c == '.' || c == '-'; }

// Compose treats CRLF files as LF files; dropping each `\r` before `\n` keeps line numbers.
std::string normalize(std::string_view text) {
  if (text.starts_with(k_bom)) {
    text.remove_prefix(k_bom.size());
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      out += text[i];
    }
  }
  return out;
}

class Parser {
public:
  Parser(std::string text, std::string file, const Lookup& env)
      : m_text(std::move(text)), m_file(std::move(file)), m_env(env) {}

  Result<std::vector<DotenvEntry>> run() {
    while (m_at < m_text.size()) {
      skip_blanks();
      if (at_line_end()) {
        skip_line();
      } else if (peek() == '#') {
        skip_line();
      } else {
        entry();
      }
    }
    if (!m_errors.empty()) {
      return Error{m_errors};
    }
    return std::move(m_entries);
  }

private:
  [[nodiscard]] char peek(std::size_t ahead = 0) const {
    return m_at + ahead < m_text.size() ? m_text[m_at + ahead] : '\0';
  }
  [[nodiscard]] bool at_end() const { return m_at >= m_text.size(); }
  [[nodiscard]] bool at_line_end() const { return at_end() || peek() == '\n'; }

  void advance() {
    if (m_text[m_at] == '\n') {
      ++m_line;
    }
    ++m_at;
  }
  void skip_blanks() {
    while (!at_end() && is_blank(peek())) {
      ++m_at;
    }
  }
  void skip_line() {
    while (!at_end() && peek() != '\n') {
      ++m_at;
    }
    if (!at_end()) {
      advance();
    }
  }

  void error(int line, const std::string& message) {
    if (!m_errors.empty()) {
      m_errors += '\n';
    }
    m_errors += m_file + ":" + std::to_string(line) + ": " + message;
  }

  // `export` is a prefix only when a name follows it; `export=1` and a bare `export` are keys.
  void skip_export() {
    if (m_text.compare(m_at, 6, "export") == 0 && is_blank(peek(6))) {
      m_at += 6;
      skip_blanks();
    }
  }

  std::string key() {
    const std::size_t start = m_at;
    while (!at_end() && is_key_char(peek())) {
      ++m_at;
    }
    return m_text.substr(start, m_at - start);
  }

  void entry() {
    const int line = m_line;
    skip_export();
    std::string name = key();
    skip_blanks();
    if (name.empty() && peek() == '=') {
      error(line, "missing variable name before '='");
      skip_line();
      return;
    }
    if (name.empty() || (!at_line_end() && peek() != '=' && peek() != '#')) {
      error(line, "unexpected character '" + std::string(1, peek()) + "' in variable name '" + name + "'");
      skip_line();
      return;
    }
    if (peek() != '=') {
      inherit(name, line);
      skip_line();
      return;
    }
    ++m_at;
    if (auto value = this->value(line)) {
      m_vars[name] = *value;
      m_entries.push_back(DotenvEntry{std::move(name), std::move(*value), line});
    }
  }

  void inherit(const std::string& name, int line) {
    if (auto value = m_env ? m_env(name) : std::nullopt) {
      m_vars[name] = *value;
      m_entries.push_back(DotenvEntry{name, std::move(*value), line});
    }
  }

  std::optional<std::string> value(int line) {
    const std::size_t before = m_at;
    skip_blanks();
    const bool blank_before = m_at > before;
    if (peek() == '\'' || peek() == '"') {
      return quoted(line);
    }
    if (blank_before && peek() == '#') {
      skip_line();
      return std::string();
    }
    return unquoted(line);
  }

  std::optional<std::string> unquoted(int line) {
    const std::size_t start = m_at;
    std::size_t end = start;
    while (!at_line_end()) {
      if (peek() == '#' && m_at > start && is_blank(m_text[m_at - 1])) {
        break;
      }
      ++m_at;
      end = m_at;
    }
    skip_line();
    std::string_view raw = std::string_view(m_text).substr(start, end - start);
    while (!raw.empty() && is_blank(raw.back())) {
      raw.remove_suffix(1);
    }
    return expand(raw, line, false);
  }

  std::optional<std::string> quoted(int line) {
    const char quote = peek();
    ++m_at;
    const std::size_t start = m_at;
    while (!at_end() && peek() != quote) {
      if (quote == '"' && peek() == '\\' && m_at + 1 < m_text.size()) {
        advance();
      }
      advance();
    }
    if (at_end()) {
      error(line, std::string("unterminated quoted value: missing closing ") + quote);
      return std::nullopt;
    }
    const std::string_view raw = std::string_view(m_text).substr(start, m_at - start);
    ++m_at;
    const bool tail_ok = trailing_ok();
    auto value = quote == '\'' ? std::optional<std::string>(std::string(raw)) : expand(raw, line, true);
    return tail_ok ? value : std::nullopt;
  }

  // After a closing quote only blanks and a comment may follow on the line.
  bool trailing_ok() {
    skip_blanks();
    if (!at_line_end() && peek() != '#') {
      error(m_line, "unexpected character '" + std::string(1, peek()) + "' after closing quote");
      skip_line();
      return false;
    }
    skip_line();
    return true;
  }

  [[nodiscard]] std::optional<std::string> variable(const std::string& name) const {
    if (const auto it = m_vars.find(name); it != m_vars.end()) {
      return it->second;
    }
    return m_env ? m_env(name) : std::nullopt;
  }

  std::optional<std::string> expand(std::string_view raw, int line, bool escapes);
  bool expand_braced(std::string_view raw, std::size_t& i, int line, std::string& out);
  bool apply_operator(const std::string& name, std::string_view op, std::string_view word, int line, std::string& out);

  std::string m_text;
  std::string m_file;
  const Lookup& m_env;
  std::size_t m_at = 0;
  int m_line = 1;
  std::map<std::string, std::string> m_vars;
  std::vector<DotenvEntry> m_entries;
  std::string m_errors;
};

char escaped(char c) {
  switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    default: return c;
  }
}

std::optional<std::string> Parser::expand(std::string_view raw, int line, bool escapes) {
  std::string out;
  bool ok = true;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (escapes && c == '\\' && i + 1 < raw.size() && std::string_view("ntr\"\\$").find(raw[i + 1]) != std::string_view::npos) {
      out += escaped(raw[++i]);
    } else if (c == '$' && i + 1 < raw.size() && raw[i + 1] == '{') {
      ok = expand_braced(raw, i, line, out) && ok;
    } else if (c == '$' && i + 1 < raw.size() && is_name_start(raw[i + 1])) {
      std::size_t end = i + 1;
      while (end < raw.size() && is_name_char(raw[end])) {
        ++end;
      }
      out += variable(std::string(raw.substr(i + 1, end - i - 1))).value_or("");
      i = end - 1;
    } else {
      out += c;
    }
  }
  return ok ? std::optional<std::string>(std::move(out)) : std::nullopt;
}

// `raw[i]` is the `$` of `${`; on return `i` is at the closing `}`. Nested `${...}` in the
// default word are matched so `${A:-${B}}` closes at the right brace.
bool Parser::expand_braced(std::string_view raw, std::size_t& i, int line, std::string& out) {
  std::size_t depth = 1;
  std::size_t end = i + 2;
  for (; end < raw.size() && depth > 0; ++end) {
    if (raw[end] == '{' && raw[end - 1] == '$') {
      ++depth;
    } else if (raw[end] == '}') {
      --depth;
    }
  }
  if (depth != 0) {
    error(line, "unterminated variable reference '" + std::string(raw.substr(i)) + "'");
    i = raw.size();
    return false;
  }
  const std::string_view body = raw.substr(i + 2, end - i - 3);
  const std::string_view whole = raw.substr(i, end - i);
  i = end - 1;
  std::size_t name_end = 0;
  while (name_end < body.size() && is_name_char(body[name_end])) {
    ++name_end;
  }
  const std::string name(body.substr(0, name_end));
  if (name.empty() || !is_name_start(name[0])) {
    error(line, "invalid variable reference '" + std::string(whole) + "'");
    return false;
  }
  auto rest = body.substr(name_end);
  const std::size_t op_len = rest.starts_with(':') ? 2 : 1;
  if (rest.empty()) {
    out += variable(name).value_or("");
    return true;
  }
  if (rest.size() < op_len || std::string_view("-?+").find(rest[op_len - 1]) == std::string_view::npos) {
    error(line, "invalid variable reference '" + std::string(whole) + "'");
    return false;
  }
  return apply_operator(name, rest.substr(0, op_len), rest.substr(op_len), line, out);
}

bool Parser::apply_operator(const std::string& name, std::string_view op, std::string_view word, int line,
                            std::string& out) {
  const auto value = variable(name);
  const bool colon = op.size() == 2;
  const bool set = value.has_value() && (!colon || !value->empty());
  const auto expanded_word = [&]() { return expand(word, line, false); };
  switch (op.back()) {
    case '-': {
      if (set) {
        out += *value;
        return true;
      }
      auto w = expanded_word();
      out += w.value_or("");
      return w.has_value();
    }
    case '+': {
      if (!set) {
        return true;
      }
      auto w = expanded_word();
      out += w.value_or("");
      return w.has_value();
    }
    default: {
      if (set) {
        out += *value;
        return true;
      }
      auto w = expanded_word();
      error(line, "required variable " + name + " is missing a value" + (w && !w->empty() ? ": " + *w : ""));
      return false;
    }
  }
}

}  // namespace

Lookup environment_lookup() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    return value == nullptr ? std::nullopt : std::optional<std::string>(value);
  };
}

Result<std::vector<DotenvEntry>> parse_dotenv(std::string_view text, std::string file_name, const Lookup& env) {
  Parser parser(normalize(text), std::move(file_name), env);
  return parser.run();
}

Result<std::vector<DotenvEntry>> load_dotenv_file(const std::string& path, const Lookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{path + ": cannot open: " + std::strerror(errno)};
  }
  std::ostringstream content;
  content << in.rdbuf();
  return parse_dotenv(content.str(), path, env);
}

}  // namespace pipeline::runner::secrets

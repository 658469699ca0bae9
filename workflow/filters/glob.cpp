#include "workflow/filters/glob.hpp"

#include <cstdint>

#include "workflow/base/match_memo.hpp"

namespace pipeline::workflow::filters {
namespace {

using Atom = GlobPattern::Atom;

std::string position_text(std::size_t index) {
  return "at position " + std::to_string(index + 1);
}

bool is_class_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Parses the class that opens at `open` (a '['); returns the accepted characters and moves
// `index` past the closing ']'.
Result<std::string> parse_class(std::string_view body, std::size_t open, std::size_t& index) {
  std::string chars;
  std::size_t i = open + 1;
  while (i < body.size() && body[i] != ']') {
    char first = body[i];
    if (first == '\\' && i + 1 < body.size()) {
      first = body[++i];
    }
    if (i + 2 < body.size() && body[i + 1] == '-' && body[i + 2] != ']') {
      const char last = body[i + 2];
      if (!is_class_char(first) || !is_class_char(last) || last < first) {
        return Error{"invalid range '" + std::string(body.substr(i, 3)) + "' in '[' " +
                     position_text(open) + " (ranges may only span a-z, A-Z or 0-9)"};
      }
      for (char c = first; c <= last; ++c) {
        chars.push_back(c);
      }
      i += 3;
      continue;
    }
    chars.push_back(first);
    ++i;
  }
  if (i >= body.size()) {
    return Error{"unclosed '[' " + position_text(open)};
  }
  if (chars.empty()) {
    return Error{"empty character class '[]' " + position_text(open)};
  }
  index = i + 1;
  return chars;
}

// Applies a `?` or `+` to the atom before it.
std::optional<std::string> apply_repeat(std::vector<Atom>& atoms, char op, std::size_t index) {
  if (atoms.empty()) {
    return std::string("'") + op + "' " + position_text(index) + " has no preceding character";
  }
  Atom& previous = atoms.back();
  const bool is_wildcard = previous.kind == Atom::Kind::star ||
                           previous.kind == Atom::Kind::double_star ||
                           previous.kind == Atom::Kind::any_dirs;
  if (is_wildcard) {
    return std::nullopt;  // a wildcard already matches any count, so the operator adds nothing
  }
  if (previous.repeat != Atom::Repeat::once) {
    return std::string("'") + op + "' " + position_text(index) + " follows another '?' or '+'";
  }
  previous.repeat = op == '?' ? Atom::Repeat::optional : Atom::Repeat::one_or_more;
  return std::nullopt;
}

Atom literal_atom(char c) {
  Atom atom;
  atom.kind = Atom::Kind::literal;
  atom.literal = c;
  return atom;
}

Atom star_atom(std::string_view body, std::size_t& i) {
  Atom atom;
  if (i + 1 < body.size() && body[i + 1] == '*') {
    const bool dirs = i + 2 < body.size() && body[i + 2] == '/';
    atom.kind = dirs ? Atom::Kind::any_dirs : Atom::Kind::double_star;
    i += dirs ? 3 : 2;
    return atom;
  }
  atom.kind = Atom::Kind::star;
  ++i;
  return atom;
}

Result<std::vector<Atom>> parse_atoms(std::string_view body, std::size_t offset) {
  std::vector<Atom> atoms;
  std::size_t i = 0;
  while (i < body.size()) {
    const char c = body[i];
    if (c == '\\') {
      if (i + 1 >= body.size()) {
        return Error{"'\\' " + position_text(i + offset) + " escapes nothing"};
      }
      atoms.push_back(literal_atom(body[i + 1]));
      i += 2;
    } else if (c == '*') {
      atoms.push_back(star_atom(body, i));
    } else if (c == '?' || c == '+') {
      if (auto problem = apply_repeat(atoms, c, i + offset)) {
        return Error{*problem};
      }
      ++i;
    } else if (c == '[') {
      auto chars = parse_class(body, i, i);
      if (!chars) {
        return chars.error();
      }
      Atom atom;
      atom.kind = Atom::Kind::char_class;
      atom.class_chars = std::move(chars.value());
      atoms.push_back(std::move(atom));
    } else {
      atoms.push_back(literal_atom(c));
      ++i;
    }
  }
  return atoms;
}

// Backtracking over the atoms, memoized per (atom, position) pair: several `*`/`**` stay
// O(atoms × length) instead of exponential.
class Matcher {
public:
  Matcher(const std::vector<Atom>& atoms, std::string_view value)
      : m_atoms(atoms), m_value(value), m_memo(atoms.size(), value.size()) {}

  bool run(std::size_t atom, std::size_t pos) {
    if (atom == m_atoms.size()) {
      return pos == m_value.size();
    }
    return m_memo.at(atom, pos, [&] { return step(atom, pos); });
  }

private:
  bool accepts(const Atom& a, std::size_t pos) const {
    if (pos >= m_value.size()) {
      return false;
    }
    const char c = m_value[pos];
    return a.kind == Atom::Kind::literal ? c == a.literal
                                         : a.class_chars.find(c) != std::string::npos;
  }

  bool step(std::size_t atom, std::size_t pos) {
    const Atom& a = m_atoms[atom];
    switch (a.kind) {
      case Atom::Kind::star:
        return run(atom + 1, pos) ||
               (pos < m_value.size() && m_value[pos] != '/' && run(atom, pos + 1));
      case Atom::Kind::double_star:
        return run(atom + 1, pos) || (pos < m_value.size() && run(atom, pos + 1));
      case Atom::Kind::any_dirs:
        return any_dirs(atom, pos);
      default:
        return single(a, atom, pos);
    }
  }

  // `**/`: nothing at all, or anything that ends with a '/'.
  bool any_dirs(std::size_t atom, std::size_t pos) {
    if (run(atom + 1, pos)) {
      return true;
    }
    for (std::size_t k = pos; k < m_value.size(); ++k) {
      if (m_value[k] == '/' && run(atom + 1, k + 1)) {
        return true;
      }
    }
    return false;
  }

  bool single(const Atom& a, std::size_t atom, std::size_t pos) {
    switch (a.repeat) {
      case Atom::Repeat::once:
        return accepts(a, pos) && run(atom + 1, pos + 1);
      case Atom::Repeat::optional:
        return run(atom + 1, pos) || (accepts(a, pos) && run(atom + 1, pos + 1));
      case Atom::Repeat::one_or_more:
        return accepts(a, pos) && (run(atom + 1, pos + 1) || run(atom, pos + 1));
    }
    return false;
  }

  const std::vector<Atom>& m_atoms;
  std::string_view m_value;
  MatchMemo m_memo;
};

}  // namespace

Result<GlobPattern> GlobPattern::compile(std::string_view pattern) {
  if (pattern.empty()) {
    return Error{"empty pattern"};
  }
  GlobPattern compiled;
  compiled.m_text = std::string(pattern);
  std::string_view body = pattern;
  if (body.front() == '!') {
    compiled.m_negated = true;
    body.remove_prefix(1);
    if (body.empty()) {
      return Error{"pattern '!' negates nothing"};
    }
  }
  auto atoms = parse_atoms(body, compiled.m_negated ? 1 : 0);
  if (!atoms) {
    return atoms.error();
  }
  compiled.m_atoms = std::move(atoms.value());
  return compiled;
}

bool GlobPattern::matches(std::string_view value) const {
  Matcher matcher(m_atoms, value);
  return matcher.run(0, 0);
}

Result<FilterList> FilterList::compile(const std::vector<std::string>& patterns) {
  FilterList list;
  for (const auto& text : patterns) {
    auto pattern = GlobPattern::compile(text);
    if (!pattern) {
      return Error{"invalid pattern '" + text + "': " + pattern.error().message};
    }
    list.m_patterns.push_back(std::move(pattern.value()));
  }
  return list;
}

bool FilterList::matches(std::string_view value) const {
  // GitHub checks the patterns in order, so the last one that matches has the final word.
  bool included = false;
  for (const auto& pattern : m_patterns) {
    if (included == pattern.negated() && pattern.matches(value)) {
      included = !pattern.negated();
    }
  }
  return included;
}

std::optional<std::string> validate_glob(std::string_view pattern) {
  auto compiled = GlobPattern::compile(pattern);
  if (!compiled) {
    return compiled.error().message;
  }
  return std::nullopt;
}

bool match_filters(const std::vector<std::string>& patterns, std::string_view value) {
  auto list = FilterList::compile(patterns);
  return list && list->matches(value);
}

bool match_glob(std::string_view pattern, std::string_view value) {
  auto compiled = GlobPattern::compile(pattern);
  return compiled && compiled->matches(value);
}

}  // namespace pipeline::workflow::filters

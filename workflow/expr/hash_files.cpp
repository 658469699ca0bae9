#include "workflow/expr/hash_files.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <system_error>

#include "workflow/base/match_memo.hpp"

namespace pipeline::workflow::expr {
namespace {

namespace fs = std::filesystem;

using Digest = std::array<unsigned char, 32>;
using Segments = std::vector<std::string>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

class Sha256 {
public:
  Sha256() : m_ctx(EVP_MD_CTX_new()) { EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr); }
  void update(const void* data, std::size_t size) { EVP_DigestUpdate(m_ctx.get(), data, size); }
  Digest finish() {
    Digest out{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_ctx.get(), out.data(), &len);
    return out;
  }

private:
  MdCtx m_ctx;
};

Result<Digest> hash_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Error{"hashFiles: cannot read " + file.string()};
  }
  Sha256 sha;
  std::array<char, 65536> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    sha.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return sha.finish();
}

std::string to_hex(const Digest& d) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : d) {
    out += k_hex[b >> 4];
    out += k_hex[b & 0xF];
  }
  return out;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view k_space = " \t\r\n\f\v";
  const auto first = s.find_first_not_of(k_space);
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(k_space) - first + 1);
}

// Non-empty names of a `/`-separated path (repeated separators collapse, as in @actions/glob).
Segments split_path(std::string_view path) {
  Segments out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) {
      out.emplace_back(path.substr(start, end - start));
    }
    start = end + 1;
  }
  return out;
}

// One glob segment, or a name taken as is (the workspace's own path, which may hold `*`).
struct Segment {
  std::string text;
  bool literal = false;
  [[nodiscard]] bool globstar() const { return !literal && text == "**"; }
};

enum MatchKind : unsigned { k_none = 0, k_directory = 1, k_file = 2, k_all = 3 };

struct Pattern {
  bool negate = false;
  bool directories_only = false;  // written with a trailing '/'
  std::vector<Segment> segments;  // from the file system root
};

// What a glob segment names when it has no wildcard (`\x` -> x, `[x]` -> x); nullopt otherwise.
// The search for matches starts at the longest such prefix of a pattern.
std::optional<std::string> literal_of(std::string_view glob) {
  std::string out;
  for (std::size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '\\' && i + 1 < glob.size()) {
      out += glob[++i];
      continue;
    }
    if (c == '*' || c == '?') {
      return std::nullopt;
    }
    if (c == '[') {
      std::string set;
      std::size_t close = std::string_view::npos;
      for (std::size_t j = i + 1; j < glob.size(); ++j) {
        if (glob[j] == '\\' && j + 1 < glob.size()) {
          set += glob[++j];
        } else if (glob[j] == ']') {
          close = j;
          break;
        } else {
          set += glob[j];
        }
      }
      if (close != std::string_view::npos && set.size() > 1) {
        return std::nullopt;
      }
      if (close != std::string_view::npos && set.size() == 1) {
        out += set;
        i = close;
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::string literal_text(const Segment& s) {
  if (s.literal) {
    return s.text;
  }
  return literal_of(s.text).value_or(std::string());
}

bool segment_matches(const Segment& s, std::string_view name) {
  return s.literal ? s.text == name : glob_segment_match(s.text, name);
}

// `**` spans zero or more names; the other segments match one name each. Memoized per
// (segment, name) pair: a pattern of many `**` stays polynomial on a deep path.
class SegmentsMatcher {
public:
  SegmentsMatcher(const std::vector<Segment>& pattern, const Segments& path)
      : m_pattern(pattern), m_path(path), m_memo(pattern.size(), path.size()) {}

  bool run(std::size_t i, std::size_t j) {
    if (i == m_pattern.size()) {
      return j == m_path.size();
    }
    return m_memo.at(i, j, [&] { return step(i, j); });
  }

private:
  bool step(std::size_t i, std::size_t j) {
    if (m_pattern[i].globstar()) {
      return run(i + 1, j) || (j < m_path.size() && run(i, j + 1));
    }
    return j < m_path.size() && segment_matches(m_pattern[i], m_path[j]) && run(i + 1, j + 1);
  }

  const std::vector<Segment>& m_pattern;
  const Segments& m_path;
  MatchMemo m_memo;
};

bool matches(const std::vector<Segment>& pattern, const Segments& path) {
  return SegmentsMatcher(pattern, path).run(0, 0);
}

// Whether something below `path` could match: the pattern's leading names agree with it.
bool may_match_below(const std::vector<Segment>& pattern, const Segments& path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i >= pattern.size()) {
      return false;
    }
    if (pattern[i].globstar()) {
      return true;
    }
    if (!segment_matches(pattern[i], path[i])) {
      return false;
    }
  }
  return true;
}

// Later patterns win: an exclusion removes what earlier patterns matched.
unsigned match_kind(const std::vector<Pattern>& patterns, const Segments& path) {
  unsigned result = k_none;
  for (const auto& p : patterns) {
    const unsigned kind = matches(p.segments, path) ? (p.directories_only ? k_directory : k_all) : k_none;
    result = p.negate ? (result & ~kind) : (result | kind);
  }
  return result;
}

bool partial_match(const std::vector<Pattern>& patterns, const Segments& path) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const Pattern& p) { return !p.negate && may_match_below(p.segments, path); });
}

std::vector<Segment> literal_segments(const std::string& path) {
  std::vector<Segment> out;
  for (auto& name : split_path(path)) {
    out.push_back({std::move(name), true});
  }
  return out;
}

Result<Pattern> parse_pattern(std::string_view line, const std::string& workspace) {
  Pattern p;
  while (!line.empty() && line.front() == '!') {
    p.negate = !p.negate;
    line = trim(line.substr(1));
  }
  if (line.empty()) {
    return Error{"hashFiles: a pattern cannot be empty"};
  }
  const bool absolute = line.front() == '/';
  p.directories_only = line.size() > 1 && line.back() == '/';
  const Segments names = split_path(line);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string literal = literal_of(names[i]).value_or(std::string());
    if (literal == ".." || (literal == "." && (absolute || i > 0))) {
      return Error{"hashFiles: invalid pattern '" + std::string(line) + "': relative pathing '.' and '..' is not allowed"};
    }
  }
  std::size_t first = 0;
  if (!absolute) {
    const char* home = std::getenv("HOME");
    if (!names.empty() && names[0] == "~" && home != nullptr) {
      p.segments = literal_segments(home);
      first = 1;
    } else {
      p.segments = literal_segments(workspace);
      first = !names.empty() && names[0] == "." ? 1 : 0;
    }
  }
  for (std::size_t i = first; i < names.size(); ++i) {
    p.segments.push_back({names[i], false});
  }
  return p;
}

// The patterns as written, each followed by its `<pattern>/**` so a matched directory brings
// in everything under it.
Result<std::vector<Pattern>> parse_patterns(const std::vector<std::string>& lines, const std::string& workspace) {
  std::vector<Pattern> out;
  for (const auto& arg : lines) {
    std::size_t start = 0;
    while (start <= arg.size()) {
      const std::size_t end = std::min(arg.find('\n', start), arg.size());
      const std::string_view line = trim(std::string_view(arg).substr(start, end - start));
      start = end + 1;
      if (line.empty() || line.front() == '#') {
        continue;
      }
      Result<Pattern> p = parse_pattern(line, workspace);
      if (!p) {
        return p.error();
      }
      out.push_back(*p);
      if (p->directories_only || p->segments.empty() || !p->segments.back().globstar()) {
        Pattern below{p->negate, false, p->segments};
        below.segments.push_back({"**", false});
        out.push_back(std::move(below));
      }
    }
  }
  return out;
}

bool is_prefix(const Segments& prefix, const Segments& path) {
  return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// Where to walk: each included pattern's literal prefix, in pattern order, without duplicates
// or paths below another one; then narrowed to the workspace, since nothing outside it counts.
std::vector<Segments> search_roots(const std::vector<Pattern>& patterns, const Segments& workspace) {
  std::vector<Segments> roots;
  for (const auto& p : patterns) {
    if (p.negate) {
      continue;
    }
    Segments root;
    for (const auto& s : p.segments) {
      std::string name = literal_text(s);
      if (name.empty()) {
        break;
      }
      root.push_back(std::move(name));
    }
    roots.push_back(std::move(root));
  }
  std::vector<Segments> out;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const bool covered = std::any_of(roots.begin(), roots.end(), [&](const Segments& other) {
      return other.size() < roots[i].size() && is_prefix(other, roots[i]);
    });
    Segments root = is_prefix(roots[i], workspace) ? workspace : roots[i];
    if (covered || !is_prefix(workspace, root) || std::find(out.begin(), out.end(), root) != out.end()) {
      continue;
    }
    out.push_back(std::move(root));
  }
  return out;
}

struct Walk {
  const std::vector<Pattern>& patterns;
  const fs::path& root;       // the workspace on this machine
  std::size_t workspace_size;  // names in the workspace path as patterns see it
  bool follow_links;
  std::vector<std::string> chain;  // real paths of the directories being walked, for cycles
  std::vector<fs::path> files;

  fs::path host_path(const Segments& path) const {
    fs::path out = root;
    for (std::size_t i = workspace_size; i < path.size(); ++i) {
      out /= path[i];
    }
    return out;
  }

  // nullopt: skip the entry (gone, a broken link followed, or a directory cycle).
  Result<std::optional<fs::file_status>> status_of(const fs::path& path, std::size_t level) {
    std::error_code ec;
    const fs::file_status st = follow_links ? fs::status(path, ec) : fs::symlink_status(path, ec);
    if (ec || !fs::exists(st)) {
      return std::optional<fs::file_status>();
    }
    if (follow_links && fs::is_directory(st)) {
      const std::string real = fs::canonical(path, ec).string();
      while (chain.size() >= level) {
        chain.pop_back();
      }
      if (ec || std::find(chain.begin(), chain.end(), real) != chain.end()) {
        return std::optional<fs::file_status>();
      }
      chain.push_back(real);
    }
    return std::optional<fs::file_status>(st);
  }

  Result<void> visit(const Segments& start) {
    struct Item {
      Segments path;
      std::size_t level;
    };
    std::vector<Item> stack{{start, 1}};
    while (!stack.empty()) {
      Item item = std::move(stack.back());
      stack.pop_back();
      const unsigned kind = match_kind(patterns, item.path);
      if (kind == k_none && !partial_match(patterns, item.path)) {
        continue;
      }
      const fs::path host = host_path(item.path);
      auto st = status_of(host, item.level);
      if (!st) {
        return st.error();
      }
      if (!*st) {
        continue;
      }
      if (!fs::is_directory(**st)) {
        if ((kind & k_file) != 0 && item.path.size() > workspace_size) {
          files.push_back(host);
        }
        continue;
      }
      std::vector<std::string> names;
      std::error_code ec;
      for (auto it = fs::directory_iterator(host, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        names.push_back(it->path().filename().string());
      }
      if (ec) {
        return Error{"hashFiles: cannot list " + host.string() + ": " + ec.message()};
      }
      // Byte order, pushed in reverse so the first name is walked first.
      std::sort(names.rbegin(), names.rend());
      for (auto& name : names) {
        Segments child = item.path;
        child.push_back(std::move(name));
        stack.push_back({std::move(child), item.level + 1});
      }
    }
    return {};
  }
};

// A matched path that is a directory once links are followed is left out; so are pipes and
// devices, which the runner would block on or read forever.
Result<bool> is_hashable(const fs::path& file) {
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (ec) {
    return Error{"hashFiles: cannot read " + file.string() + ": " + ec.message()};
  }
  return fs::is_regular_file(st);
}

// One glob segment against one name, memoized per (glob offset, name offset): `*a*a*a…` stays
// O(glob × name) instead of exponential.
class NameMatcher {
public:
  NameMatcher(std::string_view glob, std::string_view name)
      : m_glob(glob), m_name(name), m_memo(glob.size(), name.size()) {}

  bool run(std::size_t g, std::size_t n) {
    if (g == m_glob.size()) {
      return n == m_name.size();
    }
    return m_memo.at(g, n, [&] { return step(g, n); });
  }

private:
  bool step(std::size_t g, std::size_t n) {
    const char c = m_glob[g];
    if (c == '*') {
      return run(g + 1, n) || (n < m_name.size() && run(g, n + 1));
    }
    if (n == m_name.size()) {
      return false;
    }
    if (c == '?') {
      std::size_t width = 1;  // one character, not one byte, of UTF-8
      while (n + width < m_name.size() && (static_cast<unsigned char>(m_name[n + width]) & 0xC0) == 0x80) {
        ++width;
      }
      return run(g + 1, n + width);
    }
    if (c == '[') {
      if (auto after = character_class(g, static_cast<unsigned char>(m_name[n]))) {
        return *after != 0 && run(*after, n + 1);
      }
      // No closing ']': the '[' is an ordinary character.
    }
    std::size_t width = 1;
    char expected = c;
    if (c == '\\' && g + 1 < m_glob.size()) {
      expected = m_glob[g + 1];
      width = 2;
    }
    return m_name[n] == expected && run(g + width, n + 1);
  }

  // For a closed `[...]` at `g`: the glob offset after it when `ch` is in the class, 0 when it
  // is not; nullopt when the class never closes.
  std::optional<std::size_t> character_class(std::size_t g, unsigned char ch) const {
    const bool negated = g + 1 < m_glob.size() && (m_glob[g + 1] == '!' || m_glob[g + 1] == '^');
    std::size_t i = g + (negated ? 2 : 1);
    bool hit = false;
    for (bool first = true; i < m_glob.size(); first = false) {
      if (m_glob[i] == ']' && !first) {
        return hit != negated ? i + 1 : 0;
      }
      unsigned char lo = static_cast<unsigned char>(m_glob[i]);
      if (lo == '\\' && i + 1 < m_glob.size()) {
        lo = static_cast<unsigned char>(m_glob[++i]);
      }
      ++i;
      unsigned char hi = lo;
      if (i + 1 < m_glob.size() && m_glob[i] == '-' && m_glob[i + 1] != ']') {
        hi = static_cast<unsigned char>(m_glob[i + 1]);
        i += 2;
      }
      hit = hit || (lo <= ch && ch <= hi);
    }
    return std::nullopt;
  }

  std::string_view m_glob;
  std::string_view m_name;
  MatchMemo m_memo;
};

}  // namespace

bool glob_segment_match(std::string_view glob, std::string_view name) {
  return NameMatcher(glob, name).run(0, 0);
}

bool glob_match(std::string_view pattern, std::string_view path) {
  std::vector<Segment> segments;
  for (auto& name : split_path(pattern)) {
    segments.push_back({std::move(name), false});
  }
  return matches(segments, split_path(path));
}

Result<std::string> hash_files(const fs::path& root, const std::vector<std::string>& args,
                               const std::string& visible_workspace) {
  std::vector<std::string> lines = args;
  bool follow_links = false;
  if (!lines.empty() && lines.front().rfind("--", 0) == 0) {
    std::string option = lines.front();
    std::transform(option.begin(), option.end(), option.begin(), [](unsigned char c) { return std::tolower(c); });
    if (option != "--follow-symbolic-links") {
      return Error{"hashFiles: invalid glob option " + lines.front() + ", available option: '--follow-symbolic-links'"};
    }
    follow_links = true;
    lines.erase(lines.begin());
  }
  const std::string workspace = visible_workspace.empty() ? root.lexically_normal().generic_string() : visible_workspace;
  const Segments workspace_names = split_path(workspace);
  Result<std::vector<Pattern>> patterns = parse_patterns(lines, workspace);
  if (!patterns) {
    return patterns.error();
  }
  Walk walk{*patterns, root, workspace_names.size(), follow_links, {}, {}};
  for (const auto& start : search_roots(*patterns, workspace_names)) {
    if (Result<void> r = walk.visit(start); !r) {
      return r.error();
    }
  }
  Sha256 total;
  bool any = false;
  for (const auto& file : walk.files) {
    Result<bool> hashable = is_hashable(file);
    if (!hashable) {
      return hashable.error();
    }
    if (!*hashable) {
      continue;
    }
    Result<Digest> d = hash_file(file);
    if (!d) {
      return d.error();
    }
    total.update(d->data(), d->size());
    any = true;
  }
  return any ? to_hex(total.finish()) : std::string();
}

}  // namespace pipeline::workflow::expr

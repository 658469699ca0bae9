#include "runner/output/masker.hpp"

#include <algorithm>

#include "runner/output/encodings.hpp"

namespace pipeline::runner::output {
namespace {

constexpr std::string_view k_whitespace = " \t\r\n\v\f";
constexpr std::string_view k_mask = "***";
// A chain of touching secrets can grow a held-back range without end; past this size the
// stream releases it (still masked) rather than buffering the whole output.
constexpr std::size_t k_max_pending = std::size_t{1} << 20U;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(k_whitespace);
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(k_whitespace);
  return s.substr(first, last - first + 1);
}

std::vector<std::string_view> lines_of(std::string_view value) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto end = value.find_first_of("\r\n", start);
    const auto line = trim(value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (!line.empty()) {
      lines.push_back(line);
    }
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::string too_short_warning(std::string_view secret_name) {
  return "Secret '" + std::string(secret_name) + "' is shorter than " + std::to_string(k_min_secret_length) +
         " characters and will not be masked in the output.";
}

Masker::Masker()
    : m_matcher(std::make_shared<PatternMatcher>(std::vector<std::string>{})), m_line_matcher(m_matcher) {}

AddResult Masker::add_secret(std::string_view value) {
  const auto trimmed = trim(value);
  if (trimmed.empty()) {
    return AddResult::empty;
  }
  if (trimmed.size() < k_min_secret_length) {
    return AddResult::too_short;
  }
  register_value(trimmed);
  return AddResult::added;
}

AddResult Masker::add_mask(std::string_view value) {
  const auto trimmed = trim(value);
  if (trimmed.empty()) {
    return AddResult::empty;
  }
  register_value(trimmed);
  return AddResult::added;
}

// A multi-line secret is printed line by line far more often than whole, so each line is a
// secret of its own too — unless it is shorter than a secret may be: the `{` line of a JSON
// secret would mask every brace of the output (and a pattern that short defeats the
// matcher's prefilter). The value itself is registered as given, so `::add-mask::` still
// masks a short value its step asked for.
void Masker::register_value(std::string_view value) {
  std::vector<std::string> forms = masked_forms(value);
  for (auto line : lines_of(value)) {
    if (line.size() != value.size() && line.size() >= k_min_secret_length) {
      auto more = masked_forms(line);
      forms.insert(forms.end(), more.begin(), more.end());
    }
  }
  const std::lock_guard lock(m_mutex);
  for (auto& form : forms) {
    if (m_known.insert(form).second) {
      m_patterns.push_back(std::move(form));
      m_dirty = true;
    }
  }
}

// Rebuilding once per batch of additions, on the next read, keeps a burst of registrations
// (a secrets file, a Vault response) from compiling the automaton once per value.
std::shared_ptr<const PatternMatcher> Masker::snapshot() const {
  const std::lock_guard lock(m_mutex);
  rebuild_if_dirty();
  return m_matcher;
}

std::shared_ptr<const PatternMatcher> Masker::line_snapshot() const {
  const std::lock_guard lock(m_mutex);
  rebuild_if_dirty();
  return m_line_matcher;
}

// A line never contains '\n', so a pattern with one can never match a single line; leaving
// such patterns out lets a block of lines be scanned at once with the same result. Most runs
// have none, and then both matchers are one.
void Masker::rebuild_if_dirty() const {
  if (!m_dirty) {
    return;
  }
  m_matcher = std::make_shared<PatternMatcher>(m_patterns);
  std::vector<std::string> single_line;
  for (const auto& pattern : m_patterns) {
    if (pattern.find('\n') == std::string::npos) {
      single_line.push_back(pattern);
    }
  }
  m_line_matcher =
      single_line.size() == m_patterns.size() ? m_matcher : std::make_shared<PatternMatcher>(single_line);
  m_dirty = false;
}

std::size_t Masker::pattern_count() const {
  const std::lock_guard lock(m_mutex);
  return m_patterns.size();
}

std::string Masker::mask(std::string_view text) const {
  const auto matcher = snapshot();
  return apply_ranges(text, matcher->find(text));
}

std::string Masker::mask_lines(std::string_view lines) const {
  std::string out;
  append_masked_lines(out, lines);
  return out;
}

void Masker::append_masked_lines(std::string& out, std::string_view lines) const {
  const auto matcher = line_snapshot();
  append_ranges(out, lines, matcher->find(lines));
}

std::string apply_ranges(std::string_view text, const std::vector<Range>& ranges) {
  if (ranges.empty()) {
    return std::string(text);
  }
  std::string out;
  append_ranges(out, text, ranges);
  return out;
}

void append_ranges(std::string& out, std::string_view text, const std::vector<Range>& ranges) {
  out.reserve(out.size() + text.size());
  std::size_t at = 0;
  for (const auto& r : ranges) {
    out.append(text.substr(at, r.begin - at));
    out.append(k_mask);
    at = r.end;
  }
  out.append(text.substr(at));
}

namespace {

// The held-back bytes followed by a new chunk, read as one text without copying the chunk:
// copying every chunk into the buffer cost a third of the stream's time.
struct SplitText {
  std::string_view head;
  std::string_view tail;

  [[nodiscard]] std::size_t size() const { return head.size() + tail.size(); }

  void append_to(std::string& out, std::size_t from, std::size_t to) const {
    if (from < head.size()) {
      out.append(head.substr(from, std::min(to, head.size()) - from));
    }
    if (to > head.size()) {
      const std::size_t f = std::max(from, head.size()) - head.size();
      out.append(tail.substr(f, to - head.size() - f));
    }
  }
};

// Matches starting in `head` end within `longest` bytes of it, so scanning head plus that much
// of the tail finds them; every other match lies inside the tail.
std::vector<Range> find_split(const PatternMatcher& matcher, const SplitText& text) {
  if (text.head.empty()) {
    return matcher.find(text.tail);
  }
  std::string junction(text.head);
  junction.append(text.tail.substr(0, std::min(text.tail.size(), matcher.longest())));
  std::vector<Range> all = matcher.find(junction);
  for (auto r : matcher.find(text.tail)) {
    all.push_back(Range{r.begin + text.head.size(), r.end + text.head.size()});
  }
  std::sort(all.begin(), all.end(), [](Range a, Range b) { return a.begin < b.begin; });
  std::vector<Range> merged;
  for (auto r : all) {
    if (!merged.empty() && r.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, r.end);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

}  // namespace

// Bytes before `cut` are final: a match that is not yet complete must end in bytes still to
// come, so it starts at most longest-1 bytes before the end. A merged range reaching `cut`
// could still grow, so it stays pending as a whole.
std::string MaskingStream::write(std::string_view bytes) {
  const auto matcher = m_masker.snapshot();
  const std::size_t keep = matcher->longest() == 0 ? 0 : matcher->longest() - 1;
  const SplitText text{m_pending, bytes};
  if (text.size() <= keep) {
    m_pending.append(bytes);
    return {};
  }
  auto ranges = find_split(*matcher, text);
  std::size_t cut = text.size() - keep;
  while (!ranges.empty() && ranges.back().begin >= cut) {
    ranges.pop_back();
  }
  if (!ranges.empty() && ranges.back().end >= cut) {
    if (ranges.back().begin == 0 && text.size() > k_max_pending) {
      cut = ranges.back().end;
    } else {
      cut = ranges.back().begin;
      ranges.pop_back();
    }
  }
  std::string out;
  out.reserve(cut);
  std::size_t at = 0;
  for (const auto& r : ranges) {
    text.append_to(out, at, r.begin);
    out.append(k_mask);
    at = r.end;
  }
  text.append_to(out, at, cut);
  std::string rest;
  text.append_to(rest, cut, text.size());
  m_pending = std::move(rest);
  return out;
}

std::string MaskingStream::flush() {
  std::string out = m_masker.mask(m_pending);
  m_pending.clear();
  return out;
}

}  // namespace pipeline::runner::output

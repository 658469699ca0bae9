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

Masker::Masker() : m_matcher(std::make_shared<PatternMatcher>(std::vector<std::string>{})) {}

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
// secret of its own too.
void Masker::register_value(std::string_view value) {
  std::vector<std::string> forms = masked_forms(value);
  for (auto line : lines_of(value)) {
    if (line.size() != value.size()) {
      auto more = masked_forms(line);
      forms.insert(forms.end(), more.begin(), more.end());
    }
  }
  const std::lock_guard lock(m_mutex);
  for (auto& form : forms) {
    if (std::find(m_patterns.begin(), m_patterns.end(), form) == m_patterns.end()) {
      m_patterns.push_back(std::move(form));
      m_dirty = true;
    }
  }
}

// Rebuilding once per batch of additions, on the next read, keeps a burst of registrations
// (a secrets file, a Vault response) from compiling the automaton once per value.
std::shared_ptr<const PatternMatcher> Masker::snapshot() const {
  const std::lock_guard lock(m_mutex);
  if (m_dirty) {
    m_matcher = std::make_shared<PatternMatcher>(m_patterns);
    m_dirty = false;
  }
  return m_matcher;
}

std::size_t Masker::pattern_count() const {
  const std::lock_guard lock(m_mutex);
  return m_patterns.size();
}

std::string Masker::mask(std::string_view text) const {
  const auto matcher = snapshot();
  return apply_ranges(text, matcher->find(text));
}

std::string apply_ranges(std::string_view text, const std::vector<Range>& ranges) {
  if (ranges.empty()) {
    return std::string(text);
  }
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (const auto& r : ranges) {
    out.append(text.substr(at, r.begin - at));
    out.append(k_mask);
    at = r.end;
  }
  out.append(text.substr(at));
  return out;
}

// Bytes before `cut` are final: a match that is not yet complete must end in bytes still to
// come, so it starts at most longest-1 bytes before the end. A merged range reaching `cut`
// could still grow, so it stays pending as a whole.
std::string MaskingStream::write(std::string_view bytes) {
  m_pending.append(bytes);
  const auto matcher = m_masker.snapshot();
  const std::size_t keep = matcher->longest() == 0 ? 0 : matcher->longest() - 1;
  if (m_pending.size() <= keep) {
    return {};
  }
  auto ranges = matcher->find(m_pending);
  std::size_t cut = m_pending.size() - keep;
  while (!ranges.empty() && ranges.back().begin >= cut) {
    ranges.pop_back();
  }
  if (!ranges.empty() && ranges.back().end >= cut) {
    if (ranges.back().begin == 0 && m_pending.size() > k_max_pending) {
      cut = ranges.back().end;
    } else {
      cut = ranges.back().begin;
      ranges.pop_back();
    }
  }
  std::string out = apply_ranges(std::string_view(m_pending).substr(0, cut), ranges);
  m_pending.erase(0, cut);
  return out;
}

std::string MaskingStream::flush() {
  std::string out = m_masker.mask(m_pending);
  m_pending.clear();
  return out;
}

}  // namespace pipeline::runner::output

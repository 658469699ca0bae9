#include "runner/output/pattern_matcher.hpp"

#include <algorithm>
#include <cstring>
#include <deque>

namespace pipeline::runner::output {
namespace {

constexpr std::uint32_t k_output_flag = 0x80000000U;
constexpr std::uint32_t k_state_mask = 0x7fffffffU;
constexpr unsigned k_filter_bits = 21;
constexpr std::size_t k_gram = 4;

std::uint32_t load_gram(const char* p) {
  std::uint32_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// A blocked Bloom filter: one 64-bit word per 4-gram holding two bits, so a lookup touches a
// single cache line yet log text that happens to share one bit with a secret stays unflagged.
struct GramBits {
  std::size_t word;
  std::uint64_t bits;
};

GramBits gram_bits(std::uint32_t gram) {
  const std::uint64_t h = gram * 0x9E3779B97F4A7C15ULL;
  const std::uint64_t bits = (std::uint64_t{1} << ((h >> 20U) & 63U)) | (std::uint64_t{1} << ((h >> 26U) & 63U));
  return {static_cast<std::size_t>(h >> (64U - (k_filter_bits - 6U))), bits};
}

}  // namespace

void merge_range(std::vector<Range>& ranges, Range r) {
  // A later match can start before earlier ones (a longer pattern), so it may swallow several.
  while (!ranges.empty() && r.begin <= ranges.back().end) {
    r.begin = std::min(r.begin, ranges.back().begin);
    r.end = std::max(r.end, ranges.back().end);
    ranges.pop_back();
  }
  ranges.push_back(r);
}

PatternMatcher::PatternMatcher(const std::vector<std::string>& patterns) {
  build_classes(patterns);
  build_trie(patterns);
  build_links();
  build_filter(patterns);
}

// Bytes that occur in no pattern all behave alike, so they share class 0; this keeps the dense
// table small (secrets use few distinct bytes) without a branch per byte.
void PatternMatcher::build_classes(const std::vector<std::string>& patterns) {
  bool used[256] = {};
  for (const auto& p : patterns) {
    for (char c : p) {
      used[static_cast<unsigned char>(c)] = true;
    }
  }
  for (unsigned b = 0; b < 256; ++b) {
    m_class[b] = used[b] ? static_cast<std::uint16_t>(m_class_count++) : 0;
  }
}

void PatternMatcher::build_trie(const std::vector<std::string>& patterns) {
  const std::uint32_t k = m_class_count;
  m_next.assign(k, 0);
  m_out_len.assign(1, 0);
  for (const auto& p : patterns) {
    if (p.empty()) {
      continue;
    }
    std::uint32_t state = 0;
    for (char c : p) {
      const std::size_t slot = state * k + m_class[static_cast<unsigned char>(c)];
      if (m_next[slot] == 0) {
        m_next[slot] = static_cast<std::uint32_t>(m_out_len.size());
        m_out_len.push_back(0);
        m_next.resize(m_next.size() + k, 0);
      }
      state = m_next[slot];
    }
    m_out_len[state] = std::max<std::uint32_t>(m_out_len[state], static_cast<std::uint32_t>(p.size()));
    m_longest = std::max(m_longest, p.size());
    m_shortest = m_shortest == 0 ? p.size() : std::min(m_shortest, p.size());
  }
}

// Breadth-first: fill every missing transition from the failure state, so scanning never
// follows failure links; flag targets that end a pattern and pre-multiply by the class count.
void PatternMatcher::build_links() {
  const std::uint32_t k = m_class_count;
  std::vector<std::uint32_t> fail(m_out_len.size(), 0);
  std::deque<std::uint32_t> queue;
  for (std::uint32_t c = 0; c < k; ++c) {
    if (m_next[c] != 0) {
      queue.push_back(m_next[c]);
    }
  }
  while (!queue.empty()) {
    const std::uint32_t s = queue.front();
    queue.pop_front();
    m_out_len[s] = std::max(m_out_len[s], m_out_len[fail[s]]);
    for (std::uint32_t c = 0; c < k; ++c) {
      std::uint32_t& slot = m_next[s * k + c];
      if (slot != 0) {
        fail[slot] = m_next[fail[s] * k + c];
        queue.push_back(slot);
      } else {
        slot = m_next[fail[s] * k + c];
      }
    }
  }
  for (auto& target : m_next) {
    target = target * k | (m_out_len[target] != 0 ? k_output_flag : 0U);
  }
}

// Every pattern is at least m_shortest bytes long, so sampling the text every
// (m_shortest - 3) bytes lands at least one sample inside each occurrence with a whole 4-gram
// of the pattern under it; only samples whose 4-gram belongs to some pattern are verified.
void PatternMatcher::build_filter(const std::vector<std::string>& patterns) {
  if (m_shortest < k_gram) {
    return;
  }
  m_stride = m_shortest - k_gram + 1;
  m_filter.assign((std::size_t{1} << k_filter_bits) / 64, 0);
  for (const auto& p : patterns) {
    for (std::size_t offset = 0; offset < m_stride && offset + k_gram <= p.size(); ++offset) {
      const auto g = gram_bits(load_gram(p.data() + offset));
      m_filter[g.word] |= g.bits;
    }
  }
}

void PatternMatcher::scan(std::string_view text, std::size_t from, std::size_t to, std::uint32_t& state,
                          std::vector<Range>& found) const {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::uint32_t* next = m_next.data();
  std::uint32_t s = state;
  for (std::size_t i = from; i < to; ++i) {
    s = next[(s & k_state_mask) + m_class[bytes[i]]];
    if ((s & k_output_flag) != 0) {
      const std::size_t len = m_out_len[(s & k_state_mask) / m_class_count];
      merge_range(found, Range{i + 1 - len, i + 1});
    }
  }
  state = s;
}

bool PatternMatcher::may_match_at(const char* p) const {
  const auto g = gram_bits(load_gram(p));
  return (m_filter[g.word] & g.bits) == g.bits;
}

void PatternMatcher::scan_filtered(std::string_view text, std::vector<Range>& found) const {
  const std::size_t n = text.size();
  if (n < m_shortest) {
    return;
  }
  const char* data = text.data();
  const std::size_t stride = m_stride;
  std::size_t scanned_to = 0;  // the automaton state is valid for text[.. scanned_to)
  std::uint32_t state = 0;
  const auto verify = [&](std::size_t p) {
    // A pattern under this sample starts in [p - stride + 1, p] and ends by p + longest.
    const std::size_t window = p + 1 >= stride ? p + 1 - stride : 0;
    if (window > scanned_to) {
      state = 0;
      scanned_to = window;
    }
    const std::size_t to = std::min(n, p + m_longest);
    if (to > scanned_to) {
      scan(text, scanned_to, to, state, found);
      scanned_to = to;
    }
  };
  std::size_t p = 0;
  // Four samples per round with one branch: the lookups overlap instead of waiting on each
  // other, and a hit (rare in real logs) is sorted out sample by sample.
  for (; p + 3 * stride + k_gram <= n; p += 4 * stride) {
    const bool any = may_match_at(data + p) | may_match_at(data + p + stride) |
                     may_match_at(data + p + 2 * stride) | may_match_at(data + p + 3 * stride);
    if (any) {
      for (std::size_t q = p; q < p + 4 * stride; q += stride) {
        if (may_match_at(data + q)) {
          verify(q);
        }
      }
    }
  }
  for (; p + k_gram <= n; p += stride) {
    if (may_match_at(data + p)) {
      verify(p);
    }
  }
}

std::vector<Range> PatternMatcher::find(std::string_view text) const {
  std::vector<Range> found;
  if (m_longest == 0) {
    return found;
  }
  if (!m_filter.empty()) {
    scan_filtered(text, found);
  } else {
    std::uint32_t state = 0;
    scan(text, 0, text.size(), state, found);
  }
  return found;
}

}  // namespace pipeline::runner::output

#include "runner/output/file_commands.hpp"

#include <cerrno>
#include <cstring>
#include <strings.h>
#include <fstream>
#include <optional>
#include <sstream>

namespace pipeline::runner::output {
namespace {

// A cursor over the file's lines that also says whether the line it returned ended in `\n`:
// the heredoc rules need to know (a last line without one is "missing new line").
class LineReader {
public:
  explicit LineReader(std::string_view text) : m_text(text) {}

  struct Line {
    std::string_view text;
    bool has_newline = false;
  };

  std::optional<Line> next() {
    if (m_at >= m_text.size()) {
      return std::nullopt;
    }
    const auto lf = m_text.find('\n', m_at);
    if (lf == std::string_view::npos) {
      Line line{m_text.substr(m_at), false};
      m_at = m_text.size();
      return line;
    }
    Line line{m_text.substr(m_at, lf - m_at), true};
    m_at = lf + 1;
    return line;
  }

  [[nodiscard]] std::size_t position() const { return m_at; }

private:
  std::string_view m_text;
  std::size_t m_at = 0;
};

bool is_node_options(std::string_view name) {
  return name.size() == 12 && strncasecmp(name.data(), "NODE_OPTIONS", 12) == 0;
}

Result<std::string> read_heredoc(std::string_view text, LineReader& reader, std::string_view delimiter) {
  const std::size_t start = reader.position();
  std::size_t end = start;
  while (true) {
    const auto line = reader.next();
    if (!line) {
      return Error{"Invalid value. Matching delimiter not found '" + std::string(delimiter) + "'"};
    }
    if (line->text == delimiter) {
      break;
    }
    if (!line->has_newline) {
      return Error{"Invalid value. EOF marker missing new line."};
    }
    end = reader.position() - 1;
  }
  return std::string(text.substr(start, end - start));
}

}  // namespace

Result<KeyValuePairs> parse_key_value_file(std::string_view text) {
  KeyValuePairs pairs;
  LineReader reader(text);
  while (const auto line = reader.next()) {
    const std::string_view l = line->text;
    if (l.empty()) {
      continue;
    }
    const auto equals = l.find('=');
    const auto heredoc = l.find("<<");
    std::string name;
    std::string value;
    if (equals != std::string_view::npos && (heredoc == std::string_view::npos || equals < heredoc)) {
      name = std::string(l.substr(0, equals));
      if (name.empty()) {
        return Error{"Invalid format '" + std::string(l) + "'. Name must not be empty"};
      }
      value = std::string(l.substr(equals + 1));
    } else if (heredoc != std::string_view::npos) {
      name = std::string(l.substr(0, heredoc));
      const auto delimiter = l.substr(heredoc + 2);
      if (name.empty() || delimiter.empty()) {
        return Error{"Invalid format '" + std::string(l) + "'. Name must not be empty and delimiter must not be empty"};
      }
      auto body = read_heredoc(text, reader, delimiter);
      if (!body) {
        return body.error();
      }
      value = std::move(*body);
    } else {
      return Error{"Invalid format '" + std::string(l) + "'"};
    }
    pairs.emplace_back(std::move(name), std::move(value));
  }
  return pairs;
}

std::vector<std::string> refuse_blocked_env(KeyValuePairs& pairs) {
  std::vector<std::string> errors;
  std::erase_if(pairs, [&errors](const auto& pair) {
    if (is_node_options(pair.first)) {
      errors.emplace_back(k_node_options_refused);
      return true;
    }
    return false;
  });
  return errors;
}

std::vector<std::string> parse_path_file(std::string_view text) {
  std::vector<std::string> dirs;
  LineReader reader(text);
  while (const auto line = reader.next()) {
    auto dir = line->text;
    if (!dir.empty() && dir.back() == '\r') {
      dir.remove_suffix(1);
    }
    if (dir.find_first_not_of(" \t") != std::string_view::npos) {
      dirs.emplace_back(dir);
    }
  }
  return dirs;
}

StepSummary check_step_summary(std::string content) {
  if (content.size() <= k_step_summary_limit) {
    return StepSummary{std::move(content), {}};
  }
  return StepSummary{
      {},
      "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of " +
          std::to_string(k_step_summary_limit / 1024) + "k, got " + std::to_string(content.size() / 1024) +
          "k. For more information see: "
          "https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary"};
}

Result<StepSummary> read_step_summary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) {
      return StepSummary{};
    }
    return Error{"cannot read step summary " + path + ": " + std::strerror(errno)};
  }
  std::ostringstream content;
  content << in.rdbuf();
  return check_step_summary(std::move(content).str());
}

}  // namespace pipeline::runner::output

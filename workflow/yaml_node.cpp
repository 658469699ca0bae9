#include "workflow/yaml_node.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace pipeline::workflow {
namespace {

// Aliases let a few lines expand into millions of nodes ("billion laughs"); no real workflow
// comes near this many, so past it the file is refused instead of exhausting memory.
constexpr std::size_t k_max_nodes = 200000;

SourceLocation location_at(const std::string& file, std::size_t offset, std::string_view text) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {file, line, column};
}

// The offset of the first byte that does not start a well-formed UTF-8 sequence, or npos.
std::size_t first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (c < 0x80) {
      length = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
    } else {
      return i;
    }
    if (i + length > text.size()) {
      return i;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
        return i;
      }
    }
    i += length;
  }
  return std::string_view::npos;
}

std::optional<Diagnostic> precheck(std::string_view text, const std::string& file) {
  if (text.size() > k_max_yaml_bytes) {
    return Diagnostic{Severity::error, {file, 0, 0},
                      "file is larger than 10 MB (" + std::to_string(text.size()) + " bytes)",
                      "workflow files are small YAML documents; is this the right file?"};
  }
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Diagnostic{Severity::error, location_at(file, nul, text),
                      "file contains a NUL byte; it looks like a binary file, not YAML", ""};
  }
  if (const std::size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    return Diagnostic{Severity::error, location_at(file, bad, text), "file is not valid UTF-8",
                      "save the file as UTF-8"};
  }
  return std::nullopt;
}

bool all_of_class(std::string_view s, std::string_view allowed) {
  return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
}

// YAML 1.2 core schema numbers, which is what GitHub's parser recognises.
bool is_core_number(std::string_view s) {
  if (s == ".inf" || s == "-.inf" || s == "+.inf" || s == ".Inf" || s == "-.Inf" || s == "+.Inf" ||
      s == ".INF" || s == "-.INF" || s == "+.INF" || s == ".nan" || s == ".NaN" || s == ".NAN") {
    return true;
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    return all_of_class(s.substr(2), "0123456789abcdefABCDEF");
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o') {
    return all_of_class(s.substr(2), "01234567");
  }
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    ++i;
    ++digits;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
      ++digits;
    }
  }
  if (digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    return all_of_class(s.substr(std::min(i, s.size())), "0123456789");
  }
  return i == s.size();
}

Node::Kind plain_scalar_kind(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE") {
    return Node::Kind::boolean;
  }
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return Node::Kind::null;
  }
  return is_core_number(s) ? Node::Kind::number : Node::Kind::string;
}

Node::Kind scalar_kind(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (tag == "?") {
    return plain_scalar_kind(node.Scalar());
  }
  if (tag == "tag:yaml.org,2002:bool") {
    return Node::Kind::boolean;
  }
  if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float") {
    return Node::Kind::number;
  }
  if (tag == "tag:yaml.org,2002:null") {
    return Node::Kind::null;
  }
  return Node::Kind::string;  // quoted, block scalars, `!!str` and unknown tags
}

class Converter {
public:
  Converter(const std::string& file, std::vector<Diagnostic>& diagnostics)
      : m_file(file), m_diagnostics(diagnostics) {}

  // False once the document was refused (too deep or too large); the caller drops the result.
  [[nodiscard]] bool ok() const { return !m_refused; }

  Node convert(const YAML::Node& in, const SourceLocation& fallback, int depth) {
    Node out;
    out.where = locate(in, fallback);
    if (m_refused) {
      return out;
    }
    if (++m_count > k_max_nodes) {
      refuse(out.where, "document expands to more than " + std::to_string(k_max_nodes) +
                            " values (are aliases nested inside each other?)");
      return out;
    }
    if (depth > k_max_yaml_depth) {
      refuse(out.where, "values are nested more than " + std::to_string(k_max_yaml_depth) +
                            " levels deep (does an alias refer to itself?)");
      return out;
    }
    switch (in.Type()) {
      case YAML::NodeType::Scalar:
        out.kind = scalar_kind(in);
        out.scalar = in.Scalar();
        break;
      case YAML::NodeType::Sequence:
        out.kind = Node::Kind::sequence;
        for (const auto& item : in) {
          out.items.push_back(convert(item, out.where, depth + 1));
        }
        break;
      case YAML::NodeType::Map:
        out.kind = Node::Kind::mapping;
        convert_mapping(in, out, depth);
        break;
      default:
        break;
    }
    return out;
  }

private:
  SourceLocation locate(const YAML::Node& in, const SourceLocation& fallback) const {
    const YAML::Mark mark = in.Mark();
    if (mark.is_null() || mark.line < 0) {
      return fallback;
    }
    return {m_file, mark.line + 1, mark.column + 1};
  }

  void refuse(const SourceLocation& where, std::string message) {
    m_refused = true;
    m_diagnostics.push_back({Severity::error, where, std::move(message), ""});
  }

  void convert_mapping(const YAML::Node& in, Node& out, int depth) {
    std::vector<Node> merges;
    std::size_t merge_position = std::string::npos;
    std::set<std::string> seen;
    for (const auto& pair : in) {
      const SourceLocation key_where = locate(pair.first, out.where);
      if (!pair.first.IsScalar()) {
        m_diagnostics.push_back({Severity::error, key_where, "a mapping key must be a string", ""});
        continue;
      }
      const std::string& key = pair.first.Scalar();
      Node value = convert(pair.second, key_where, depth + 1);
      // A block collection starts on the line after its key; messages about it read better
      // pointing at the key than at its first entry.
      if ((value.is_mapping() || value.is_sequence()) && value.where.line > key_where.line) {
        value.where = key_where;
      }
      if (key == "<<" && pair.first.Tag() == "?") {
        merge_position = std::min(merge_position, out.entries.size());
        collect_merge(std::move(value), merges);
        continue;
      }
      if (!seen.insert(key).second) {
        report_duplicate(out, key, key_where);
        continue;
      }
      out.entries.push_back({key, key_where, std::move(value)});
    }
    apply_merges(out, merges, merge_position, seen);
  }

  void report_duplicate(const Node& map, const std::string& key, const SourceLocation& where) {
    int first_line = 0;
    for (const auto& entry : map.entries) {
      if (entry.key == key) {
        first_line = entry.key_where.line;
      }
    }
    m_diagnostics.push_back({Severity::error, where, "key '" + key + "' is already defined",
                             "the first '" + key + "' is on line " + std::to_string(first_line)});
  }

  void collect_merge(Node value, std::vector<Node>& merges) {
    if (value.is_mapping()) {
      merges.push_back(std::move(value));
      return;
    }
    if (value.is_sequence()) {
      for (auto& item : value.items) {
        if (item.is_mapping()) {
          merges.push_back(std::move(item));
        } else {
          m_diagnostics.push_back({Severity::error, item.where,
                                   "a merge key '<<' takes a mapping or a list of mappings", ""});
        }
      }
      return;
    }
    m_diagnostics.push_back({Severity::error, value.where,
                             "a merge key '<<' takes a mapping or a list of mappings", ""});
  }

  // Keys written in the mapping itself win over merged ones; among merged mappings the first
  // listed wins, as the YAML merge-key type specifies.
  static void apply_merges(Node& out, std::vector<Node>& merges, std::size_t position,
                           std::set<std::string>& seen) {
    std::vector<NodeEntry> merged;
    for (auto& source : merges) {
      for (auto& entry : source.entries) {
        if (seen.insert(entry.key).second) {
          merged.push_back(std::move(entry));
        }
      }
    }
    if (merged.empty()) {
      return;
    }
    const auto at = out.entries.begin() + static_cast<std::ptrdiff_t>(std::min(position, out.entries.size()));
    out.entries.insert(at, std::make_move_iterator(merged.begin()), std::make_move_iterator(merged.end()));
  }

  const std::string& m_file;
  std::vector<Diagnostic>& m_diagnostics;
  std::size_t m_count = 0;
  bool m_refused = false;
};

std::string clean_parser_message(std::string message) {
  if (!message.empty()) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  return "invalid YAML: " + message;
}

}  // namespace

std::string_view describe_kind(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::null:
      return "null";
    case Node::Kind::boolean:
      return "a boolean";
    case Node::Kind::number:
      return "a number";
    case Node::Kind::string:
      return "a string";
    case Node::Kind::sequence:
      return "a sequence";
    case Node::Kind::mapping:
      return "a mapping";
  }
  return "a value";
}

YamlParse parse_yaml(std::string_view text, const std::string& file) {
  YamlParse result;
  if (auto problem = precheck(text, file)) {
    result.diagnostics.push_back(std::move(*problem));
    return result;
  }
  YAML::Node document;
  try {
    document = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    const SourceLocation where = e.mark.is_null() ? SourceLocation{file, 0, 0}
                                                  : SourceLocation{file, e.mark.line + 1, e.mark.column + 1};
    result.diagnostics.push_back({Severity::error, where, clean_parser_message(e.msg), ""});
    return result;
  } catch (const std::exception& e) {
    result.diagnostics.push_back({Severity::error, {file, 0, 0}, std::string("cannot read YAML: ") + e.what(), ""});
    return result;
  }
  Converter converter(file, result.diagnostics);
  Node root = converter.convert(document, {file, 1, 1}, 0);
  if (converter.ok()) {
    result.root = std::move(root);
  }
  return result;
}

}  // namespace pipeline::workflow

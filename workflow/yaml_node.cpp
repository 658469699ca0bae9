#include "workflow/yaml_node.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <unordered_set>
#include <utility>

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
                      "file is larger than " + std::string(k_max_yaml_size_text) + " (" +
                          std::to_string(text.size()) + " bytes)",
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

Node::Kind scalar_kind(const std::string& tag, const std::string& value) {
  if (tag == "?") {
    return plain_scalar_kind(value);
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

std::size_t count_nodes(const Node& node) {
  std::size_t count = 1;
  for (const auto& item : node.items) {
    count += count_nodes(item);
  }
  for (const auto& entry : node.entries) {
    count += count_nodes(entry.value);
  }
  return count;
}

// Builds Nodes straight from the parser's events. Going through YAML::Node first would build
// a second, pointer-heavy tree and double the cost of loading.
class Builder final : public YAML::EventHandler {
public:
  Builder(const std::string& file, std::vector<Diagnostic>& diagnostics)
      : m_file(file), m_diagnostics(diagnostics) {}

  /// Whether the document was refused (too deep, too many values, a recursive alias).
  [[nodiscard]] bool refused() const { return m_refused; }

  // The document, or nullopt once it was refused (too deep, too large, recursive alias).
  [[nodiscard]] std::optional<Node> take() {
    if (m_refused) {
      return std::nullopt;
    }
    return m_root ? std::move(m_root) : Node{Node::Kind::null, {}, {}, {}, {m_file, 1, 1}};
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node node;
    node.where = locate(mark);
    finish(std::move(node), anchor, false);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node node;
    node.kind = scalar_kind(tag, value);
    node.where = locate(mark);
    if (node.kind != Node::Kind::null) {
      node.scalar = value;
    }
    finish(std::move(node), anchor, tag == "?" && value == "<<");
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (m_refused) {
      return;
    }
    if (anchor >= m_anchors.size() || !m_anchors[anchor]) {
      refuse(locate(mark), "an alias refers to the collection that contains it");
      return;
    }
    m_saw_alias = true;
    const auto& [node, size] = *m_anchors[anchor];
    if (!count(size, locate(mark))) {
      return;
    }
    finish(Node(node), 0, false);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Node::Kind::sequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Node::Kind::mapping, mark, anchor);
  }
  void OnMapEnd() override { close(); }

private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = 0;
    std::optional<Node> key;  // a mapping's key waiting for its value
    bool key_is_merge = false;
    std::vector<Node> merges;  // values of `<<` keys, applied when the mapping closes
    std::unordered_set<std::string> index;  // the keys, once the mapping is too big to scan
  };

  // Small mappings are scanned; big ones get a hash index so a huge file cannot make
  // duplicate detection quadratic.
  static const NodeEntry* find_entry(Frame& map, const std::string& key) {
    auto& entries = map.node.entries;
    if (entries.size() < 16) {
      const auto it = std::find_if(entries.begin(), entries.end(), [&](const NodeEntry& e) { return e.key == key; });
      return it == entries.end() ? nullptr : &*it;
    }
    if (map.index.empty()) {
      for (const auto& entry : entries) {
        map.index.insert(entry.key);
      }
    }
    if (!map.index.contains(key)) {
      return nullptr;
    }
    return &*std::find_if(entries.begin(), entries.end(), [&](const NodeEntry& e) { return e.key == key; });
  }

  SourceLocation locate(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.line < 0) {
      return {m_file, 0, 0};
    }
    return {m_file, mark.line + 1, mark.column + 1};
  }

  void refuse(const SourceLocation& where, std::string message) {
    if (!m_refused) {
      m_refused = true;
      m_diagnostics.push_back({Severity::error, where, std::move(message), ""});
    }
  }

  bool count(std::size_t nodes, const SourceLocation& where) {
    m_count += nodes;
    if (m_count > k_max_nodes) {
      refuse(where, m_saw_alias ? "document expands to more than " + std::to_string(k_max_nodes) +
                                      " values (are aliases nested inside each other?)"
                                : "document has more than " + std::to_string(k_max_nodes) + " values");
      return false;
    }
    return true;
  }

  void open(Node::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (m_refused) {
      ++m_ignored_depth;
      return;
    }
    Frame frame;
    frame.node.kind = kind;
    frame.node.where = locate(mark);
    frame.anchor = anchor;
    if (m_stack.size() >= static_cast<std::size_t>(k_max_yaml_depth)) {
      refuse(frame.node.where, "values are nested more than " + std::to_string(k_max_yaml_depth) + " levels deep");
      ++m_ignored_depth;
      return;
    }
    if (!count(1, frame.node.where)) {
      ++m_ignored_depth;
      return;
    }
    m_stack.push_back(std::move(frame));
  }

  void close() {
    if (m_ignored_depth > 0) {
      --m_ignored_depth;
      return;
    }
    Frame frame = std::move(m_stack.back());
    m_stack.pop_back();
    if (frame.node.is_mapping()) {
      apply_merges(frame);
    }
    finish(std::move(frame.node), frame.anchor, false);
  }

  // Places a completed node: as the root, a sequence item, a mapping key or a mapping value.
  void finish(Node node, YAML::anchor_t anchor, bool plain_merge_key) {
    if (m_refused) {
      return;
    }
    if (anchor != 0) {
      remember(anchor, node);
    }
    if (m_stack.empty()) {
      m_root = std::move(node);
      return;
    }
    Frame& parent = m_stack.back();
    if (parent.node.is_sequence()) {
      parent.node.items.push_back(std::move(node));
    } else if (!parent.key) {
      parent.key_is_merge = plain_merge_key;
      parent.key = std::move(node);
    } else {
      add_entry(parent, std::move(node));
    }
  }

  void remember(YAML::anchor_t anchor, const Node& node) {
    if (m_anchors.size() <= anchor) {
      m_anchors.resize(anchor + 1);
    }
    m_anchors[anchor] = std::make_pair(node, count_nodes(node));
  }

  void add_entry(Frame& map, Node value) {
    Node key = std::move(*map.key);
    map.key.reset();
    // A block value starts on the line after its key (an empty one may be reported there
    // too); messages about it read better pointing at the key.
    if (value.where.line != key.where.line && (value.is_mapping() || value.is_sequence() || value.is_null())) {
      value.where = key.where;
    }
    if (map.key_is_merge) {
      collect_merge(std::move(value), map.merges);
      return;
    }
    if (!key.is_scalar()) {
      m_diagnostics.push_back({Severity::error, key.where, "a mapping key must be a string", ""});
      return;
    }
    if (const NodeEntry* first = find_entry(map, key.scalar)) {
      m_diagnostics.push_back({Severity::error, key.where, "key '" + key.scalar + "' is already defined",
                               "the first '" + key.scalar + "' is on line " + std::to_string(first->key_where.line)});
      return;
    }
    if (!map.index.empty()) {
      map.index.insert(key.scalar);
    }
    map.node.entries.push_back({std::move(key.scalar), key.where, std::move(value)});
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
  // listed wins, as the YAML merge-key type specifies. Merged entries come first.
  static void apply_merges(Frame& frame) {
    if (frame.merges.empty()) {
      return;
    }
    std::vector<NodeEntry> merged;
    std::unordered_set<std::string> taken;
    for (auto& source : frame.merges) {
      for (auto& entry : source.entries) {
        if (find_entry(frame, entry.key) == nullptr && taken.insert(entry.key).second) {
          merged.push_back(std::move(entry));
        }
      }
    }
    frame.node.entries.insert(frame.node.entries.begin(), std::make_move_iterator(merged.begin()),
                              std::make_move_iterator(merged.end()));
  }

  const std::string& m_file;
  std::vector<Diagnostic>& m_diagnostics;
  std::vector<Frame> m_stack;
  std::vector<std::optional<std::pair<Node, std::size_t>>> m_anchors;
  std::optional<Node> m_root;
  std::size_t m_count = 0;
  int m_ignored_depth = 0;
  bool m_refused = false;
  bool m_saw_alias = false;  // whether the values counted include copies made by aliases
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
  Builder builder(file, result.diagnostics);
  try {
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    parser.HandleNextDocument(builder);
  } catch (const YAML::Exception& e) {
    // Past a refusal the events are ignored, but yaml-cpp may still give up on the same input
    // (its own nesting limit says only "bad file"); the refusal already says what is wrong.
    if (builder.refused()) {
      return result;
    }
    const SourceLocation where = e.mark.is_null() ? SourceLocation{file, 0, 0}
                                                  : SourceLocation{file, e.mark.line + 1, e.mark.column + 1};
    result.diagnostics.push_back({Severity::error, where, clean_parser_message(e.msg), ""});
    return result;
  } catch (const std::exception& e) {
    result.diagnostics.push_back({Severity::error, {file, 0, 0}, std::string("cannot read YAML: ") + e.what(), ""});
    return result;
  }
  result.root = builder.take();
  return result;
}

}  // namespace pipeline::workflow

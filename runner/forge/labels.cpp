#include "runner/forge/labels.hpp"

#include <algorithm>

namespace pipeline::runner::forge {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

// As act_runner: split on the first two colons into name, schema and argument; the image of a
// docker label is its argument without the leading `//`.
Result<Label> parse_label(std::string_view text) {
  text = trim(text);
  Label label;
  const auto first = text.find(':');
  label.name = std::string(text.substr(0, first));
  if (label.name.empty()) {
    return Error{"label '" + std::string(text) + "' has no name"};
  }
  if (first == std::string_view::npos) {
    return label;
  }
  const std::string_view rest = text.substr(first + 1);
  const auto second = rest.find(':');
  const std::string_view schema = rest.substr(0, second);
  const std::string_view arg = second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);
  if (schema == "host") {
    return label;
  }
  if (schema != "docker") {
    return Error{"unsupported schema '" + std::string(schema) + "' in label '" + std::string(text) +
                 "' (use NAME:host or NAME:docker://IMAGE)"};
  }
  label.schema = LabelSchema::docker;
  label.image = std::string(arg.substr(0, 2) == "//" ? arg.substr(2) : arg);
  if (label.image.empty()) {
    return Error{"label '" + std::string(text) + "' names no image (NAME:docker://IMAGE)"};
  }
  return label;
}

Result<std::vector<Label>> parse_label_list(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto part = trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (!part.empty()) {
      parts.emplace_back(part);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return parse_labels(parts);
}

Result<std::vector<Label>> parse_labels(const std::vector<std::string>& texts) {
  std::vector<Label> out;
  for (const auto& text : texts) {
    auto label = parse_label(text);
    if (!label) {
      return label.error();
    }
    out.push_back(std::move(*label));
  }
  return out;
}

std::vector<std::string> label_names(const std::vector<Label>& labels) {
  std::vector<std::string> names;
  for (const auto& label : labels) {
    if (std::find(names.begin(), names.end(), label.name) == names.end()) {
      names.push_back(label.name);
    }
  }
  return names;
}

std::vector<std::pair<std::string, std::string>> label_platforms(const std::vector<Label>& labels) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& label : labels) {
    out.emplace_back(label.name, label.schema == LabelSchema::docker ? label.image : std::string("host"));
  }
  return out;
}

std::string to_string(const Label& label) {
  return label.schema == LabelSchema::docker ? label.name + ":docker://" + label.image : label.name + ":host";
}

}  // namespace pipeline::runner::forge

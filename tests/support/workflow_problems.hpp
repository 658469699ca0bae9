#pragma once
// What loading plus validation reports for a workflow text, as plain strings tests can compare.
#include <string>
#include <vector>

#include "workflow/loader.hpp"
#include "workflow/validate.hpp"

namespace pipeline::test {

/// Every message (with its hint after " | ") that loading plus validation reports for `text`.
inline std::vector<std::string> workflow_problems(const std::string& text) {
  workflow::LoadResult loaded = workflow::load_workflow_text(text, "wf.yml");
  std::vector<workflow::Diagnostic> all = loaded.diagnostics;
  if (loaded.workflow) {
    auto semantic = workflow::validate(*loaded.workflow);
    all.insert(all.end(), semantic.begin(), semantic.end());
  }
  std::vector<std::string> out;
  for (const auto& d : all) {
    out.push_back(d.message + (d.hint.empty() ? "" : " | " + d.hint));
  }
  return out;
}

}  // namespace pipeline::test

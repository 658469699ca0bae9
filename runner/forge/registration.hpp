#pragma once
// The registration file (`.runner`): the identity the server gave this runner, as act_runner
// writes it (JSON, readable by its owner only).
#include <cstdint>
#include <string>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::forge {

/// The default registration file name, in the working directory.
inline constexpr const char* k_registration_file = ".runner";

/// What `.runner` holds.
struct Registration {
  std::int64_t id = 0;
  std::string uuid;
  std::string name;
  std::string token;
  std::string address;              // the instance URL
  std::vector<std::string> labels;  // as given: NAME[:host|:docker://IMAGE]
};

/// Writes `path` with mode 0600 (created that way, never readable by others in between).
[[nodiscard]] Result<void> save_registration(const std::string& path, const Registration& registration);

/// Reads `path`; "<path>: not registered (run `pipe runner register`)" when it is missing.
[[nodiscard]] Result<Registration> load_registration(const std::string& path);

}  // namespace pipeline::runner::forge

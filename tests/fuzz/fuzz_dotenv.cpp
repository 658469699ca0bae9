// libFuzzer target: the dotenv parser must never crash, hang or read out of bounds, whatever
// the bytes; a successful parse must give names that are non-empty.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runner/secrets/dotenv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const pipeline::runner::secrets::Lookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name.size() % 2 == 0) {
      return std::string(name) + "-value";
    }
    return std::nullopt;
  };
  const auto result = pipeline::runner::secrets::parse_dotenv(text, "fuzz.env", env);
  if (result.ok()) {
    for (const auto& entry : *result) {
      if (entry.name.empty() || entry.line < 1) {
        std::abort();
      }
    }
  }
  return 0;
}

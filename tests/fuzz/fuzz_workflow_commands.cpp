// libFuzzer target: every output line goes through the command parser and processor; also
// checks that masking a line never leaves a registered value in it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runner/output/command_processor.hpp"
#include "runner/output/file_commands.hpp"
#include "runner/output/masker.hpp"

using namespace pipeline::runner::output;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CommandProcessor processor(CommandSettings{.echo = size % 2 == 0, .allow_unsecure_commands = size % 3 == 0});
  Masker masker;
  std::size_t at = 0;
  while (at <= text.size()) {
    const auto end = std::min(text.size(), text.find('\n', at));
    const auto line = text.substr(at, end - at);
    for (const auto& ev : processor.process(line)) {
      if (const auto* mask = std::get_if<event::AddMask>(&ev)) {
        masker.add_mask(mask->value);
      }
    }
    const auto masked = masker.mask(line);
    if (masker.pattern_count() > 0 && masked.size() > line.size() * 3 + 3) {
      std::abort();
    }
    at = end + 1;
  }
  (void)parse_key_value_file(text);
  (void)parse_path_file(text);
  MaskingStream stream(masker);
  std::string streamed;
  for (std::size_t i = 0; i < text.size(); i += 7) {
    streamed += stream.write(text.substr(i, 7));
  }
  streamed += stream.flush();
  if (streamed != masker.mask(text)) {
    std::abort();
  }
  return 0;
}

#pragma once
// The one parser for `.env`, `.secrets` and `.vars` files, in Docker Compose's dialect.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/base/result.hpp"

namespace pipeline::runner::secrets {

/// One `NAME=value` of a dotenv file, value fully decoded and expanded.
struct DotenvEntry {
  std::string name;
  std::string value;
  int line = 0;  // 1-based line where the entry starts
  friend bool operator==(const DotenvEntry&, const DotenvEntry&) = default;
};

/// Looks a variable up outside the file (normally the process environment); nullopt when unset.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// A Lookup over the process environment.
[[nodiscard]] Lookup environment_lookup();

/// Parses dotenv text: `KEY=value`, `export KEY=value`, `#` comments (inline only after
/// whitespace in unquoted values), '…' literal, "…" with escapes (\n \t \r \" \\ \$), quoted
/// values over several lines, `${VAR}` `$VAR` `${VAR:-d}` `${VAR-d}` `${VAR:+a}` `${VAR+a}`
/// `${VAR:?e}` `${VAR?e}` from earlier keys then `env`; a bare `KEY` takes its value from `env`
/// (skipped when unset). Nothing is ever executed: `$(...)` stays as written. CRLF line ends and
/// a UTF-8 BOM are accepted. Every problem is reported, one `file:line: message` per line.
/// A name given twice appears twice, in file order; the last one wins when applied.
[[nodiscard]] pipeline::Result<std::vector<DotenvEntry>> parse_dotenv(std::string_view text, std::string file_name,
                                                                      const Lookup& env);

/// Reads and parses a dotenv file; errors name the file.
[[nodiscard]] pipeline::Result<std::vector<DotenvEntry>> load_dotenv_file(const std::string& path, const Lookup& env);

}  // namespace pipeline::runner::secrets

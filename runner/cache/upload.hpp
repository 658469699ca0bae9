#pragma once
// Writing an upload into its staging folder: byte ranges at an offset (the v1 API's chunks) and
// Azure block blobs (one Put Blob, or Put Block for each block and a Put Block List).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/cache/store.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::cache {

/// Writes `data` into the upload's archive at `offset`; chunks may arrive in any order.
[[nodiscard]] Result<void> write_range(const Reservation& upload, std::uint64_t offset, std::string_view data);

/// Replaces the upload's archive with `data` (Azure Put Blob).
[[nodiscard]] Result<void> put_blob(const Reservation& upload, std::string_view data);

/// Stores one uncommitted block under its id (Azure Put Block; the id is base64 text).
[[nodiscard]] Result<void> put_block(const Reservation& upload, std::string_view block_id, std::string_view data);

/// Makes the archive the named blocks in order (Azure Put Block List); an unknown id is an error.
[[nodiscard]] Result<void> put_block_list(const Reservation& upload, const std::vector<std::string>& block_ids);

/// The block ids of a Put Block List body: the text of each `<Latest>`, `<Uncommitted>` or
/// `<Committed>` element, in order.
[[nodiscard]] std::vector<std::string> parse_block_list(std::string_view xml);

/// The first byte of a `Content-Range: bytes START-END/TOTAL` header; nullopt when malformed.
[[nodiscard]] std::optional<std::uint64_t> content_range_start(std::string_view header);

}  // namespace pipeline::runner::cache

#pragma once
// Writing an upload into its staging folder as its request body arrives: byte ranges at an offset
// (the v1 API's chunks) and Azure block blobs (one Put Blob, or Put Block for each block and a Put
// Block List). Bodies are streamed to disk, never held whole in memory.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/cache/store.hpp"
#include "runner/system/block_order.hpp"
#include "workflow/base/result.hpp"

namespace pipeline::runner::cache {

/// Takes one piece of a request body; false stops the body.
using BodySink = std::function<bool(std::string_view)>;

/// Hands a request body to a sink piece by piece; false when it could not be read whole or the sink stopped it.
using BodySource = std::function<bool(const BodySink&)>;

/// A source over bytes already in memory.
[[nodiscard]] BodySource body_of(std::string_view bytes);

/// Writes the body into the upload's archive at `offset`; chunks may arrive in any order.
[[nodiscard]] Result<void> write_range(const Reservation& upload, std::uint64_t offset, const BodySource& body);
/// Writes `data` into the upload's archive at `offset`.
[[nodiscard]] Result<void> write_range(const Reservation& upload, std::uint64_t offset, std::string_view data);

/// Replaces the upload's archive with the body (Azure Put Blob).
[[nodiscard]] Result<void> put_blob(const Reservation& upload, const BodySource& body);
/// Replaces the upload's archive with `data`.
[[nodiscard]] Result<void> put_blob(const Reservation& upload, std::string_view data);

/// The blocks of one block-blob upload: each block gets its place in one data file when its
/// request starts, so blocks sent in list order (as Azure's client sends them) already form the
/// archive and Put Block List only renames it. Thread-safe.
class BlockLayout {
public:
  /// Stores one uncommitted block under its id (Azure Put Block; the id is base64 text); `length`
  /// is the declared body size, -1 when unknown; a body of another size is refused.
  [[nodiscard]] Result<void> put_block(const Reservation& upload, std::string_view block_id, std::int64_t length,
                                       const BodySource& body);
  /// Stores one block given in memory.
  [[nodiscard]] Result<void> put_block(const Reservation& upload, std::string_view block_id, std::string_view data);
  /// Makes the archive the named blocks in order (Azure Put Block List); an unknown id is an error.
  [[nodiscard]] Result<void> commit(const Reservation& upload, const std::vector<std::string>& block_ids);

private:
  /// Where a stored block's bytes lie in the data file.
  using Extent = system::BlockExtent;

  std::mutex m_mutex;
  std::int64_t m_reserved = 0;
  std::map<std::string, Extent, std::less<>> m_blocks;
};

/// An upload as the service keeps it between requests: the store's reservation and its blocks.
struct PendingUpload {
  Reservation reservation;
  BlockLayout blocks;
};

/// The block ids of a Put Block List body: the text of each `<Latest>`, `<Uncommitted>` or
/// `<Committed>` element, in order.
[[nodiscard]] std::vector<std::string> parse_block_list(std::string_view xml);

/// The first byte of a `Content-Range: bytes START-END/TOTAL` header; nullopt when malformed.
[[nodiscard]] std::optional<std::uint64_t> content_range_start(std::string_view header);

}  // namespace pipeline::runner::cache

#pragma once
// The artifacts of one run on disk: `<root>/<name>/artifact.json` (what the listing shows) and
// `<root>/<name>/content` (the bytes, a zip or one raw file). Every file is written to a temporary
// name and renamed, so a reader never sees half of one. Thread-safe.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runner/system/block_order.hpp"
#include "runner/services/prefix_digest.hpp"

namespace pipeline::runner::services {

/// One artifact as the results API lists it.
struct ArtifactInfo {
  std::int64_t id = 0;
  std::string name;
  std::string job;        // the job that created it
  std::string mime_type;  // application/zip, or a raw file's type
  std::int64_t size = 0;
  std::string digest;     // "sha256:<hex>" of the content
  std::int64_t created_at = 0;  // Unix seconds
  std::int64_t expires_at = 0;  // Unix seconds; 0: kept with the run record
  bool finalized = false;
};

/// Why the store refused an operation, in the words of Twirp's codes.
enum class Refusal { invalid_argument, not_found, already_exists, failed_precondition, internal };

/// A refusal with a message a user can act on.
struct Refused {
  Refusal code = Refusal::internal;
  std::string message;
};

/// Either a value or why the store refused.
template <class T>
using Stored = std::variant<T, Refused>;

/// A consumer of body bytes; returns false to stop.
using ByteSink = std::function<bool(std::string_view)>;

/// Hands a body to a sink piece by piece; false when it could not be read whole or the sink refused a piece.
using ByteSource = std::function<bool(const ByteSink&)>;

/// Whether creating an artifact may replace a finalized one of the same name.
enum class Overwrite { refuse, replace };

/// The artifacts of one run.
class ArtifactStore {
public:
  /// A store in `root` (created on the first write); ids continue after those already there.
  explicit ArtifactStore(std::string root);

  /// Starts an artifact: validates the name and refuses an existing finalized one unless `overwrite`.
  [[nodiscard]] Stored<ArtifactInfo> create(const std::string& name, const std::string& job, const std::string& mime_type,
                                            std::int64_t expires_at, Overwrite overwrite = Overwrite::refuse);
  /// Keeps one block of an unfinalized artifact (Azure's Put Block).
  [[nodiscard]] Stored<std::monostate> put_block(std::int64_t id, std::string_view block_id, std::string_view bytes);
  /// Keeps one block read from `source`, which declares `length` bytes (-1: unknown), without holding it in memory.
  [[nodiscard]] Stored<std::monostate> put_block(std::int64_t id, std::string_view block_id, std::int64_t length,
                                                 const ByteSource& source);
  /// Joins the named blocks, in order, into the content (Azure's Put Block List).
  [[nodiscard]] Stored<std::monostate> commit_blocks(std::int64_t id, const std::vector<std::string>& block_ids);
  /// Writes the whole content at once (Azure's Put Blob).
  [[nodiscard]] Stored<std::monostate> put_content(std::int64_t id, std::string_view bytes);
  /// Writes the whole content as `source` delivers it.
  [[nodiscard]] Stored<std::monostate> put_content(std::int64_t id, const ByteSource& source);
  /// Ends an upload: the declared size (and digest, when given) must match the bytes received.
  [[nodiscard]] Stored<ArtifactInfo> finalize(const std::string& name, std::int64_t size, const std::string& digest);
  /// Finalized artifacts that have not expired, by id; expired ones are removed.
  [[nodiscard]] std::vector<ArtifactInfo> list();
  /// A finalized, unexpired artifact by name.
  [[nodiscard]] std::optional<ArtifactInfo> find(const std::string& name);
  /// A finalized, unexpired artifact by id.
  [[nodiscard]] std::optional<ArtifactInfo> find(std::int64_t id);
  /// Removes an artifact (finalized or not); not_found when there is none.
  [[nodiscard]] Stored<ArtifactInfo> remove(const std::string& name);
  /// The path of an artifact's content.
  [[nodiscard]] std::string content_path(const ArtifactInfo& info) const;
  /// The directory the store keeps its artifacts in.
  [[nodiscard]] const std::string& root() const { return m_root; }

private:
  [[nodiscard]] std::vector<ArtifactInfo> read_all() const;
  [[nodiscard]] std::optional<ArtifactInfo> read(const std::string& name) const;
  [[nodiscard]] std::optional<ArtifactInfo> unfinalized(std::int64_t id) const;
  [[nodiscard]] bool write(const ArtifactInfo& info) const;
  [[nodiscard]] std::string dir_of(const std::string& name) const;

  /// Where a kept block's bytes lie in its upload's data file.
  using Extent = system::BlockExtent;
  /// The blocks of one upload in progress: each gets its place in one data file when its request
  /// starts; the data file's digest follows the blocks as they land.
  struct Upload {
    std::int64_t reserved = 0;
    std::map<std::string, Extent, std::less<>> blocks;
    std::shared_ptr<PrefixDigest> digest = std::make_shared<PrefixDigest>();
  };

  std::string m_root;
  std::mutex m_mutex;
  std::int64_t m_next_id = 1;
  std::map<std::int64_t, Upload> m_uploads;
};

/// The artifacts recorded in `root` (finalized ones, expired or not), for `pipe artifacts`.
[[nodiscard]] std::vector<ArtifactInfo> read_artifacts(const std::string& root);

/// Writes the record (artifact.json) of `info` in `root` atomically; false on an I/O error.
[[nodiscard]] bool write_artifact(const std::string& root, const ArtifactInfo& info);

/// Removes the artifacts in `root` whose retention ended before `now` (Unix seconds); those removed.
[[nodiscard]] std::vector<ArtifactInfo> remove_expired(const std::string& root, std::int64_t now);

}  // namespace pipeline::runner::services

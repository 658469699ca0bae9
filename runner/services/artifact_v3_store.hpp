#pragma once
// The artifacts of the legacy v3 API (@actions/artifact 1.x: upload-artifact and
// download-artifact v1 to v3): a folder of files each, uploaded file by file in ranges.
//
// On disk beside the v4 ones, in the same `<root>/<name>/` folders: `artifact.json` (the same
// record, its mime type `k_folder_mime` marking the artifact as a folder) and `files/<path>`, each
// file decoded (the client gzips some files; they are kept as the bytes it read). A file being
// uploaded lives in `.partial/` until its last range arrives, then is renamed into `files/`: a
// reader sees the old file, the whole new one, or none. Ids come from the v4 store, so the two
// never hand out the same one. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runner/services/artifact_store.hpp"

namespace pipeline::runner::services {

/// The mime type a folder artifact's record carries.
inline constexpr const char* k_folder_mime = "application/vnd.pipe.artifact-folder";

/// One range of a file's upload, as the request's headers declare it.
struct V3Chunk {
  std::int64_t start = 0;  // first byte
  std::int64_t end = 0;    // one past the last byte
  std::int64_t total = 0;  // bytes of the whole upload (of the gzip stream when gzip)
  bool gzip = false;       // `Content-Encoding: gzip`: the upload is a gzip stream of the file
  std::int64_t file_length = -1;  // `x-tfs-filelength`: the decoded file's size, -1 when not sent
};

/// A file of a folder artifact, as the container listing gives it.
struct V3Item {
  std::string path;  // `<artifact name>/<relative path>`
  std::int64_t length = 0;
};

/// `bytes START-END/TOTAL` (END inclusive; `bytes 0--1/0` for an empty file) as a chunk; an
/// error message when the header is malformed or the range lies beyond TOTAL.
[[nodiscard]] std::variant<V3Chunk, std::string> parse_content_range(std::string_view header);

/// Why `item_path` (`<name>/<relative path>`) cannot name a file of the artifact `name`, or nullopt.
[[nodiscard]] std::optional<std::string> item_path_problem(std::string_view item_path);

/// The folder artifacts of one run, kept in `store`'s folder.
class ArtifactV3Store {
public:
  explicit ArtifactV3Store(ArtifactStore& store);

  /// The folder artifact `name`: the existing one (jobs add files to it, as on GitHub), or a new one.
  [[nodiscard]] Stored<ArtifactInfo> create(const std::string& name, const std::string& job, std::int64_t expires_at);
  /// Writes one range of the file `item_path` that the job `job` uploads from `body`. Each job's
  /// upload of a path is assembled on its own: when two jobs send the same path, the one that
  /// ends last replaces the other's file whole.
  [[nodiscard]] Stored<std::monostate> put_chunk(const std::string& job, const std::string& item_path,
                                                 const V3Chunk& chunk, const ByteSource& body);
  /// Marks `name` finalized (listed) and records its size: the bytes of its files.
  [[nodiscard]] Stored<ArtifactInfo> finalize(const std::string& name);
  /// The finalized, unexpired folder artifacts, by id.
  [[nodiscard]] std::vector<ArtifactInfo> list();
  /// The files of the finalized artifact `name`, by path; not_found when there is none.
  [[nodiscard]] Stored<std::vector<V3Item>> items(const std::string& name);
  /// Where the file `item_path` of a finalized artifact lies; not_found when it does not.
  [[nodiscard]] Stored<std::string> file(const std::string& item_path);

private:
  struct Partial {
    V3Chunk first;  // the total and encoding every range must repeat
    std::int64_t received = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
    std::string temp;
  };
  [[nodiscard]] std::optional<ArtifactInfo> folder(const std::string& name) const;
  [[nodiscard]] Stored<std::monostate> complete(const std::string& item_path, const Partial& partial);

  ArtifactStore& m_store;
  std::mutex m_mutex;
  std::map<std::pair<std::string, std::string>, Partial> m_partials;  // by job and item path
  std::uint64_t m_next_partial = 0;
};

}  // namespace pipeline::runner::services

#include "runner/services/artifact_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "runner/services/artifact_names.hpp"
#include "runner/services/token.hpp"
#include "runner/system/block_order.hpp"
#include "runner/system/file_io.hpp"
#include "workflow/base/json_text.hpp"

namespace pipeline::runner::services {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_meta = "artifact.json";
constexpr const char* k_content = "content";
constexpr const char* k_blocks = ".blocks";
constexpr const char* k_data = "data";
constexpr std::size_t k_copy_buffer = 4U << 20U;

Refused refused(Refusal code, std::string message) { return Refused{code, std::move(message)}; }

std::string temp_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Temp file, then rename: a reader sees the old file or the whole new one.
bool write_atomic(const std::string& path, std::string_view bytes) {
  const std::string temp = temp_name(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return false;
  }
  const bool ok = write_all(fd, bytes);
  ::close(fd);
  std::error_code ec;
  if (ok) {
    fs::rename(temp, path, ec);
  }
  if (!ok || ec) {
    fs::remove(temp, ec);
    return false;
  }
  return true;
}

std::string hex_of(std::string_view bytes) {
  constexpr std::string_view k_hex = "0123456789abcdef";
  std::string text;
  for (unsigned char c : bytes) {
    text += k_hex[c >> 4U];
    text += k_hex[c & 0xFU];
  }
  return text;
}

// Calls `each` with consecutive pieces of `length` bytes of `fd` from `offset`; false on a short file.
bool read_range(int fd, std::int64_t offset, std::int64_t length, const ByteSink& each) {
  // One buffer per thread: a fresh zeroed buffer per call costs as much as the copy.
  thread_local std::vector<char> buffer(k_copy_buffer);
  return system::pread_range(fd, offset, length, buffer, each);
}

ByteSource source_of(std::string_view bytes) {
  return [bytes](const ByteSink& sink) { return bytes.empty() || sink(bytes); };
}

/// Streams files into one, hashing what it writes.
class DigestWriter {
public:
  explicit DigestWriter(const std::string& path)
      : m_fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)), m_ctx(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(m_ctx, EVP_sha256(), nullptr);
  }
  ~DigestWriter() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    EVP_MD_CTX_free(m_ctx);
  }
  DigestWriter(const DigestWriter&) = delete;
  DigestWriter& operator=(const DigestWriter&) = delete;

  bool append(std::string_view bytes) {
    EVP_DigestUpdate(m_ctx, bytes.data(), bytes.size());
    m_size += static_cast<std::int64_t>(bytes.size());
    return m_fd >= 0 && write_all(m_fd, bytes);
  }
  bool append_range(int in, std::int64_t offset, std::int64_t length) {
    return read_range(in, offset, length, [this](std::string_view bytes) { return append(bytes); });
  }
  bool close() {
    const bool ok = m_fd >= 0 && ::close(m_fd) == 0;
    m_fd = -1;
    return ok;
  }
  [[nodiscard]] std::int64_t size() const { return m_size; }
  std::string digest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> raw{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_ctx, raw.data(), &length);
    return "sha256:" + hex_of(std::string_view(reinterpret_cast<const char*>(raw.data()), length));
  }

private:
  int m_fd;
  EVP_MD_CTX* m_ctx;
  std::int64_t m_size = 0;
};

// Swaps the blocks of the file `data` into list order and digests the result; nullopt on an I/O error.
std::optional<std::string> reorder(const std::string& data, const std::vector<system::BlockExtent>& extents,
                                   std::int64_t size) {
  const int fd = ::open(data.c_str(), O_RDWR | O_CLOEXEC);
  const bool moved = fd >= 0 && system::reorder_in_place(fd, extents);
  if (fd >= 0) {
    ::close(fd);
  }
  return moved ? PrefixDigest().finish(data, size) : std::nullopt;
}

nlohmann::json to_json(const ArtifactInfo& info) {
  return {{"id", info.id},           {"name", info.name},           {"job", info.job},
          {"mime_type", info.mime_type}, {"size", info.size},       {"digest", info.digest},
          {"created_at", info.created_at}, {"expires_at", info.expires_at}, {"finalized", info.finalized}};
}

std::optional<ArtifactInfo> from_json(const nlohmann::json& json) {
  try {
    ArtifactInfo info;
    info.id = json.at("id").get<std::int64_t>();
    info.name = json.at("name").get<std::string>();
    info.job = json.at("job").get<std::string>();
    info.mime_type = json.at("mime_type").get<std::string>();
    info.size = json.at("size").get<std::int64_t>();
    info.digest = json.at("digest").get<std::string>();
    info.created_at = json.at("created_at").get<std::int64_t>();
    info.expires_at = json.at("expires_at").get<std::int64_t>();
    info.finalized = json.at("finalized").get<bool>();
    return info;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::optional<ArtifactInfo> read_meta(const fs::path& dir) {
  std::ifstream in(dir / k_meta);
  if (!in) {
    return std::nullopt;
  }
  return from_json(nlohmann::json::parse(in, nullptr, false));
}

bool expired(const ArtifactInfo& info, std::int64_t now) { return info.expires_at != 0 && info.expires_at <= now; }

}  // namespace

std::vector<ArtifactInfo> read_artifacts(const std::string& root) {
  std::vector<ArtifactInfo> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) {
      if (auto info = read_meta(entry.path())) {
        found.push_back(std::move(*info));
      }
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return found;
}

bool write_artifact(const std::string& root, const ArtifactInfo& info) {
  return write_atomic(root + "/" + info.name + "/" + k_meta, json_text(to_json(info), 2));
}

std::vector<ArtifactInfo> remove_expired(const std::string& root, std::int64_t now) {
  std::vector<ArtifactInfo> removed;
  for (auto& info : read_artifacts(root)) {
    std::error_code ec;
    if (expired(info, now) && !artifact_name_problem(info.name) && fs::remove_all(fs::path(root) / info.name, ec) > 0) {
      removed.push_back(std::move(info));
    }
  }
  return removed;
}

ArtifactStore::ArtifactStore(std::string root) : m_root(std::move(root)) {
  for (const auto& info : read_artifacts(m_root)) {
    m_next_id = std::max(m_next_id, info.id + 1);
  }
}

std::string ArtifactStore::dir_of(const std::string& name) const { return m_root + "/" + name; }

std::string ArtifactStore::content_path(const ArtifactInfo& info) const { return dir_of(info.name) + "/" + k_content; }

std::vector<ArtifactInfo> ArtifactStore::read_all() const { return read_artifacts(m_root); }

std::optional<ArtifactInfo> ArtifactStore::read(const std::string& name) const {
  if (artifact_name_problem(name)) {
    return std::nullopt;
  }
  return read_meta(dir_of(name));
}

bool ArtifactStore::write(const ArtifactInfo& info) const { return write_atomic(dir_of(info.name) + "/" + k_meta, json_text(to_json(info), 2)); }

std::optional<ArtifactInfo> ArtifactStore::unfinalized(std::int64_t id) const {
  for (auto& info : read_all()) {
    if (info.id == id && !info.finalized) {
      return info;
    }
  }
  return std::nullopt;
}

Stored<ArtifactInfo> ArtifactStore::create(const std::string& name, const std::string& job, const std::string& mime_type,
                                           std::int64_t expires_at, Overwrite overwrite) {
  if (auto problem = artifact_name_problem(name)) {
    return refused(Refusal::invalid_argument, *problem);
  }
  std::lock_guard lock(m_mutex);
  const auto now = unix_now();
  const auto existing = read(name);
  if (existing && existing->finalized && !expired(*existing, now) && overwrite == Overwrite::refuse) {
    return refused(Refusal::already_exists,
                   "an artifact named '" + name + "' already exists in this run; upload with overwrite: true to replace it");
  }
  if (existing) {
    m_uploads.erase(existing->id);
  }
  std::error_code ec;
  fs::remove_all(dir_of(name), ec);
  fs::create_directories(dir_of(name) + "/" + k_blocks, ec);
  ArtifactInfo info;
  info.id = m_next_id++;
  info.name = name;
  info.job = job;
  info.mime_type = mime_type.empty() ? "application/zip" : mime_type;
  info.created_at = now;
  info.expires_at = expires_at;
  if (ec || !write(info)) {
    return refused(Refusal::internal, "cannot write the artifact '" + name + "' under " + m_root);
  }
  return info;
}

Stored<std::monostate> ArtifactStore::put_block(std::int64_t id, std::string_view block_id, std::string_view bytes) {
  return put_block(id, block_id, static_cast<std::int64_t>(bytes.size()), source_of(bytes));
}

Stored<std::monostate> ArtifactStore::put_block(std::int64_t id, std::string_view block_id, std::int64_t length,
                                                const ByteSource& source) {
  if (length < 0) {
    // A body of unknown length (chunked) needs its size before it gets a place in the data file.
    std::string bytes;
    if (!source([&bytes](std::string_view piece) {
          bytes.append(piece);
          return true;
        })) {
      return refused(Refusal::invalid_argument, "the block's body ended early");
    }
    return put_block(id, block_id, bytes);
  }
  if (block_id.empty() || block_id.size() > 64) {
    return refused(Refusal::invalid_argument, "a block id must have 1 to 64 characters");
  }
  std::optional<ArtifactInfo> info;
  Extent extent;
  std::shared_ptr<PrefixDigest> digest;
  {
    std::lock_guard lock(m_mutex);
    info = unfinalized(id);
    if (info) {
      // Blocks reserve their place in the order their requests start: a client sending them in
      // list order gets the content in place, with nothing to copy at commit.
      auto& upload = m_uploads[id];
      extent = Extent{upload.reserved, length};
      upload.reserved += length;
      digest = upload.digest;
    }
  }
  if (!info) {
    return refused(Refusal::not_found, "no artifact upload in progress with id " + std::to_string(id));
  }
  const std::string data = dir_of(info->name) + "/" + k_blocks + "/" + k_data;
  const int fd = ::open(data.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  const auto written = fd >= 0 ? system::pwrite_pieces(fd, extent.offset, length, source) : system::PiecesWritten{};
  const bool ok = written.whole && written.bytes == length;
  if (fd >= 0) {
    ::close(fd);
  }
  if (!ok) {
    return refused(fd < 0 ? Refusal::internal : Refusal::invalid_argument,
                   "cannot keep a block of the artifact '" + info->name + "': its body was not received whole");
  }
  // Hashed now, while later blocks still arrive, rather than all at once when the list commits.
  digest->written(data, extent.offset, extent.length);
  std::lock_guard lock(m_mutex);
  m_uploads[id].blocks.insert_or_assign(std::string(block_id), extent);
  return std::monostate{};
}

Stored<std::monostate> ArtifactStore::commit_blocks(std::int64_t id, const std::vector<std::string>& block_ids) {
  std::optional<ArtifactInfo> info;
  Upload upload;
  {
    std::lock_guard lock(m_mutex);
    info = unfinalized(id);
    if (auto it = m_uploads.find(id); it != m_uploads.end()) {
      upload = it->second;
    }
  }
  if (!info) {
    return refused(Refusal::not_found, "no artifact upload in progress with id " + std::to_string(id));
  }
  std::vector<Extent> extents;
  bool in_order = !block_ids.empty();
  std::int64_t end = 0;
  for (const auto& block_id : block_ids) {
    const auto it = upload.blocks.find(block_id);
    if (it == upload.blocks.end()) {
      return refused(Refusal::invalid_argument, "the block list of '" + info->name + "' names a block never uploaded");
    }
    in_order = in_order && it->second.offset == end;
    end += it->second.length;
    extents.push_back(it->second);
  }
  in_order = in_order && end == upload.reserved;
  // Blocks whose requests started out of order only swap places: the data file stays the content.
  const bool reordered = !in_order && !block_ids.empty() && end == upload.reserved &&
                         system::reorderable(extents, end);
  const bool in_place = in_order || reordered;
  const std::string blocks = dir_of(info->name) + "/" + k_blocks + "/";
  const std::string data = blocks + k_data;
  const std::string target = content_path(*info);
  const std::string temp = temp_name(target);
  const int in = ::open(data.c_str(), O_RDONLY | O_CLOEXEC);
  bool ok = in >= 0 || block_ids.empty();
  // In order, the data file is the content and the blocks' digest already covers (most of) it.
  std::optional<std::string> in_place_digest;
  if (in_order) {
    in_place_digest = upload.digest->finish(data, end);
  } else if (reordered) {
    in_place_digest = reorder(data, extents, end);
  }
  std::optional<DigestWriter> writer;
  if (!in_place) {
    writer.emplace(temp);
  }
  for (const auto& extent : extents) {
    ok = ok && (in_place || writer->append_range(in, extent.offset, extent.length));
  }
  if (in >= 0) {
    ::close(in);
  }
  std::error_code ec;
  if (in_place) {
    ok = ok && in_place_digest && (fs::rename(data, target, ec), !ec);
  } else if (ok && (!writer->close() || (fs::rename(temp, target, ec), ec))) {
    ok = false;
  }
  if (!ok || ec) {
    fs::remove(temp, ec);
    if (reordered) {
      // Half-swapped blocks are no longer where the upload's record says.
      std::lock_guard lock(m_mutex);
      m_uploads.erase(id);
    }
    return refused(Refusal::internal, "cannot write the artifact '" + info->name + "'");
  }
  fs::remove_all(blocks, ec);
  std::lock_guard lock(m_mutex);
  m_uploads.erase(id);
  info->size = in_place ? end : writer->size();
  info->digest = in_place ? *in_place_digest : writer->digest();
  (void)write(*info);
  return std::monostate{};
}

Stored<std::monostate> ArtifactStore::put_content(std::int64_t id, std::string_view bytes) {
  return put_content(id, source_of(bytes));
}

Stored<std::monostate> ArtifactStore::put_content(std::int64_t id, const ByteSource& source) {
  auto info = [&] {
    std::lock_guard lock(m_mutex);
    return unfinalized(id);
  }();
  if (!info) {
    return refused(Refusal::not_found, "no artifact upload in progress with id " + std::to_string(id));
  }
  const std::string target = content_path(*info);
  const std::string temp = temp_name(target);
  DigestWriter writer(temp);
  std::error_code ec;
  if (!source([&writer](std::string_view bytes) { return writer.append(bytes); }) || !writer.close() ||
      (fs::rename(temp, target, ec), ec)) {
    fs::remove(temp, ec);
    return refused(Refusal::internal, "cannot write the artifact '" + info->name + "'");
  }
  std::lock_guard lock(m_mutex);
  info->size = writer.size();
  info->digest = writer.digest();
  (void)write(*info);
  return std::monostate{};
}

Stored<ArtifactInfo> ArtifactStore::finalize(const std::string& name, std::int64_t size, const std::string& digest) {
  std::lock_guard lock(m_mutex);
  auto info = read(name);
  if (!info || info->finalized) {
    return refused(Refusal::not_found, "no upload of an artifact named '" + name + "' is in progress");
  }
  std::error_code ec;
  if (!fs::exists(content_path(*info), ec)) {
    return refused(Refusal::failed_precondition, "the artifact '" + name + "' was finalized before its content was uploaded");
  }
  if (info->size != size) {
    return refused(Refusal::failed_precondition, "the artifact '" + name + "' declares " + std::to_string(size) +
                                                     " bytes but " + std::to_string(info->size) + " were uploaded");
  }
  if (!digest.empty() && digest != info->digest) {
    return refused(Refusal::failed_precondition,
                   "the artifact '" + name + "' declares digest " + digest + " but its content has " + info->digest);
  }
  info->finalized = true;
  if (!write(*info)) {
    return refused(Refusal::internal, "cannot write the artifact '" + name + "'");
  }
  return *info;
}

std::vector<ArtifactInfo> ArtifactStore::list() {
  std::lock_guard lock(m_mutex);
  const auto now = unix_now();
  std::vector<ArtifactInfo> live;
  for (auto& info : read_all()) {
    if (expired(info, now)) {
      std::error_code ec;
      fs::remove_all(dir_of(info.name), ec);  // retention-days has passed: GitHub deletes it too
    } else if (info.finalized) {
      live.push_back(std::move(info));
    }
  }
  return live;
}

std::optional<ArtifactInfo> ArtifactStore::find(const std::string& name) {
  for (auto& info : list()) {
    if (info.name == name) {
      return info;
    }
  }
  return std::nullopt;
}

std::optional<ArtifactInfo> ArtifactStore::find(std::int64_t id) {
  for (auto& info : list()) {
    if (info.id == id) {
      return info;
    }
  }
  return std::nullopt;
}

Stored<ArtifactInfo> ArtifactStore::remove(const std::string& name) {
  std::lock_guard lock(m_mutex);
  auto info = read(name);
  if (!info) {
    return refused(Refusal::not_found, "no artifact named '" + name + "' in this run");
  }
  m_uploads.erase(info->id);
  std::error_code ec;
  fs::remove_all(dir_of(name), ec);
  return *info;
}

}  // namespace pipeline::runner::services

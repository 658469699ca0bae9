#include "runner/services/artifact_v3_store.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>

#include "runner/services/artifact_names.hpp"
#include "runner/services/token.hpp"
#include "runner/system/file_io.hpp"

namespace pipeline::runner::services {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_files = "files";
constexpr const char* k_partial = ".partial";
constexpr std::size_t k_buffer = 1U << 20U;
// The characters @actions/artifact 1.x refuses in a file path (NTFS's), besides `\` in a name.
constexpr std::string_view k_bad_path_chars = "\":<>|*?\r\n";

Refused refused(Refusal code, std::string message) { return Refused{code, std::move(message)}; }

std::optional<std::int64_t> number(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::pair<std::string, std::string> split_item(const std::string& item_path) {
  const auto slash = item_path.find('/');
  return {item_path.substr(0, slash), slash == std::string::npos ? "" : item_path.substr(slash + 1)};
}

// Decodes the gzip stream in `from` into `to`; the decoded size, or nullopt when it is not one whole stream.
std::optional<std::int64_t> gunzip(const std::string& from, const std::string& to) {
  gzFile in = gzopen(from.c_str(), "rb");
  if (in == nullptr) {
    return std::nullopt;
  }
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  std::vector<char> buffer(k_buffer);
  std::int64_t size = 0;
  int n = 0;
  while ((n = gzread(in, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0) {
    out.write(buffer.data(), n);
    size += n;
  }
  int error = Z_OK;
  (void)gzerror(in, &error);
  gzclose(in);
  out.close();
  if (n < 0 || error != Z_OK || !out) {
    return std::nullopt;
  }
  return size;
}

}  // namespace

std::variant<V3Chunk, std::string> parse_content_range(std::string_view header) {
  const std::string bad = "Content-Range '" + std::string(header) + "' is not 'bytes START-END/TOTAL'";
  constexpr std::string_view k_bytes = "bytes ";
  if (header.substr(0, k_bytes.size()) != k_bytes) {
    return bad;
  }
  header.remove_prefix(k_bytes.size());
  const auto dash = header.find('-', 1);
  const auto slash = header.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return bad;
  }
  const auto start = number(header.substr(0, dash));
  const auto last = number(header.substr(dash + 1, slash - dash - 1));
  const auto total = number(header.substr(slash + 1));
  if (!start || !last || !total || *start < 0 || *last < *start - 1 || *total < 0) {
    return bad;
  }
  if (*last >= *total || (*last < *start && *total != 0)) {
    return "Content-Range '" + std::string(k_bytes) + std::string(header) + "' lies beyond the declared total of " +
           std::to_string(*total) + " bytes";
  }
  return V3Chunk{*start, *last + 1, *total, false, -1};
}

std::optional<std::string> item_path_problem(std::string_view item_path) {
  const std::string quoted = "itemPath '" + std::string(item_path) + "'";
  const auto slash = item_path.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return quoted + " does not name a file under an artifact ('<name>/<path>')";
  }
  if (auto problem = artifact_name_problem(item_path.substr(0, slash))) {
    return *problem;
  }
  std::string_view rest = item_path.substr(slash + 1);
  if (rest.empty() || rest.front() == '/') {
    return quoted + " is not a relative path under the artifact";
  }
  if (rest.find_first_of(k_bad_path_chars) != std::string_view::npos || rest.find('\0') != std::string_view::npos) {
    return quoted + " contains a character artifact paths may not (\" : < > | * ? CR LF)";
  }
  while (!rest.empty()) {
    const auto end = rest.find('/');
    const std::string_view part = rest.substr(0, end);
    if (part.empty() || part == "." || part == "..") {
      return quoted + " has an empty, '.' or '..' component";
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return std::nullopt;
}

ArtifactV3Store::ArtifactV3Store(ArtifactStore& store) : m_store(store) {}

std::optional<ArtifactInfo> ArtifactV3Store::folder(const std::string& name) const {
  if (artifact_name_problem(name)) {
    return std::nullopt;
  }
  for (auto& info : read_artifacts(m_store.root())) {
    if (info.name == name && info.mime_type == k_folder_mime) {
      return info;
    }
  }
  return std::nullopt;
}

Stored<ArtifactInfo> ArtifactV3Store::create(const std::string& name, const std::string& job, std::int64_t expires_at) {
  std::lock_guard lock(m_mutex);
  if (auto existing = folder(name)) {
    return *existing;
  }
  auto created = m_store.create(name, job, k_folder_mime, expires_at, Overwrite::refuse);
  if (std::holds_alternative<ArtifactInfo>(created)) {
    std::error_code ec;
    const fs::path dir = fs::path(m_store.root()) / name;
    fs::remove_all(dir / ".blocks", ec);
    fs::create_directories(dir / k_files, ec);
  } else if (std::get<Refused>(created).code == Refusal::already_exists) {
    return refused(Refusal::already_exists, "an artifact named '" + name +
                                                "' was uploaded through the v4 API in this run; v3 uploads cannot add to it");
  }
  return created;
}

Stored<std::monostate> ArtifactV3Store::put_chunk(const std::string& job, const std::string& item_path,
                                                  const V3Chunk& chunk, const ByteSource& body) {
  if (auto problem = item_path_problem(item_path)) {
    return refused(Refusal::invalid_argument, *problem);
  }
  const auto [name, relative] = split_item(item_path);
  const auto key = std::pair{job, item_path};
  Partial partial;
  {
    std::lock_guard lock(m_mutex);
    if (!folder(name)) {
      return refused(Refusal::not_found, "no v3 artifact named '" + name + "' was created in this run");
    }
    auto it = m_partials.find(key);
    if (it == m_partials.end() || chunk.start == 0) {
      if (chunk.start != 0) {
        return refused(Refusal::invalid_argument, "the first range of '" + item_path + "' must start at byte 0");
      }
      Partial fresh{chunk, 0, {}, ""};
      fresh.temp = m_store.root() + "/" + name + "/" + k_partial + "/" + std::to_string(++m_next_partial);
      if (it != m_partials.end() && !it->second.ranges.empty() && it->second.ranges.front().second == chunk.end &&
          it->second.first.total == chunk.total && it->second.first.gzip == chunk.gzip) {
        fresh = it->second;  // the first range again: a retry
      } else if (it != m_partials.end()) {
        std::error_code ec;
        fs::remove(it->second.temp, ec);  // the file's upload started over
      }
      it = m_partials.insert_or_assign(key, fresh).first;
    }
    Partial& known = it->second;
    if (chunk.total != known.first.total || chunk.gzip != known.first.gzip) {
      return refused(Refusal::invalid_argument, "a range of '" + item_path + "' declares " +
                                                    std::to_string(chunk.total) + " bytes in all, an earlier one " +
                                                    std::to_string(known.first.total) + " (or another encoding)");
    }
    const bool next = chunk.start == known.received;
    const bool again = std::find(known.ranges.begin(), known.ranges.end(), std::pair{chunk.start, chunk.end}) !=
                       known.ranges.end();
    if (!next && !again) {
      return refused(Refusal::invalid_argument, "the range " + std::to_string(chunk.start) + "-" +
                                                    std::to_string(chunk.end - 1) + " of '" + item_path +
                                                    "' overlaps the bytes already received or leaves a gap (" +
                                                    std::to_string(known.received) + " received)");
    }
    partial = known;
  }
  std::error_code ec;
  fs::create_directories(fs::path(partial.temp).parent_path(), ec);
  const int fd = ::open(partial.temp.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  const std::int64_t length = chunk.end - chunk.start;
  const auto written = fd >= 0 ? system::pwrite_pieces(fd, chunk.start, length, body) : system::PiecesWritten{};
  const bool ok = written.whole && written.bytes == length;
  if (fd >= 0) {
    ::close(fd);
  }
  if (!ok) {
    return refused(fd < 0 ? Refusal::internal : Refusal::invalid_argument,
                   "the range " + std::to_string(chunk.start) + "-" + std::to_string(chunk.end - 1) + " of '" +
                       item_path + "' did not carry exactly " + std::to_string(length) + " bytes");
  }
  std::lock_guard lock(m_mutex);
  auto it = m_partials.find(key);
  if (it == m_partials.end() || it->second.temp != partial.temp) {
    return refused(Refusal::invalid_argument, "the upload of '" + item_path + "' restarted while a range arrived");
  }
  if (chunk.start == it->second.received) {
    it->second.received = chunk.end;
    it->second.ranges.emplace_back(chunk.start, chunk.end);
  }
  if (it->second.received < it->second.first.total) {
    return std::monostate{};
  }
  const Partial done = it->second;
  m_partials.erase(it);
  return complete(item_path, done);
}

Stored<std::monostate> ArtifactV3Store::complete(const std::string& item_path, const Partial& partial) {
  const auto [name, relative] = split_item(item_path);
  const fs::path target = fs::path(m_store.root()) / name / k_files / relative;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (partial.first.total == 0) {
    std::ofstream(partial.temp, std::ios::binary | std::ios::trunc).close();
  }
  std::string ready = partial.temp;
  if (partial.first.gzip) {
    ready = partial.temp + ".decoded";
    const auto size = gunzip(partial.temp, ready);
    fs::remove(partial.temp, ec);
    if (!size || (partial.first.file_length >= 0 && *size != partial.first.file_length)) {
      fs::remove(ready, ec);
      return refused(Refusal::invalid_argument, "the gzip upload of '" + item_path + "' does not decode to " +
                                                    std::to_string(partial.first.file_length) + " bytes");
    }
  }
  fs::remove_all(target, ec);  // a later upload of the same path replaces the file
  fs::rename(ready, target, ec);
  if (ec) {
    fs::remove(ready, ec);
    return refused(Refusal::internal, "cannot write '" + item_path + "' under " + m_store.root());
  }
  return std::monostate{};
}

Stored<ArtifactInfo> ArtifactV3Store::finalize(const std::string& name) {
  std::lock_guard lock(m_mutex);
  auto info = folder(name);
  if (!info) {
    return refused(Refusal::not_found, "no v3 artifact named '" + name + "' was created in this run");
  }
  std::int64_t size = 0;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(m_store.root()) / name / k_files, ec)) {
    if (entry.is_regular_file(ec)) {
      size += static_cast<std::int64_t>(entry.file_size(ec));
    }
  }
  fs::remove(fs::path(m_store.root()) / name / k_partial, ec);  // when no upload is left in it
  info->size = size;
  info->finalized = true;
  if (!write_artifact(m_store.root(), *info)) {
    return refused(Refusal::internal, "cannot write the artifact '" + name + "'");
  }
  return *info;
}

std::vector<ArtifactInfo> ArtifactV3Store::list() {
  std::vector<ArtifactInfo> found;
  const auto now = unix_now();
  for (auto& info : read_artifacts(m_store.root())) {
    if (info.mime_type == k_folder_mime && info.finalized && (info.expires_at == 0 || info.expires_at > now)) {
      found.push_back(std::move(info));
    }
  }
  return found;
}

Stored<std::vector<V3Item>> ArtifactV3Store::items(const std::string& name) {
  const auto all = list();
  if (std::none_of(all.begin(), all.end(), [&](const auto& info) { return info.name == name; })) {
    return refused(Refusal::not_found, "no v3 artifact named '" + name + "' in this run");
  }
  std::vector<V3Item> found;
  const fs::path files = fs::path(m_store.root()) / name / k_files;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(files, ec)) {
    if (entry.is_regular_file(ec) && !entry.is_symlink(ec)) {
      found.push_back(V3Item{name + "/" + entry.path().lexically_relative(files).generic_string(),
                             static_cast<std::int64_t>(entry.file_size(ec))});
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return found;
}

Stored<std::string> ArtifactV3Store::file(const std::string& item_path) {
  if (auto problem = item_path_problem(item_path)) {
    return refused(Refusal::invalid_argument, *problem);
  }
  const auto [name, relative] = split_item(item_path);
  const auto all = list();
  const fs::path path = fs::path(m_store.root()) / name / k_files / relative;
  std::error_code ec;
  if (std::none_of(all.begin(), all.end(), [&](const auto& info) { return info.name == name; }) ||
      !fs::is_regular_file(fs::symlink_status(path, ec))) {
    return refused(Refusal::not_found, "no file '" + item_path + "' in this run's v3 artifacts");
  }
  return path.string();
}

}  // namespace pipeline::runner::services

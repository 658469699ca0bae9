#include "runner/cache/store.hpp"
#include "workflow/base/json_text.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

namespace pipeline::runner::cache {
namespace fs = std::filesystem;
namespace {

constexpr const char* k_meta = "meta.json";

std::string hex_sha256(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 15];
  }
  return out;
}

// A repository's full name as one folder name: `/` and anything unusual percent-encoded, so
// `owner/name` cannot climb out of the root and two names never share a folder.
std::string encode_name(const std::string& name) {
  std::string out;
  for (const char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '_' || (c == '.' && !out.empty());
    if (plain) {
      out += c;
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", static_cast<unsigned char>(c));
      out += buffer;
    }
  }
  return out.empty() ? "%" : out;
}

std::string decode_name(const std::string& folder) {
  std::string out;
  for (std::size_t i = 0; i < folder.size(); ++i) {
    if (folder[i] == '%' && i + 2 < folder.size()) {
      out += static_cast<char>(std::stoi(folder.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += folder[i];
    }
  }
  return out;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t mtime_ns(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return 0;
  }
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
}

// The time is given, not left to the kernel: file times tick coarsely, and LRU order needs better.
void touch(const fs::path& path) {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const struct timespec times[2] = {now, now};
  ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

std::optional<CacheEntry> read_entry(const fs::path& dir) {
  std::ifstream in(dir / k_meta);
  const nlohmann::json meta = nlohmann::json::parse(in, nullptr, false);
  if (!meta.is_object()) {
    return std::nullopt;
  }
  CacheEntry entry;
  entry.id = dir.filename().string();
  entry.key = meta.value("key", "");
  entry.version = meta.value("version", "");
  entry.scope = meta.value("scope", "");
  entry.size = meta.value("size", std::uint64_t{0});
  entry.created_ns = meta.value("created_ns", std::int64_t{0});
  entry.last_used_ns = mtime_ns(dir / "archive");
  return entry;
}

Result<void> write_meta(const fs::path& dir, const CacheEntry& entry) {
  const nlohmann::json meta = {{"key", entry.key},
                               {"version", entry.version},
                               {"scope", entry.scope},
                               {"size", entry.size},
                               {"created_ns", entry.created_ns}};
  std::ofstream out(dir / k_meta, std::ios::trunc);
  out << json_text(meta, 2) << '\n';
  out.close();
  if (!out) {
    return Error{"cannot write " + (dir / k_meta).string()};
  }
  return {};
}

}  // namespace

fs::path default_root(const std::function<std::optional<std::string>(std::string_view)>& getenv) {
  if (auto xdg = getenv("XDG_CACHE_HOME"); xdg && !xdg->empty()) {
    return fs::path(*xdg) / "pipe" / "actions-cache";
  }
  return fs::path(getenv("HOME").value_or("/tmp")) / ".cache" / "pipe" / "actions-cache";
}

std::string repository_key(const std::string& repository, const std::string& workspace) {
  return repository.empty() ? "local:" + workspace : repository;
}

Reservation::Reservation(CacheEntry entry, fs::path staging, FileLock lock)
    : m_entry(std::move(entry)), m_staging(std::move(staging)), m_lock(std::move(lock)) {}

Reservation::Reservation(Reservation&& other) noexcept
    : m_entry(std::move(other.m_entry)),
      m_staging(std::exchange(other.m_staging, {})),
      m_lock(std::move(other.m_lock)) {}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    drop();
    m_entry = std::move(other.m_entry);
    m_staging = std::exchange(other.m_staging, {});
    m_lock = std::move(other.m_lock);
  }
  return *this;
}

Reservation::~Reservation() { drop(); }

void Reservation::drop() {
  if (!m_staging.empty()) {
    std::error_code ignored;
    fs::remove_all(m_staging, ignored);
  }
}

Store::Store(fs::path root, std::uint64_t size_limit) : m_root(std::move(root)), m_size_limit(size_limit) {}

fs::path Store::repo_dir(const std::string& repository) const { return m_root / encode_name(repository); }

fs::path Store::archive(const std::string& repository, const std::string& id) const {
  return repo_dir(repository) / "entries" / id / "archive";
}

std::vector<std::string> Store::repositories() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(m_root, ec)) {
    if (item.is_directory()) {
      names.push_back(decode_name(item.path().filename().string()));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<CacheEntry> Store::entries(const std::string& repository) const {
  std::vector<CacheEntry> found;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(repo_dir(repository) / "entries", ec)) {
    if (auto entry = read_entry(item.path())) {
      found.push_back(std::move(*entry));
    }
  }
  return found;
}

std::optional<CacheEntry> Store::restore(const std::string& repository, const Lookup& lookup) {
  auto found = find_match(entries(repository), lookup);
  if (found) {
    touch(archive(repository, found->id));
    found->last_used_ns = now_ns();
  }
  return found;
}

Result<Reservation> Store::reserve(const std::string& repository, const std::string& scope, const std::string& key,
                                   const std::string& version) {
  const std::string id = hex_sha256(scope + '\0' + key + '\0' + version).substr(0, 32);
  const fs::path dir = repo_dir(repository);
  std::error_code ec;
  fs::create_directories(dir / "staging", ec);
  fs::create_directories(dir / "entries", ec);
  if (ec) {
    return Error{"cannot create " + dir.string() + ": " + ec.message()};
  }
  if (fs::exists(dir / "entries" / id)) {
    return Error{"cache entry with the same key, version, and scope already exists"};
  }
  auto lock = FileLock::try_lock(dir / "staging" / (id + ".lock"));
  if (!lock) {
    return lock.error();
  }
  if (!lock->held()) {
    return Error{"another job is already uploading a cache entry with the same key, version, and scope"};
  }
  const fs::path staging = dir / "staging" / id;
  fs::remove_all(staging, ec);  // what a killed upload left
  fs::create_directories(staging / "blocks", ec);
  std::ofstream(staging / "archive", std::ios::trunc).close();
  if (ec) {
    return Error{"cannot create " + staging.string() + ": " + ec.message()};
  }
  CacheEntry entry{id, key, version, scope, 0, now_ns(), 0};
  return Reservation(std::move(entry), staging, std::move(*lock));
}

Result<CacheEntry> Store::commit(const std::string& repository, Reservation reservation,
                                 std::optional<std::uint64_t> size) {
  std::error_code ec;
  fs::remove_all(reservation.blocks(), ec);
  const std::uint64_t actual = fs::file_size(reservation.archive(), ec);
  if (ec) {
    return Error{"the upload has no archive"};
  }
  if (size && *size != actual) {
    return Error{"the upload holds " + std::to_string(actual) + " bytes, not the " + std::to_string(*size) +
                 " announced"};
  }
  CacheEntry entry = reservation.m_entry;
  entry.size = actual;
  if (auto written = write_meta(reservation.staging(), entry); !written) {
    return written.error();
  }
  const fs::path target = repo_dir(repository) / "entries" / entry.id;
  // rename(2) of a folder onto an existing non-empty folder fails: the first commit wins.
  fs::rename(reservation.staging(), target, ec);
  if (ec) {
    return Error{"cache entry with the same key, version, and scope already exists"};
  }
  reservation.m_staging.clear();
  touch(target / "archive");
  entry.last_used_ns = now_ns();
  fs::remove(repo_dir(repository) / "staging" / (entry.id + ".lock"), ec);
  evict(repository);
  return entry;
}

void Store::evict(const std::string& repository) {
  std::error_code ec;
  for (const std::string& id : evictions(entries(repository), m_size_limit)) {
    fs::remove_all(repo_dir(repository) / "entries" / id, ec);
  }
}

std::size_t Store::remove(const std::string& repository, const std::string& key) {
  std::size_t removed = 0;
  std::error_code ec;
  for (const CacheEntry& entry : entries(repository)) {
    if (entry.key == key && fs::remove_all(repo_dir(repository) / "entries" / entry.id, ec) > 0) {
      ++removed;
    }
  }
  return removed;
}

std::size_t Store::prune(std::chrono::nanoseconds max_idle) {
  std::size_t removed = 0;
  std::error_code ec;
  const std::int64_t oldest = now_ns() - max_idle.count();
  for (const std::string& repository : repositories()) {
    std::vector<fs::path> staged;
    for (const auto& item : fs::directory_iterator(repo_dir(repository) / "staging", ec)) {
      if (item.path().extension() != ".lock") {
        staged.push_back(item.path());
      }
    }
    for (const fs::path& path : staged) {
      // A staging folder whose lock nobody holds belongs to a killed upload.
      auto lock = FileLock::try_lock(path.string() + ".lock");
      if (lock && lock->held()) {
        fs::remove_all(path, ec);
        fs::remove(path.string() + ".lock", ec);
        ++removed;
      }
    }
    const std::size_t before = entries(repository).size();
    for (const CacheEntry& entry : entries(repository)) {
      if (entry.last_used_ns < oldest) {
        fs::remove_all(repo_dir(repository) / "entries" / entry.id, ec);
      }
    }
    evict(repository);
    removed += before - entries(repository).size();
  }
  return removed;
}

}  // namespace pipeline::runner::cache

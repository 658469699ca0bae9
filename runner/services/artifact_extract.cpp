#include "runner/services/artifact_extract.hpp"
#include "runner/services/artifact_v3_store.hpp"

#include <filesystem>
#include <fstream>

#include "runner/system/lazy/archive.hpp"

namespace pipeline::runner::services {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_block = 1U << 20U;

bool inside(const fs::path& relative) {
  if (relative.empty() || relative.is_absolute()) {
    return false;
  }
  for (const auto& part : relative) {
    if (part == "..") {
      return false;
    }
  }
  return true;
}

/// Owns one libarchive reader.
class Reader {
public:
  explicit Reader(const lazy::ArchiveApi& api) : m_api(api), m_archive(api.read_new()) {}
  ~Reader() { m_api.read_free(m_archive); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  [[nodiscard]] archive* get() const { return m_archive; }

private:
  const lazy::ArchiveApi& m_api;
  archive* m_archive;
};

Result<std::size_t> extract_zip(const std::string& content, const fs::path& directory) {
  auto api = lazy::libarchive();
  if (!api) {
    return api.error();
  }
  const auto& a = **api;
  Reader reader(a);
  a.read_support_format_zip(reader.get());
  if (a.read_open_filename(reader.get(), content.c_str(), k_block) != ARCHIVE_OK) {
    return Error{"cannot read " + content + ": " + a.error_string(reader.get())};
  }
  std::size_t files = 0;
  archive_entry* entry = nullptr;
  std::string buffer(k_block, '\0');
  while (a.read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
    const fs::path relative = fs::path(a.entry_pathname(entry)).lexically_normal();
    if (!inside(relative)) {
      return Error{"the artifact holds an entry outside its directory: " + relative.string()};
    }
    const fs::path target = directory / relative;
    std::error_code ec;
    if (a.entry_filetype(entry) == AE_IFDIR) {
      fs::create_directories(target, ec);
      continue;
    }
    fs::create_directories(target.parent_path(), ec);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    la_ssize_t n = 0;
    while ((n = a.read_data(reader.get(), buffer.data(), buffer.size())) > 0) {
      out.write(buffer.data(), n);
    }
    if (n < 0 || !out) {
      return Error{"cannot extract " + relative.string() + ": " + (n < 0 ? a.error_string(reader.get()) : "write failed")};
    }
    ++files;
  }
  return files;
}

}  // namespace

Result<std::size_t> extract_artifact(const ArtifactInfo& info, const std::string& content,
                                     const std::string& directory) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) {
    return Error{"cannot create " + directory + ": " + ec.message()};
  }
  if (info.mime_type == k_folder_mime) {
    // A v3 artifact: its files, kept decoded beside the record.
    fs::copy(fs::path(content).parent_path() / "files", directory,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
    if (ec) {
      return Error{"cannot copy the artifact to " + directory + ": " + ec.message()};
    }
    std::size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(content).parent_path() / "files", ec)) {
      files += entry.is_regular_file(ec) ? 1 : 0;
    }
    return files;
  }
  if (info.mime_type == "application/zip") {
    return extract_zip(content, directory);
  }
  fs::copy_file(content, fs::path(directory) / info.name, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return Error{"cannot copy the artifact to " + directory + ": " + ec.message()};
  }
  return std::size_t{1};
}

}  // namespace pipeline::runner::services

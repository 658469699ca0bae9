#include "runner/docker/tar_stream.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <ctime>

#include <filesystem>
#include <memory>

#include "runner/system/lazy/archive.hpp"

namespace pipeline::runner::docker {
namespace {

using lazy::ArchiveApi;
using WriterPtr = std::unique_ptr<archive, decltype(ArchiveApi::write_free)>;
using ReaderPtr = std::unique_ptr<archive, decltype(ArchiveApi::read_free)>;
using EntryPtr = std::unique_ptr<archive_entry, decltype(ArchiveApi::entry_free)>;

la_ssize_t append_to_string(archive*, void* user, const void* data, size_t size) {
  static_cast<std::string*>(user)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

Result<WriterPtr> open_writer(const ArchiveApi& la, std::string& out) {
  WriterPtr writer(la.write_new(), la.write_free);
  la.write_set_format_pax_restricted(writer.get());
  la.write_set_bytes_in_last_block(writer.get(), 1);
  if (la.write_open(writer.get(), &out, nullptr, append_to_string, nullptr) != ARCHIVE_OK) {
    return Error{std::string("cannot start a tar stream: ") + la.error_string(writer.get())};
  }
  return writer;
}

Result<void> write_entry(const ArchiveApi& la, archive* writer, archive_entry* entry, std::string_view content) {
  if (la.write_header(writer, entry) != ARCHIVE_OK) {
    return Error{std::string("cannot write a tar header: ") + la.error_string(writer)};
  }
  if (!content.empty() && la.write_data(writer, content.data(), content.size()) < 0) {
    return Error{std::string("cannot write tar data: ") + la.error_string(writer)};
  }
  return {};
}

Result<std::string> read_host_file(const std::filesystem::path& path) {
  std::unique_ptr<FILE, decltype(&fclose)> file(fopen(path.c_str(), "rb"), fclose);
  if (!file) {
    return Error{"cannot read " + path.string()};
  }
  std::string content;
  char buffer[65536];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    content.append(buffer, n);
  }
  return content;
}

// Adds one host path (file, directory or symlink) under its name in the tar.
Result<void> add_host_path(const ArchiveApi& la, archive* writer, const std::filesystem::path& path,
                           const std::string& name) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    return Error{"cannot stat " + path.string()};
  }
  EntryPtr entry(la.entry_new(), la.entry_free);
  la.entry_set_pathname(entry.get(), name.c_str());
  la.entry_copy_stat(entry.get(), &info);
  std::string content;
  if (S_ISLNK(info.st_mode)) {
    la.entry_set_symlink(entry.get(), std::filesystem::read_symlink(path).c_str());
  } else if (S_ISREG(info.st_mode)) {
    auto read = read_host_file(path);
    if (!read) {
      return read.error();
    }
    content = std::move(*read);
  } else if (!S_ISDIR(info.st_mode)) {
    return {};  // sockets, fifos and devices have no place in a workspace copy
  }
  return write_entry(la, writer, entry.get(), content);
}

}  // namespace

Result<std::string> tar_single_file(const std::string& name, std::string_view content, int mode) {
  auto loaded = lazy::libarchive();
  if (!loaded) {
    return loaded.error();
  }
  const ArchiveApi& la = **loaded;
  std::string out;
  auto writer = open_writer(la, out);
  if (!writer) {
    return writer.error();
  }
  EntryPtr entry(la.entry_new(), la.entry_free);
  la.entry_set_pathname(entry.get(), name.c_str());
  la.entry_set_filetype(entry.get(), AE_IFREG);
  la.entry_set_perm(entry.get(), static_cast<mode_t>(mode));
  la.entry_set_size(entry.get(), static_cast<la_int64_t>(content.size()));
  la.entry_set_mtime(entry.get(), ::time(nullptr), 0);
  if (auto written = write_entry(la, writer->get(), entry.get(), content); !written) {
    return written.error();
  }
  la.write_close(writer->get());
  return out;
}

Result<std::string> tar_directory(const std::string& dir, const std::string& prefix) {
  auto loaded = lazy::libarchive();
  if (!loaded) {
    return loaded.error();
  }
  const ArchiveApi& la = **loaded;
  std::string out;
  auto writer = open_writer(la, out);
  if (!writer) {
    return writer.error();
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!prefix.empty()) {
    if (auto top = add_host_path(la, writer->get(), dir, prefix); !top) {
      return top.error();
    }
  }
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string relative = fs::relative(it->path(), dir).string();
    const std::string name = prefix.empty() ? relative : prefix + "/" + relative;
    if (auto added = add_host_path(la, writer->get(), it->path(), name); !added) {
      return added.error();
    }
  }
  if (ec) {
    return Error{"cannot walk " + dir + ": " + ec.message()};
  }
  la.write_close(writer->get());
  return out;
}

Result<std::string> first_file_in_tar(std::string_view tar) {
  auto loaded = lazy::libarchive();
  if (!loaded) {
    return loaded.error();
  }
  const ArchiveApi& la = **loaded;
  ReaderPtr reader(la.read_new(), la.read_free);
  la.read_support_format_tar(reader.get());
  la.read_support_filter_all(reader.get());
  if (la.read_open_memory(reader.get(), tar.data(), tar.size()) != ARCHIVE_OK) {
    return Error{std::string("cannot read a tar stream: ") + la.error_string(reader.get())};
  }
  archive_entry* entry = nullptr;
  while (la.read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
    if (la.entry_filetype(entry) != AE_IFREG) {
      continue;
    }
    std::string content;
    char buffer[65536];
    la_ssize_t n = 0;
    while ((n = la.read_data(reader.get(), buffer, sizeof buffer)) > 0) {
      content.append(buffer, static_cast<size_t>(n));
    }
    if (n < 0) {
      return Error{std::string("cannot read a tar entry: ") + la.error_string(reader.get())};
    }
    return content;
  }
  return Error{"the tar stream holds no regular file"};
}

}  // namespace pipeline::runner::docker

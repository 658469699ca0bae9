#pragma once
// libarchive, loaded at its first use: only the Docker backend writes and reads tar streams, and
// loading libarchive with its compression libraries costs every other command milliseconds.
// Include only from .cpp files that build tars: it pulls in <archive.h> and <archive_entry.h>.
#include <archive.h>
#include <archive_entry.h>

#include "workflow/base/result.hpp"

namespace pipeline::runner::lazy {

/// The runtime name of libarchive (Debian's libarchive13).
inline constexpr const char* k_archive_soname = "libarchive.so.13";

/// The libarchive functions pipe calls (`archive_` dropped from each name), typed from the headers.
struct ArchiveApi {
  decltype(&::archive_version_string) version_string = nullptr;
  decltype(&::archive_error_string) error_string = nullptr;
  decltype(&::archive_write_new) write_new = nullptr;
  decltype(&::archive_write_free) write_free = nullptr;
  decltype(&::archive_write_set_format_pax_restricted) write_set_format_pax_restricted = nullptr;
  decltype(&::archive_write_set_bytes_in_last_block) write_set_bytes_in_last_block = nullptr;
  decltype(&::archive_write_open) write_open = nullptr;
  decltype(&::archive_write_header) write_header = nullptr;
  decltype(&::archive_write_data) write_data = nullptr;
  decltype(&::archive_write_close) write_close = nullptr;
  decltype(&::archive_read_new) read_new = nullptr;
  decltype(&::archive_read_free) read_free = nullptr;
  decltype(&::archive_read_support_format_tar) read_support_format_tar = nullptr;
  decltype(&::archive_read_support_filter_all) read_support_filter_all = nullptr;
  decltype(&::archive_read_open_memory) read_open_memory = nullptr;
  decltype(&::archive_read_next_header) read_next_header = nullptr;
  decltype(&::archive_read_data) read_data = nullptr;
  decltype(&::archive_read_support_format_zip) read_support_format_zip = nullptr;
  decltype(&::archive_read_open_filename) read_open_filename = nullptr;
  decltype(&::archive_entry_pathname) entry_pathname = nullptr;
  decltype(&::archive_entry_perm) entry_perm = nullptr;
  decltype(&::archive_entry_new) entry_new = nullptr;
  decltype(&::archive_entry_free) entry_free = nullptr;
  decltype(&::archive_entry_filetype) entry_filetype = nullptr;
  decltype(&::archive_entry_set_pathname) entry_set_pathname = nullptr;
  decltype(&::archive_entry_set_filetype) entry_set_filetype = nullptr;
  decltype(&::archive_entry_set_perm) entry_set_perm = nullptr;
  decltype(&::archive_entry_set_size) entry_set_size = nullptr;
  decltype(&::archive_entry_set_mtime) entry_set_mtime = nullptr;
  decltype(&::archive_entry_set_symlink) entry_set_symlink = nullptr;
  decltype(&::archive_entry_copy_stat) entry_copy_stat = nullptr;
};

/// libarchive, loaded by the first call from any thread; later calls give the same answer.
/// Fails with "cannot load libarchive.so.13: <why>" when the library or a function is missing.
[[nodiscard]] Result<const ArchiveApi*> libarchive();

}  // namespace pipeline::runner::lazy

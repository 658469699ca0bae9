#include "runner/system/lazy/archive.hpp"

#include "runner/system/lazy/shared_library.hpp"

namespace pipeline::runner::lazy {
namespace {

// One line per function, and the C name is spelled from the member's, so they cannot drift apart.
#define PIPE_RESOLVE(member)                                                     \
  if (auto resolved = library.resolve("archive_" #member, api.member); !resolved) { \
    return resolved.error();                                                     \
  }

Result<ArchiveApi> resolve_all(const SharedLibrary& library) {
  ArchiveApi api;
  PIPE_RESOLVE(version_string)
  PIPE_RESOLVE(error_string)
  PIPE_RESOLVE(write_new)
  PIPE_RESOLVE(write_free)
  PIPE_RESOLVE(write_set_format_pax_restricted)
  PIPE_RESOLVE(write_set_bytes_in_last_block)
  PIPE_RESOLVE(write_open)
  PIPE_RESOLVE(write_header)
  PIPE_RESOLVE(write_data)
  PIPE_RESOLVE(write_close)
  PIPE_RESOLVE(read_new)
  PIPE_RESOLVE(read_free)
  PIPE_RESOLVE(read_support_format_tar)
  PIPE_RESOLVE(read_support_filter_all)
  PIPE_RESOLVE(read_open_memory)
  PIPE_RESOLVE(read_next_header)
  PIPE_RESOLVE(read_data)
  PIPE_RESOLVE(read_support_format_zip)
  PIPE_RESOLVE(read_open_filename)
  PIPE_RESOLVE(entry_pathname)
  PIPE_RESOLVE(entry_perm)
  PIPE_RESOLVE(entry_new)
  PIPE_RESOLVE(entry_free)
  PIPE_RESOLVE(entry_filetype)
  PIPE_RESOLVE(entry_set_pathname)
  PIPE_RESOLVE(entry_set_filetype)
  PIPE_RESOLVE(entry_set_perm)
  PIPE_RESOLVE(entry_set_size)
  PIPE_RESOLVE(entry_set_mtime)
  PIPE_RESOLVE(entry_set_symlink)
  PIPE_RESOLVE(entry_copy_stat)
  return api;
}

#undef PIPE_RESOLVE

}  // namespace

Result<const ArchiveApi*> libarchive() {
  static const auto k_loaded = load_api(k_archive_soname, resolve_all);
  if (!k_loaded) {
    return k_loaded.error();
  }
  return &k_loaded->api;
}

}  // namespace pipeline::runner::lazy

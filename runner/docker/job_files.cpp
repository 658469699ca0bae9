// The job's files as the backend reads and writes them: those in the job's temp dir (scripts,
// file commands, the event) straight on the host through its bind mount, others through the engine.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "runner/docker/docker_backend.hpp"
#include "runner/docker/tar_stream.hpp"

namespace pipeline::runner::docker {

namespace fs = std::filesystem;

namespace {

/// True when `path` lies in the job's temp dir, which is bind-mounted at the same path: such
/// files (scripts, file commands) are read and written on the host, without an API round trip.
bool in_host_temp(const JobEnv& env, const std::string& path) {
  const std::string& dir = env.host_temp_dir;
  return !dir.empty() && path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/' && path.find("/../") == std::string::npos;
}

// Creates `dir` and its missing parents below `root` writable by everyone, like the temp dir
// itself: the container's user may be any user, and steps add files there too.
void make_shared_dirs(const fs::path& root, const fs::path& dir) {
  std::error_code ec;
  if (dir == root || fs::exists(dir, ec)) {
    return;
  }
  make_shared_dirs(root, dir.parent_path());
  fs::create_directory(dir, ec);
  fs::permissions(dir, fs::perms::all, ec);
}

}  // namespace

Result<std::string> DockerBackend::read_file(const JobEnv& env, const std::string& path) {
  if (in_host_temp(env, path)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return Error{"cannot read " + path};
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto tar = m_client->get_archive(env.id, path);
  if (!tar) {
    return tar.error();
  }
  return first_file_in_tar(*tar);
}

Result<void> DockerBackend::write_file(const JobEnv& env, const std::string& path, std::string_view content, int mode) {
  if (path.empty() || path.front() != '/') {
    return Error{"write_file needs an absolute path, got '" + path + "'"};
  }
  if (in_host_temp(env, path)) {
    make_shared_dirs(env.host_temp_dir, fs::path(path).parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out || ::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
      return Error{"cannot write " + path};
    }
    return {};
  }
  // Extracting at "/" makes the engine create missing parents without touching existing ones.
  auto tar = tar_single_file(path.substr(1), content, mode);
  if (!tar) {
    return tar.error();
  }
  return m_client->put_archive(env.id, "/", *tar);
}

}  // namespace pipeline::runner::docker

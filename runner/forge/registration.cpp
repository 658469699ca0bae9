#include "runner/forge/registration.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace pipeline::runner::forge {

using json = nlohmann::json;

Result<void> save_registration(const std::string& path, const Registration& r) {
  const json body = {{"WARNING", "Written by `pipe runner register`. Removing this file makes the runner register anew."},
                     {"id", r.id},
                     {"uuid", r.uuid},
                     {"name", r.name},
                     {"token", r.token},
                     {"address", r.address},
                     {"labels", r.labels}};
  const std::string text = body.dump(2) + "\n";
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{path + ": cannot write: " + std::strerror(errno)};
  }
  (void)::fchmod(fd, 0600);  // an older file of that name may have had wider bits
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Error{path + ": cannot write: " + std::strerror(errno)};
  }
  return {};
}

Result<Registration> load_registration(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Error{path + ": not registered (run `pipe runner register`)"};
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    const auto body = json::parse(text.str());
    Registration r;
    r.id = body.value("id", std::int64_t{0});
    r.uuid = body.value("uuid", "");
    r.name = body.value("name", "");
    r.token = body.value("token", "");
    r.address = body.value("address", "");
    r.labels = body.value("labels", std::vector<std::string>{});
    if (r.uuid.empty() || r.token.empty() || r.address.empty()) {
      return Error{path + ": incomplete registration (uuid, token and address are needed)"};
    }
    return r;
  } catch (const std::exception& e) {
    return Error{path + ": not a registration file: " + e.what()};
  }
}

}  // namespace pipeline::runner::forge

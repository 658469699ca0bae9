#include "workflow/expr/hash_files.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <system_error>

namespace pipeline::workflow::expr {
namespace {

using Digest = std::array<unsigned char, 32>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

class Sha256 {
public:
  Sha256() : m_ctx(EVP_MD_CTX_new()) { EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr); }
  void update(const void* data, std::size_t size) { EVP_DigestUpdate(m_ctx.get(), data, size); }
  Digest finish() {
    Digest out{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_ctx.get(), out.data(), &len);
    return out;
  }

private:
  MdCtx m_ctx;
};

Result<Digest> hash_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Error{"hashFiles: cannot read " + file.string()};
  }
  Sha256 sha;
  std::array<char, 65536> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    sha.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return sha.finish();
}

std::string to_hex(const Digest& d) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : d) {
    out += k_hex[b >> 4];
    out += k_hex[b & 0xF];
  }
  return out;
}

bool matches_any(const std::vector<std::string>& patterns, const std::string& rel) {
  bool matched = false;
  for (const auto& raw : patterns) {
    std::string_view p = raw;
    const bool negate = !p.empty() && p.front() == '!';
    if (negate) {
      p.remove_prefix(1);
    }
    if (p.substr(0, 2) == "./") {
      p.remove_prefix(2);
    }
    if (glob_match(p, rel)) {
      matched = !negate;
    }
  }
  return matched;
}

}  // namespace

// Classic backtracking matcher: `**` crosses `/`, `*` and `?` do not.
bool glob_match(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) {
    return path.empty();
  }
  if (pattern.substr(0, 3) == "**/") {
    if (glob_match(pattern.substr(3), path)) {
      return true;
    }
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '/' && glob_match(pattern.substr(3), path.substr(i + 1))) {
        return true;
      }
    }
    return false;
  }
  if (pattern.substr(0, 2) == "**") {
    for (std::size_t i = 0; i <= path.size(); ++i) {
      if (glob_match(pattern.substr(2), path.substr(i))) {
        return true;
      }
    }
    return false;
  }
  if (pattern[0] == '*') {
    for (std::size_t i = 0; i <= path.size(); ++i) {
      if (glob_match(pattern.substr(1), path.substr(i))) {
        return true;
      }
      if (i < path.size() && path[i] == '/') {
        break;
      }
    }
    return false;
  }
  if (path.empty()) {
    return false;
  }
  if (pattern[0] == '?' ? path[0] != '/' : pattern[0] == path[0]) {
    return glob_match(pattern.substr(1), path.substr(1));
  }
  return false;
}

Result<std::string> hash_files(const std::filesystem::path& root, const std::vector<std::string>& patterns) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) {
      continue;  // directories, and links that could point outside the workspace
    }
    const std::string rel = it->path().lexically_relative(root).generic_string();
    if (matches_any(patterns, rel)) {
      files.push_back(rel);
    }
  }
  if (ec) {
    return Error{"hashFiles: " + ec.message()};
  }
  if (files.empty()) {
    return std::string();
  }
  std::sort(files.begin(), files.end());
  Sha256 total;
  for (const auto& rel : files) {
    Result<Digest> d = hash_file(root / rel);
    if (!d) {
      return d.error();
    }
    total.update(d->data(), d->size());
  }
  return to_hex(total.finish());
}

}  // namespace pipeline::workflow::expr

#include "runner/services/prefix_digest.hpp"

#include "runner/system/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>

#include <openssl/evp.h>

namespace pipeline::runner::services {

namespace {

constexpr std::size_t k_read_buffer = 1U << 20U;

std::string hex_of(const unsigned char* bytes, unsigned int size) {
  constexpr std::string_view k_hex = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < size; ++i) {
    text += k_hex[bytes[i] >> 4U];
    text += k_hex[bytes[i] & 0xFU];
  }
  return text;
}

}  // namespace

PrefixDigest::PrefixDigest() : m_context(EVP_MD_CTX_new()) { EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr); }

PrefixDigest::~PrefixDigest() { EVP_MD_CTX_free(m_context); }

bool PrefixDigest::hash_range(const std::string& path, std::int64_t offset, std::int64_t length) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  // The bytes were written moments ago: they are read back from the page cache, not the disk.
  thread_local std::vector<char> buffer(k_read_buffer);
  const bool ok = system::pread_range(fd, offset, length, buffer, [this](std::string_view piece) {
    return EVP_DigestUpdate(m_context, piece.data(), piece.size()) == 1;
  });
  ::close(fd);
  return ok;
}

void PrefixDigest::written(const std::string& path, std::int64_t offset, std::int64_t length) {
  std::unique_lock lock(m_mutex);
  if (length > 0) {
    m_waiting[offset] = length;
  }
  if (m_busy) {
    return;  // the thread hashing now picks this range up when it reaches it
  }
  m_busy = true;
  // Hash outside the lock, one contiguous range at a time, so other blocks keep landing meanwhile.
  for (auto next = m_waiting.find(m_hashed); !m_failed && next != m_waiting.end(); next = m_waiting.find(m_hashed)) {
    const std::int64_t from = next->first;
    const std::int64_t size = next->second;
    m_waiting.erase(next);
    lock.unlock();
    const bool ok = hash_range(path, from, size);
    lock.lock();
    m_failed = m_failed || !ok;
    m_hashed += size;
  }
  m_busy = false;
  m_idle.notify_all();
}

std::optional<std::string> PrefixDigest::finish(const std::string& path, std::int64_t length) {
  std::unique_lock lock(m_mutex);
  m_idle.wait(lock, [this] { return !m_busy; });
  if (m_failed || m_hashed > length || !hash_range(path, m_hashed, length - m_hashed)) {
    m_failed = true;
    return std::nullopt;
  }
  m_hashed = length;
  m_failed = true;  // finished: further calls have nothing to give
  std::array<unsigned char, EVP_MAX_MD_SIZE> raw{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(m_context, raw.data(), &size);
  return "sha256:" + hex_of(raw.data(), size);
}

std::int64_t PrefixDigest::hashed() {
  std::lock_guard lock(m_mutex);
  return m_hashed;
}

}  // namespace pipeline::runner::services

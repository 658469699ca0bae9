#pragma once
// The SHA-256 of an upload's data file from its first byte, advanced while blocks land at the
// places they reserved, so that committing blocks in that order does not read the file again.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace pipeline::runner::services {

/// A running digest of a file's contiguous prefix. Thread-safe.
class PrefixDigest {
public:
  PrefixDigest();
  ~PrefixDigest();
  PrefixDigest(const PrefixDigest&) = delete;
  PrefixDigest& operator=(const PrefixDigest&) = delete;

  /// Records that `length` bytes at `offset` of `path` are written, and hashes the file on from
  /// the digest's end as far as written bytes reach; a call that finds another hashing returns at once.
  void written(const std::string& path, std::int64_t offset, std::int64_t length);
  /// "sha256:<hex>" of the first `length` bytes of `path`, reading what is not hashed yet;
  /// nullopt when the file could not be read or the digest already went past `length`. Once only.
  [[nodiscard]] std::optional<std::string> finish(const std::string& path, std::int64_t length);
  /// How many bytes the digest covers so far.
  [[nodiscard]] std::int64_t hashed();

private:
  [[nodiscard]] bool hash_range(const std::string& path, std::int64_t offset, std::int64_t length);

  std::mutex m_mutex;
  std::condition_variable m_idle;
  bool m_busy = false;    // a thread is hashing (outside the lock)
  bool m_failed = false;  // a read failed: the digest is of no use
  std::int64_t m_hashed = 0;
  std::map<std::int64_t, std::int64_t> m_waiting;  // written ranges past the digest's end, by offset
  evp_md_ctx_st* m_context;
};

}  // namespace pipeline::runner::services

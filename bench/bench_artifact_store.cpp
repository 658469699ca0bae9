// The artifact store's side of an upload, without HTTP: blocks of 8 MiB handed over in 4 KiB
// pieces (as cpp-httplib hands a request body) by 4 threads in list order, as @actions/artifact
// sends them, then the block list's commit. Printed next to one thread writing the same bytes
// to a file in the same folder, in the same run.
// Usage: bench_artifact_store [MB] [DIR]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "runner/services/artifact_store.hpp"

namespace {

using namespace pipeline::runner::services;
namespace fs = std::filesystem;

constexpr std::size_t k_block = 8U << 20U;
constexpr std::size_t k_piece = 4096;
constexpr int k_threads = 4;

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// One thread writing `blocks` copies of `block` to a file, 4 MiB per write, then closing it.
double plain_write_ms(const fs::path& path, const std::string& block, std::size_t blocks) {
  const auto start = std::chrono::steady_clock::now();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  for (std::size_t i = 0; i < blocks; ++i) {
    for (std::size_t at = 0; at < block.size(); at += 4U << 20U) {
      if (::write(fd, block.data() + at, 4U << 20U) != static_cast<ssize_t>(4U << 20U)) {
        std::perror("write");
        std::exit(1);
      }
    }
  }
  ::close(fd);
  return ms_since(start);
}

std::string block_id(std::size_t index) { return "block-" + std::to_string(index); }

// One upload through the store: {milliseconds of the blocks, milliseconds of the commit}.
std::pair<double, double> store_upload_ms(const fs::path& dir, const std::string& block, std::size_t blocks) {
  ArtifactStore store(dir.string());
  const auto id = std::get<ArtifactInfo>(store.create("big", "bench", "application/octet-stream", 0)).id;
  // Blocks start in list order (each takes its place before the next starts), as requests a
  // client sends one after the other do; their bodies then arrive side by side.
  std::mutex starting;
  const ByteSource source = [&block, &starting](const ByteSink& sink) {
    starting.unlock();
    for (std::size_t at = 0; at < block.size(); at += k_piece) {
      if (!sink(std::string_view(block).substr(at, k_piece))) {
        return false;
      }
    }
    return true;
  };
  std::size_t next = 0;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        starting.lock();
        const std::size_t i = next++;
        if (i >= blocks) {
          starting.unlock();
          break;
        }
        if (std::holds_alternative<Refused>(
                store.put_block(id, block_id(i), static_cast<std::int64_t>(block.size()), source))) {
          std::fprintf(stderr, "bench_artifact_store: block %zu refused\n", i);
          std::exit(1);
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  const double blocks_ms = ms_since(start);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < blocks; ++i) {
    ids.push_back(block_id(i));
  }
  const auto commit_start = std::chrono::steady_clock::now();
  if (std::holds_alternative<Refused>(store.commit_blocks(id, ids))) {
    std::fprintf(stderr, "bench_artifact_store: commit refused\n");
    std::exit(1);
  }
  return {blocks_ms, ms_since(commit_start)};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mb = argc > 1 ? std::stoul(argv[1]) : 500;
  const fs::path dir = fs::path(argc > 2 ? argv[2] : fs::temp_directory_path()) /
                       ("pipe-bench-artifact-store-" + std::to_string(::getpid()));
  const std::size_t blocks = mb * (1U << 20U) / k_block;
  std::string block(k_block, '\0');
  std::mt19937_64 random(42);
  for (char& c : block) {
    c = static_cast<char>(random());
  }
  fs::create_directories(dir);
  // Rounds alternate, each after a sync, so neither side pays for the other's writeback.
  std::vector<double> floor, blocks_ms, commit, total;
  for (int round = 0; round < 3; ++round) {
    ::sync();
    floor.push_back(plain_write_ms(dir / "plain", block, blocks));
    fs::remove(dir / "plain");
    ::sync();
    const auto [up, done] = store_upload_ms(dir / "artifacts", block, blocks);
    fs::remove_all(dir / "artifacts");
    blocks_ms.push_back(up);
    commit.push_back(done);
    total.push_back(up + done);
  }
  fs::remove_all(dir);
  const double size_mb = static_cast<double>(blocks * k_block) / (1U << 20U);
  const double floor_ms = median(floor);
  const double total_ms = median(total);
  std::printf("artifact store, %.0f MB in %zu blocks of 8 MiB, %d threads (medians of 3):\n", size_mb, blocks, k_threads);
  std::printf("  plain write    %6.0f MB/s  (%.0f ms)\n", size_mb / floor_ms * 1000, floor_ms);
  std::printf("  blocks         %6.0f ms\n", median(blocks_ms));
  std::printf("  commit         %6.0f ms\n", median(commit));
  std::printf("  store upload   %6.0f MB/s  (%.0f ms)   %.0f%% of plain write\n", size_mb / total_ms * 1000, total_ms,
              100 * floor_ms / total_ms);
  return 0;
}

#pragma once
// Reads the files of a zip ahead of the writer on a second thread, so that the kernel's share
// of the work (open, read, close: half of it for a node_modules of small files) overlaps with
// deflate. Files up to `max_file` bytes are read whole, in order, at most `max_ahead` bytes
// ahead of the consumer; larger ones are left for the consumer to stream.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

namespace stratus::package {

struct PrefetchFile {
  std::filesystem::path path;
  std::uint64_t size = 0;  // as listed: a file found with another size is reported `changed`
};

struct Prefetched {
  bool streamed = false;  // too large: not read, the consumer reads it
  int error = 0;          // errno of a failed open or read
  bool changed = false;   // its size is not the listed one
  std::vector<unsigned char> data;
};

class Prefetcher {
 public:
  Prefetcher(std::vector<PrefetchFile> files, std::size_t max_file, std::size_t max_ahead);
  ~Prefetcher();  // stops the reader and waits for it
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next file, in the given order; blocks until it has been read. Call once per file.
  Prefetched next();

 private:
  void run();

  std::vector<PrefetchFile> m_files;
  std::size_t m_max_file;
  std::size_t m_max_ahead;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<Prefetched> m_ready;
  std::size_t m_bytes_ahead = 0;
  bool m_stop = false;
  std::thread m_thread;
};

// Reads a whole file of `expected` bytes, asking for one byte more to notice growth; on Linux a
// regular file's read comes back short only at its end, which saves a stat per file.
Prefetched read_whole_file(const std::filesystem::path& path, std::uint64_t expected);

}  // namespace stratus::package

#include "cli/package/prefetch.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <new>

namespace stratus::package {

namespace {

// At most this many files wait, whatever their size (empty files cost no bytes).
constexpr std::size_t kMaxFilesAhead = 4096;

}  // namespace

Prefetched read_whole_file(const std::filesystem::path& path, std::uint64_t expected) {
  Prefetched out;
  // O_NONBLOCK: a fifo put in a file's place must not hang the packager.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    out.error = errno;
    return out;
  }
  try {
    out.data.resize(static_cast<std::size_t>(expected) + 1);
  } catch (const std::bad_alloc&) {
    ::close(fd);
    out.error = ENOMEM;
    return out;
  }
  std::size_t got = 0;
  for (;;) {
    ssize_t n = ::read(fd, out.data.data() + got, out.data.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = errno;
      break;
    }
    got += static_cast<std::size_t>(n);
    // Short of the listed size: read on (EOF then proves it shrank); exactly the size or one
    // byte over: done.
    if (n == 0 || got >= expected) break;
  }
  ::close(fd);
  if (out.error == 0 && got != expected) out.changed = true;
  out.data.resize(std::min<std::size_t>(got, static_cast<std::size_t>(expected)));
  return out;
}

Prefetcher::Prefetcher(std::vector<PrefetchFile> files, std::size_t max_file, std::size_t max_ahead)
    : m_files(std::move(files)), m_max_file(max_file), m_max_ahead(max_ahead), m_thread([this] { run(); }) {}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  m_thread.join();
}

Prefetched Prefetcher::next() {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [&] { return !m_ready.empty(); });
  Prefetched item = std::move(m_ready.front());
  m_ready.pop_front();
  m_bytes_ahead -= item.data.size();
  lock.unlock();
  m_changed.notify_all();
  return item;
}

void Prefetcher::run() {
  for (const auto& file : m_files) {
    {
      std::unique_lock lock(m_mutex);
      m_changed.wait(lock, [&] {
        return m_stop || m_ready.empty() || (m_bytes_ahead < m_max_ahead && m_ready.size() < kMaxFilesAhead);
      });
      if (m_stop) return;
    }
    Prefetched item;
    if (file.size > m_max_file)
      item.streamed = true;
    else
      item = read_whole_file(file.path, file.size);
    {
      std::lock_guard lock(m_mutex);
      m_bytes_ahead += item.data.size();
      m_ready.push_back(std::move(item));
    }
    m_changed.notify_all();
  }
}

}  // namespace stratus::package

#include "emulator/instances/memory_cgroup.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "emulator/common/ids.hpp"

namespace stratus::instances {

namespace fs = std::filesystem;

namespace {

bool write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

// The value after `key ` in a "key value" per line file (memory.oom_control, memory.events).
std::uint64_t keyed_value(const fs::path& file, const std::string& key) {
  std::ifstream in(file);
  std::string name;
  std::uint64_t value = 0;
  while (in >> name >> value)
    if (name == key) return value;
  return 0;
}

// Where our groups go: cgroup v1's memory hierarchy, else a writable v2 hierarchy.
struct Root {
  fs::path dir;
  bool v2 = false;
};

std::optional<Root> find_root() {
  std::error_code ec;
  const fs::path v1 = "/sys/fs/cgroup/memory";
  if (fs::exists(v1 / "memory.limit_in_bytes", ec) && ::access(v1.c_str(), W_OK) == 0) return Root{v1, false};
  const fs::path v2 = "/sys/fs/cgroup";
  if (fs::exists(v2 / "cgroup.controllers", ec)) {
    // Our own group: "0::/path" in /proc/self/cgroup; children need the memory controller there.
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("0::", 0) != 0) continue;
      const fs::path own = v2 / line.substr(4);
      std::ifstream controllers(own / "cgroup.subtree_control");
      std::string list((std::istreambuf_iterator<char>(controllers)), std::istreambuf_iterator<char>());
      if (list.find("memory") != std::string::npos && ::access(own.c_str(), W_OK) == 0)
        return Root{own, true};
    }
  }
  return std::nullopt;
}

const std::optional<Root>& root() {
  static const std::optional<Root> r = [] {
    auto found = find_root();
    if (!found) return found;
    // Probe once: some hierarchies are visible and writable-looking but refuse new groups.
    const fs::path probe = found->dir / ("stratus-probe-" + random_hex(8));
    std::error_code ec;
    if (!fs::create_directory(probe, ec)) return std::optional<Root>();
    fs::remove(probe, ec);
    return found;
  }();
  return r;
}

}  // namespace

bool memory_cgroups_available() {
  return root().has_value();
}

std::unique_ptr<MemoryCgroup> MemoryCgroup::create(std::uint64_t limit_bytes) {
  const auto& r = root();
  if (!r) return nullptr;
  const fs::path dir = r->dir / ("stratus-" + std::to_string(::getpid()) + "-" + random_hex(8));
  std::error_code ec;
  if (!fs::create_directory(dir, ec)) return nullptr;
  std::unique_ptr<MemoryCgroup> group(new MemoryCgroup(dir, r->v2));
  const std::string limit = std::to_string(limit_bytes);
  const bool limited = r->v2
                           ? write_text(dir / "memory.max", limit) && write_text(dir / "memory.swap.max", "0")
                           : write_text(dir / "memory.limit_in_bytes", limit);
  if (!limited) return nullptr;  // the destructor removes the folder
  if (!r->v2) write_text(dir / "memory.swappiness", "0");
  return group;
}

MemoryCgroup::~MemoryCgroup() {
  // rmdir, not remove_all: a cgroup folder's files cannot be unlinked. Retried briefly, as the
  // kernel frees a group a moment after its last process is reaped.
  for (int i = 0; i < 50 && ::rmdir(m_path.c_str()) != 0 && errno == EBUSY; ++i) ::usleep(2000);
}

bool MemoryCgroup::oom_killed() const {
  return m_v2 ? keyed_value(m_path / "memory.events", "oom_kill") > 0
              : keyed_value(m_path / "memory.oom_control", "oom_kill") > 0;
}

}  // namespace stratus::instances

#pragma once
// A memory cgroup for one instance, where the kernel allows making one (cgroup v1's memory
// controller, or a v2 hierarchy delegated to us): the kernel then enforces the function's memory
// size on the whole process tree and counts an out-of-memory kill. Where none can be made, the
// engine falls back to sampling RSS.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace stratus::instances {

class MemoryCgroup {
 public:
  // A new group limited to `limit_bytes`, or nullptr when cgroups cannot be made here.
  static std::unique_ptr<MemoryCgroup> create(std::uint64_t limit_bytes);
  ~MemoryCgroup();  // removes the group (its processes must be gone)
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;

  const std::filesystem::path& path() const { return m_path; }  // LaunchSpec::cgroup
  // True once the kernel killed a process of the group for going over the limit.
  bool oom_killed() const;

 private:
  MemoryCgroup(std::filesystem::path path, bool v2) : m_path(std::move(path)), m_v2(v2) {}
  std::filesystem::path m_path;
  bool m_v2;
};

// Whether create() can succeed on this machine (checked once).
bool memory_cgroups_available();

}  // namespace stratus::instances

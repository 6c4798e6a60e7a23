#include "cli/package/packager.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

#include "cli/errors.hpp"
#include "cli/package/dev_dependencies.hpp"
#include "cli/package/file_tree.hpp"
#include "cli/package/patterns.hpp"
#include "cli/package/plan.hpp"
#include "cli/package/state.hpp"
#include "cli/package/zip.hpp"
#include "emulator/common/sha256.hpp"

namespace stratus::package {

namespace {

namespace fs = std::filesystem;

// Parallel zips report through one sink, one call at a time.
class SerialProgress {
 public:
  explicit SerialProgress(ui::ProgressSink* sink) : m_sink(sink) {}
  void begin(std::string_view task, std::size_t total) {
    if (m_sink == nullptr) return;
    std::lock_guard lock(m_mutex);
    m_sink->begin(task, total);
  }
  void advance(std::string_view task, std::size_t done) {
    if (m_sink == nullptr) return;
    std::lock_guard lock(m_mutex);
    m_sink->advance(task, done);
  }
  void end(std::string_view task, std::string_view summary) {
    if (m_sink == nullptr) return;
    std::lock_guard lock(m_mutex);
    m_sink->end(task, summary);
  }

 private:
  ui::ProgressSink* m_sink;
  std::mutex m_mutex;
};

struct ZipJob {
  const PlannedArtifact* plan = nullptr;
  PatternSet patterns;
  std::vector<const FileEntry*> files;
  std::string fingerprint;
  ArtifactResult result;
};

std::string files_and_size(std::size_t files, std::uint64_t size) {
  return std::to_string(files) + (files == 1 ? " file, " : " files, ") + ui::format_size(size);
}

ArtifactResult given_artifact(const PlannedArtifact& a) {
  ArtifactResult r;
  r.functions = a.functions;
  r.path = a.given_path;
  r.given = true;
  r.remote = a.remote;
  if (a.remote) return r;
  std::error_code ec;
  if (!fs::is_regular_file(a.given_path, ec))
    throw UserError(a.setting + " '" + a.given_as + "' does not exist (looked for " + a.given_path.string() +
                    "); build it first or fix the path");
  r.size = fs::file_size(a.given_path, ec);
  try {
    r.sha256 = sha256_file_hex(a.given_path);
  } catch (const std::system_error& e) {
    throw UserError(a.setting + " '" + a.given_as + "' cannot be read (" + e.code().message() +
                    "); fix its permissions");
  }
  return r;
}

std::string describe(const PlannedArtifact& a) {
  if (a.service_wide) return "the service (" + a.name + ")";
  return "function '" + a.functions.front() + "' (" + a.name + ")";
}

void select_files(ZipJob& job, const std::vector<FileEntry>& files,
                  const std::vector<std::vector<std::string_view>>& segments,
                  const manifest::Service& service) {
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!job.patterns.includes(segments[i])) continue;
    const FileEntry& f = files[i];
    if (!f.escapes_to.empty())
      throw UserError(
          f.path + " is a symlink to " + f.escapes_to +
          ", outside the service folder; stratus packages only files inside it: exclude it with '!" +
          escape_glob(f.path) + "' or replace the link with a copy");
    job.files.push_back(&f);
  }
  if (job.files.empty())
    throw UserError("no files to package for " + describe(*job.plan) +
                    ": the package patterns exclude every file; check package.patterns in " +
                    service.config_file.filename().string());
}

// The zip from an earlier run, when the state says it was built from the same inputs and its
// bytes are still the ones recorded.
bool reuse(ZipJob& job, const PackageState& state, const fs::path& out_dir) {
  auto it = state.artifacts.find(job.plan->name);
  if (it == state.artifacts.end() || it->second.fingerprint.empty() ||
      it->second.fingerprint != job.fingerprint)
    return false;
  // Racy files (git's term): one whose mtime is not older than the state file may have changed
  // again, within the same timestamp tick, after it was read; only its content could tell.
  for (const FileEntry* f : job.files)
    if (f->mtime_ns >= state.written_ns) return false;
  fs::path path = out_dir / job.plan->name;
  try {
    if (sha256_file_hex(path) != it->second.sha256) return false;
  } catch (const std::system_error&) {
    return false;
  }
  job.result.size = it->second.size;
  job.result.sha256 = it->second.sha256;
  job.result.files = it->second.files;
  job.result.reused = true;
  return true;
}

void build(ZipJob& job, const manifest::Service& service, const fs::path& out_dir,
           const PackageOptions& options, SerialProgress& progress, const std::atomic<bool>& cancel) {
  const std::string& name = job.plan->name;
  std::vector<ZipSource> sources;
  sources.reserve(job.files.size());
  fs::path root = service.dir.empty() ? fs::path(".") : service.dir;
  for (const FileEntry* f : job.files) sources.push_back({f->path, root / f->path, f->size, f->mode});
  ZipOptions zip_options;
  zip_options.level = options.compression_level;
  zip_options.cancel = &cancel;
  zip_options.on_progress = [&](std::size_t done) { progress.advance(name, done); };
  progress.begin(name, sources.size());
  ZipResult zip = write_zip(std::move(sources), out_dir / name, zip_options);
  job.result.size = zip.size;
  job.result.sha256 = zip.sha256;
  job.result.files = zip.files;
  progress.end(name, "packaged " + name + ": " + files_and_size(zip.files, zip.size));
}

// Builds the jobs, several at a time; the first failure (in plan order) is rethrown once all
// workers stopped, and the others stop at their next file.
void build_all(std::vector<ZipJob*>& pending, const manifest::Service& service, const fs::path& out_dir,
               const PackageOptions& options, SerialProgress& progress) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> cancel{false};
  std::vector<std::exception_ptr> errors(pending.size());
  auto worker = [&] {
    for (std::size_t i; (i = next++) < pending.size();) {
      try {
        build(*pending[i], service, out_dir, options, progress, cancel);
      } catch (...) {
        errors[i] = std::current_exception();
        cancel = true;
      }
    }
  };
  unsigned cores = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::size_t threads = std::min<std::size_t>(cores, pending.size());
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const ZipCancelled&) {
      continue;  // stopped because another zip failed; that one is reported
    }
  }
}

// Zips an earlier run recorded that this plan no longer makes (a function renamed, packaging
// switched to individually) would otherwise linger and be mistaken for current ones.
void remove_stale(const PackageState& before, const PackageState& now, const fs::path& out_dir) {
  for (const auto& [name, record] : before.artifacts) {
    if (now.artifacts.contains(name) || name.find('/') != std::string::npos) continue;
    std::error_code ec;
    if (fs::is_regular_file(out_dir / name, ec)) fs::remove(out_dir / name, ec);
  }
}

}  // namespace

PackageResult package_service(const manifest::Service& service, const fs::path& out_dir,
                              ui::ProgressSink* sink, const PackageOptions& options) {
  PackageResult result;
  SerialProgress progress(sink);
  Plan plan = plan_artifacts(service, out_dir);
  result.warnings = plan.warnings;

  // Given artifacts first: a missing one fails the run before any zipping.
  std::vector<ArtifactResult> given;
  for (const auto& a : plan.artifacts) {
    if (!a.given) continue;
    given.push_back(given_artifact(a));
    progress.end(a.given_as, "using " + a.setting + " " + a.given_as);
  }

  std::vector<ZipJob> jobs;
  for (const auto& a : plan.artifacts) {
    if (a.given) continue;
    ZipJob& job = jobs.emplace_back();
    job.plan = &a;
    job.patterns.add_all(a.patterns);
    job.result.functions = a.functions;
    job.result.path = out_dir / a.name;
  }

  if (!jobs.empty()) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec)
      throw UserError("cannot create the output folder " + out_dir.string() + ": " + ec.message() +
                      "; check the path and its permissions");

    DevDependencies dev;
    if (service.package.exclude_dev_dependencies) dev = find_dev_dependencies(service.dir);
    result.warnings.insert(result.warnings.end(), dev.warnings.begin(), dev.warnings.end());
    WalkOptions walk_options;
    walk_options.skip_dir = [&](std::string_view rel, std::span<const std::string_view> segments) {
      if (!dev.package_dirs.empty() && dev.package_dirs.contains(std::string(rel))) return true;
      return std::all_of(jobs.begin(), jobs.end(),
                         [&](const ZipJob& j) { return j.patterns.excludes_everything_below(segments); });
    };
    walk_options.skip_file = [&](std::string_view rel) {
      return !dev.bin_links.empty() && dev.bin_links.contains(std::string(rel));
    };
    WalkResult tree = walk_tree(service.dir.empty() ? fs::path(".") : service.dir, walk_options);
    result.warnings.insert(result.warnings.end(), tree.warnings.begin(), tree.warnings.end());

    std::vector<std::vector<std::string_view>> segments;
    segments.reserve(tree.files.size());
    for (const auto& f : tree.files) segments.push_back(split_segments(f.path));

    PackageState before = read_state(out_dir);
    std::vector<ZipJob*> pending;
    for (auto& job : jobs) {
      select_files(job, tree.files, segments, service);
      job.fingerprint = fingerprint(job.plan->name, job.plan->patterns, job.files, options.compression_level);
      if (options.incremental && reuse(job, before, out_dir)) {
        progress.end(job.plan->name,
                     job.plan->name + " is up to date: " + files_and_size(job.result.files, job.result.size));
      } else {
        pending.push_back(&job);
      }
    }
    build_all(pending, service, out_dir, options, progress);

    PackageState after;
    for (const auto& job : jobs)
      after.artifacts[job.plan->name] = {job.fingerprint, job.result.sha256, job.result.size,
                                         job.result.files};
    remove_stale(before, after, out_dir);
    write_state(out_dir, after);
  }

  auto next_given = given.begin();
  auto next_job = jobs.begin();
  for (const auto& a : plan.artifacts)
    result.artifacts.push_back(std::move(a.given ? *next_given++ : (next_job++)->result));
  return result;
}

}  // namespace stratus::package

#pragma once
// The engine: runs FunctionConfigs as pools of instances. Warm instances are reused; a cold start
// spawns one and measures its Init Duration; reservedConcurrency and the account limit throttle
// with 429 as Lambda does; a per-function local instance cap makes further requests wait for a
// free instance instead; provisioned instances start up front; idle ones are reaped. Timeouts,
// memory overruns and crashes end an instance, never the engine. Every invocation is logged
// (START / END / REPORT) and metered through the Sink.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emulator/engine/async_queue.hpp"
#include "emulator/engine/dispatcher.hpp"
#include "emulator/engine/launch.hpp"

namespace stratus::engine {

class Sink;

// A function's provisioned instances (Engine::provisioned_status).
struct ProvisionedStatus {
  int requested = 0;  // FunctionConfig::provisioned_concurrency
  int allocated = 0;  // started and initialised, idle or busy
  int available = 0;  // of those, idle now
  std::string error;  // why one failed its init (the others are then not started); "" = none did
};

struct EngineSettings {
  std::filesystem::path state_dir;  // .stratus: bootstraps and instance TMPDIRs go under it
  Sink* sink = nullptr;             // logs and ledger rows; may be null
  int account_concurrency = 1000;   // Lambda's default regional limit
  int max_instances = 0;            // per function; 0 = 2 x cores
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(1)};  // reap idle instances after this
  std::chrono::milliseconds memory_poll{20};                        // memory sampling period
  HostEnv host;                                                     // variables passed to instances
  std::vector<std::pair<std::string, std::string>> env_overrides;   // --env K=V
  // Event invocations: retries, drain, and async.journal to keep them across restarts (nullptr =
  // in memory, as `invoke local` and tests use it).
  AsyncQueueOptions async;
};

class Engine : public Dispatcher {
 public:
  // Plans every function's runtime and writes the bootstraps. Throws std::runtime_error naming a
  // function whose runtime cannot run here (see plan_runtime). Starts nothing yet.
  Engine(std::vector<FunctionConfig> functions, EngineSettings settings);
  ~Engine() override;  // stop()
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // One line per function whose runtime runs on a different interpreter version.
  const std::vector<std::string>& warnings() const;

  // Starts provisioned instances (waiting until they are ready), the reaper and the memory watch,
  // then queues again the Event invocations settings.async.journal holds (AsyncQueue::resume).
  void start();
  // Refuses new invocations, waits up to `drain` for those in flight, then ends every instance.
  void stop(std::chrono::milliseconds drain = std::chrono::seconds(5));

  std::vector<FunctionConfig> functions() const override;
  std::optional<FunctionConfig> find_function(std::string_view name_or_arn) const override;
  InvokeResult invoke(const std::string& function, InvokeRequest request) override;
  // Never blocks: the invocation runs on an engine thread, which calls `done` (at the local
  // instance cap it waits in the function's queue first). Event-loop front doors rely on this.
  void invoke_then(const std::string& function, InvokeRequest request, Done done) override;
  std::string invoke_async(const std::string& function, std::string payload) override;

  // Adds a function at run time, or replaces the one of the same name (a new configuration or new
  // code): invocations already admitted finish on the old one, later ones start fresh instances of
  // the new one, whose idle instances of the old one end now. Once start() ran, its provisioned
  // instances start on an engine thread (provisioned_status() follows them); they are never reaped
  // while the function stays, one that ends (a crash, a timeout) is replaced within a second, and
  // invocations take them before starting any other. Throws std::runtime_error,
  // changing nothing, where the constructor would (a runtime that cannot run here). Returns the plan's
  // warning ("" when none). Lookups stay cheap: one shared lock per invocation.
  std::string put_function(FunctionConfig config);
  // Removes a function: later invocations find nothing; those admitted finish, then its instances
  // end. False when no function has that deployed name. (What is removed keeps a small record in
  // the engine until it stops, so an invocation still running can never see it freed.)
  bool remove_function(const std::string& name);

  // The function's code changed: its idle instances end now, busy ones end when their invocation
  // finishes instead of being reused, and provisioned instances are started again; the next
  // invocation cold-starts (or takes a new provisioned instance). False for an unknown function.
  bool reload(const std::string& function);

  // The function's provisioned instances now (all zero for an unknown function).
  ProvisionedStatus provisioned_status(const std::string& function) const;

  // Live instances of a function (idle + busy + starting); for tests and the banner.
  int instance_count(const std::string& function) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace stratus::engine

#include "emulator/engine/engine.hpp"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/engine/async_queue.hpp"
#include "emulator/engine/instance.hpp"
#include "emulator/engine/sinks.hpp"
#include "emulator/logs/report_lines.hpp"

namespace stratus::engine {

namespace {

using runtime_api::OutcomeKind;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string error_payload(std::string_view type, std::string_view message) {
  return nlohmann::ordered_json{{"errorType", type}, {"errorMessage", message}}.dump();  // AWS's key order
}

std::string seconds_2dp(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", seconds);
  return buf;
}

int default_instance_cap() {
  const unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::max(1u, cores) * 2);
}

// "000000000000:function:name", "arn:aws:lambda:r:a:function:name[:qualifier]", "name:$LATEST"
// -> the bare name (and whether a qualifier other than $LATEST was given).
std::string bare_function_name(std::string_view id) {
  constexpr std::string_view marker = ":function:";
  if (auto at = id.find(marker); at != std::string_view::npos) id = id.substr(at + marker.size());
  if (auto colon = id.find(':'); colon != std::string_view::npos) id = id.substr(0, colon);
  return std::string(id);
}

}  // namespace

// An admitted invocation: its request, and the result and ledger row it starts from.
struct Ticket {
  InvokeRequest request;
  InvokeResult result;
  billing::LedgerRow row;
};

// An invocation waiting for an instance at the local cap: served first come, first served. A
// blocking invoke() waits on `cv` and is woken alone when an instance (or the right to start one)
// is handed to it; an invoke_then() call (`done` set) left its ticket here and returned, and is run
// by whichever engine thread the instance is handed to.
struct Waiter {
  std::condition_variable cv;
  std::unique_ptr<Instance> instance;  // a warm instance handed over
  bool may_start = false;              // or a slot to start one in (already counted in `live`)
  Ticket ticket;                       // invoke_then() only
  Dispatcher::Done done;
};

// A queued invoke_then() call, with the instance (or the slot, `cold`) handed to it.
struct Assignment {
  std::unique_ptr<Waiter> waiter;
  std::unique_ptr<Instance> instance;
  bool cold = false;
};

// An invocation ready for its instance: the event, and the times it is measured by.
struct Prepared {
  runtime_api::Invocation invocation;
  Clock::time_point begun;
  Clock::time_point deadline;
  std::optional<double> init_ms;
};

// A warm invoke_then() call in flight that no thread waits for: the reactor watches its runtime's
// socket and wake-up eventfd and finishes it when the answer is in.
struct Pool;
struct Flight {
  Pool* pool = nullptr;
  Assignment a;
  Prepared p;
  std::uint64_t key = 0;  // its instance's Instance::reactor_key
  // Guarded by flights_mutex. A flight is listed before its event leaves and armed after: an
  // event that comes in between marks it early, and arming it then has the loop drive it.
  bool armed = false;
  bool early = false;
  bool woken = false;  // its instance's wake fd fired since the last step (reactor thread only)
};

// One function: its configuration, launch plan, instances and concurrency counters.
struct Pool {
  FunctionConfig config;
  RuntimePlan plan;
  int cap = 1;  // local instance cap
  std::mutex mutex;
  std::vector<std::unique_ptr<Instance>> idle;  // most recently used last
  std::set<Instance*> busy;
  std::deque<Waiter*> waiters;    // owned by their blocked invoke(), or (invoke_then) by this queue
  int live = 0;                   // idle + busy + starting
  std::uint64_t generation = 0;   // bumped by Engine::reload; older instances are not reused
  int in_flight = 0;              // admitted invocations (running or waiting for an instance)
  std::string provisioned_error;  // why a provisioned instance failed its init ("" = none did)
  bool provisioning = false;      // a start_provisioned() runs for it
  bool retired = false;           // replaced or removed: nothing is started for it any more

  // Provisioned instances of the current code, idle or busy (not those being started).
  int provisioned_live_locked() const {
    int n = 0;
    for (const auto& instance : idle)
      if (instance->provisioned() && !instance->dead() && instance->generation == generation) ++n;
    for (const Instance* instance : busy)
      if (instance->provisioned() && !instance->dead() && instance->generation == generation) ++n;
    return n;
  }

  // Gives idle instances and free slots to the oldest waiters. Called with `mutex` held after
  // anything that frees an instance or a slot; the queued invoke_then() calls served are returned,
  // for the caller to run outside the lock.
  std::vector<Assignment> hand_over_locked() {
    std::vector<Assignment> out;
    while (!waiters.empty() && (!idle.empty() || live < cap)) {
      Waiter* w = waiters.front();
      waiters.pop_front();
      std::unique_ptr<Instance> instance;
      if (!idle.empty()) {
        instance = std::move(idle.back());
        idle.pop_back();
        busy.insert(instance.get());
      } else {
        ++live;
      }
      if (w->done) {
        const bool cold = !instance;
        out.push_back(Assignment{std::unique_ptr<Waiter>(w), std::move(instance), cold});
        continue;
      }
      w->may_start = !instance;
      w->instance = std::move(instance);
      w->cv.notify_one();
    }
    return out;
  }
};

struct Engine::Impl {
  EngineSettings settings;
  // Pools are looked up under a shared lock and changed (put_function, remove_function) under an
  // exclusive one. A replaced or removed pool moves to `retired` and lives until the engine ends:
  // the Pool& an invocation holds stays valid however long it runs.
  mutable std::shared_mutex pools_mutex;
  std::vector<std::unique_ptr<Pool>> pools;  // manifest order, then in the order added
  std::vector<std::unique_ptr<Pool>> retired;
  std::mutex setup_mutex;  // one put_function / remove_function at a time
  bool bootstraps_written = false;
  bool engine_started = false;  // start() ran: functions put later start provisioned instances
  std::vector<std::string> warnings;
  std::filesystem::path bootstrap_dir;
  std::filesystem::path tmp_root;

  std::mutex admission;  // guards the two counters below
  int unreserved_in_flight = 0;
  int unreserved_capacity = 0;

  std::atomic<bool> stopping{false};
  std::atomic<int> running{0};  // invocations in progress, for the drain
  std::mutex control;
  std::condition_variable control_cv;
  bool threads_stop = false;
  // Threads starting provisioned instances (put_function, replacements); joined once done, the rest
  // by stop(). Guarded by `control`.
  struct Provisioner {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Provisioner> provisioners;
  // With `control` held: joins the provisioners that finished, then starts one for `pool`.
  void provision(Pool& pool) {
    std::erase_if(provisioners, [](Provisioner& p) {
      if (!p.done->load()) return false;
      p.thread.join();
      return true;
    });
    auto done = std::make_shared<std::atomic<bool>>(false);
    provisioners.push_back({std::thread([this, &pool, done] {
                              start_provisioned(pool);
                              done->store(true);
                            }),
                            done});
  }
  std::thread reaper;
  std::thread watch;
  std::unique_ptr<AsyncQueue> async;  // Event invocations

  Pool* pool_for(std::string_view name) const {
    std::shared_lock lock(pools_mutex);
    for (const auto& p : pools)
      if (p->config.id() == name) return p.get();
    for (const auto& p : pools)
      if (p->config.short_name == name) return p.get();
    return nullptr;
  }

  std::unique_ptr<Instance> spawn(Pool& pool, bool provisioned) {
    std::uint64_t generation = 0;
    {
      std::lock_guard lock(pool.mutex);  // read before the start: a reload meanwhile makes it stale
      generation = pool.generation;
    }
    InstanceStart start;
    start.config = &pool.config;
    start.argv = pool.plan.argv;
    start.tmp_root = tmp_root;
    start.sink = settings.sink;
    start.provisioned = provisioned;
    start.memory_limit_bytes = static_cast<std::uint64_t>(pool.config.memory_mb) * 1024 * 1024;
    start.pass_connection = pool.plan.own_bootstrap;
    start.environment = [this, &pool](const InstanceEnv& instance) {
      return instance_environment(pool.config, settings.host, settings.env_overrides, instance);
    };
    auto instance = std::make_unique<Instance>(std::move(start));
    instance->generation = generation;
    return instance;
  }

  std::mutex reload_mutex;  // one reload at a time; stop() waits for one in progress
  void start_provisioned(Pool& pool);

  // Every pool, live and retired, for the threads that walk them (reaper, memory watch, stop).
  std::vector<Pool*> every_pool() const {
    std::shared_lock lock(pools_mutex);
    std::vector<Pool*> out;
    out.reserve(pools.size() + retired.size());
    for (const auto& p : pools) out.push_back(p.get());
    for (const auto& p : retired) out.push_back(p.get());
    return out;
  }
  // The pool ready to run `config` (its runtime planned); throws as plan_runtime does.
  std::unique_ptr<Pool> make_pool(FunctionConfig config);
  // Lambda's account limit less every reservation, after the set of functions changed.
  void recount_reservations();
  // A pool that left `pools`: its idle instances end now, busy ones when their invocation ends.
  void retire_pool(Pool& pool);

  // Admission as Lambda counts concurrency: a reserved function against its reservation, the
  // others against what the account has left after every reservation. "" = admitted.
  std::string admit(Pool& pool) {
    std::lock_guard lock(admission);
    std::lock_guard pool_lock(pool.mutex);
    if (pool.config.reserved_concurrency) {
      if (pool.in_flight >= *pool.config.reserved_concurrency)
        return "ReservedFunctionConcurrentInvocationLimitExceeded";
    } else {
      if (unreserved_in_flight >= unreserved_capacity) return "ConcurrentInvocationLimitExceeded";
      ++unreserved_in_flight;
    }
    ++pool.in_flight;
    return "";
  }

  void release_admission(Pool& pool) {
    std::lock_guard lock(admission);
    std::lock_guard pool_lock(pool.mutex);
    --pool.in_flight;
    if (!pool.config.reserved_concurrency) --unreserved_in_flight;
  }

  // A warm idle instance, or the right to start one (`cold`), when one is free and nobody waits
  // before us; false at the local instance cap.
  bool try_acquire_locked(Pool& pool, std::unique_ptr<Instance>& instance, bool& cold) {
    if (!pool.waiters.empty()) return false;
    if (!pool.idle.empty()) {
      instance = std::move(pool.idle.back());
      pool.idle.pop_back();
      pool.busy.insert(instance.get());
      cold = false;
      return true;
    }
    if (pool.live < pool.cap) {
      ++pool.live;
      cold = true;
      return true;
    }
    return false;
  }

  // A warm idle instance, or the right to start one (nullptr with `cold` set), waiting while the
  // function is at its local instance cap.
  std::unique_ptr<Instance> acquire(Pool& pool, bool& cold) {
    std::unique_lock lock(pool.mutex);
    std::unique_ptr<Instance> instance;
    if (try_acquire_locked(pool, instance, cold)) return instance;
    Waiter self;
    pool.waiters.push_back(&self);
    self.cv.wait(lock, [&] { return self.instance || self.may_start; });
    cold = !self.instance;
    return std::move(self.instance);
  }

  void mark_busy(Pool& pool, Instance* instance) {
    std::lock_guard lock(pool.mutex);
    pool.busy.insert(instance);
  }

  // Back to the idle list, or ended when it is dead; `cold` says the invocation took a slot to start
  // one. A dead instance counts against the cap until its process is gone and its threads are joined
  // (outside the lock). Returns the queued invoke_then() calls this frees an instance or a slot for.
  [[nodiscard]] std::vector<Assignment> release(Pool& pool, std::unique_ptr<Instance> instance, bool cold) {
    const bool slot_only = cold && !instance;
    std::vector<Assignment> served;
    {
      std::lock_guard lock(pool.mutex);
      if (instance) pool.busy.erase(instance.get());
      if (instance && !instance->dead() && !stopping && instance->generation == pool.generation) {
        instance->last_used = Clock::now();
        pool.idle.push_back(std::move(instance));
        served = pool.hand_over_locked();
      }
    }
    if (instance || slot_only) {
      instance.reset();
      std::lock_guard lock(pool.mutex);
      --pool.live;
      auto more = pool.hand_over_locked();
      std::move(more.begin(), more.end(), std::back_inserter(served));
    }
    return served;
  }

  // Ends instances taken off the idle list (killed and joined outside every lock), then gives
  // their slots to the queued calls.
  void retire(Pool& pool, std::vector<std::unique_ptr<Instance>> doomed) {
    const int count = static_cast<int>(doomed.size());
    doomed.clear();
    std::vector<Assignment> served;
    {
      std::lock_guard lock(pool.mutex);
      pool.live -= count;
      served = pool.hand_over_locked();
    }
    dispatch(pool, std::move(served));
  }

  // Admission: the ticket for an invocation, or the throttle result when it may not run.
  std::optional<InvokeResult> open_ticket(Pool& pool, InvokeRequest request, Ticket& ticket);
  void close_ticket(Pool& pool) {
    release_admission(pool);
    --running;
  }
  // Closes a ticket when it leaves scope, however the invocation ended.
  struct TicketGuard {
    Impl& impl;
    Pool& pool;
    ~TicketGuard() { impl.close_ticket(pool); }
  };
  // Runs an admitted invocation on `instance` (or, `cold`, on one it starts there), which stays
  // with the caller to release. Blocks until it ends.
  InvokeResult execute(Pool& pool, Ticket& ticket, std::unique_ptr<Instance>& instance, bool cold);
  // execute() in two halves around the Runtime API exchange, for the reactor.
  Prepared prepare(Pool& pool, Ticket& ticket, Instance& instance, bool cold, std::optional<double> init_ms);
  InvokeResult finish(Pool& pool, Ticket& ticket, Instance& instance, runtime_api::InvokeOutcome outcome,
                      const Prepared& p);
  InvokeResult run(Pool& pool, InvokeRequest request);
  void run_then(Pool& pool, InvokeRequest request, Dispatcher::Done done);
  // On a server thread: runs `first` (a cold start) and answers it, then the next queued cold
  // start the freed slot allows, and so on.
  void serve(Pool& pool, Assignment first);
  // Starts queued invoke_then() calls: those with a warm instance fly (start_flight), cold starts
  // go to server threads.
  void dispatch(Pool& pool, std::vector<Assignment> assignments);
  void post_task(std::function<void()> task);  // to a server thread (an idle one, else a new one)
  void server_loop();

  // The reactor: one thread drives every Flight. A warm invoke_then() call costs no thread of its
  // own: the caller writes the event, the reactor reads the answer, answers the caller's `done`,
  // and starts the next queued call on the freed instance, all on one thread.
  void start_flight(Pool& pool, Assignment a);
  void drive(Flight* flight);  // on the reactor, when its fds are readable or its deadline passed
  // Ends a flight: answers, releases the instance and starts what that frees. What may block
  // (killing a timed-out or crashed instance) does not run on the reactor: it moves to a thread.
  void land(std::unique_ptr<Flight> flight, runtime_api::InvokeOutcome outcome, bool on_reactor);
  // A flight whose exchange must block (the /next not there yet, or a body still arriving).
  void to_thread(std::unique_ptr<Flight> flight, bool started);
  void reactor_loop();
  // An instance's fds join the epoll set (edge-triggered) at its first flight and stay until they
  // close; an event's data is reactor_key * 2 (+1 for the wake fd), 0 for reactor_wake. Events of
  // instances with no flight are dropped: no epoll_ctl per invocation, and no pointer that could
  // outlive its instance.
  bool watch_locked(Instance& instance, const runtime_api::WatchFds& fds);
  int reactor_epoll = -1;
  int reactor_wake = -1;  // eventfd: stop, an early flight armed, a flight while the loop sleeps
  std::atomic<bool> reactor_stop{false};
  std::thread reactor;
  std::mutex flights_mutex;  // guards the fields below and the Instance::reactor_* fields
  std::unordered_map<std::uint64_t, Flight*> flights;  // by key; owned while listed
  std::vector<Flight*> early_armed;                    // for the loop to drive
  std::uint64_t reactor_keys = 0;
  bool reactor_sleeps = true;  // the loop's last wait had no time-out (no flight to watch)
  void reaper_loop();
  void watch_loop();

  // Threads that run queued invoke_then() calls; at most one per instance handed over at a time.
  std::mutex servers_mutex;
  std::condition_variable servers_cv;
  std::deque<std::function<void()>> server_queue;
  std::vector<std::thread> servers;
  int servers_idle = 0;
  bool servers_stop = false;
};

Engine::Engine(std::vector<FunctionConfig> functions, EngineSettings settings)
    : m_impl(std::make_unique<Impl>()) {
  Impl& s = *m_impl;
  s.settings = std::move(settings);
  s.bootstrap_dir = s.settings.state_dir / "runtime";
  s.tmp_root = s.settings.state_dir / "tmp";
  for (auto& config : functions) {
    s.pools.push_back(s.make_pool(std::move(config)));
    if (!s.pools.back()->plan.warning.empty()) {
      const std::string line =
          "function '" + s.pools.back()->config.short_name + "': " + s.pools.back()->plan.warning;
      if (std::find(s.warnings.begin(), s.warnings.end(), line) == s.warnings.end())
        s.warnings.push_back(line);
    }
  }
  s.recount_reservations();
  s.reactor_epoll = ::epoll_create1(EPOLL_CLOEXEC);
  s.reactor_wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s.reactor_epoll < 0 || s.reactor_wake < 0) {
    if (s.reactor_epoll >= 0) ::close(s.reactor_epoll);
    if (s.reactor_wake >= 0) ::close(s.reactor_wake);
    throw std::runtime_error("cannot create the engine's event loop: " + std::string(std::strerror(errno)));
  }
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.u64 = 0;
  ::epoll_ctl(s.reactor_epoll, EPOLL_CTL_ADD, s.reactor_wake, &wake);
  s.reactor = std::thread([&s] { s.reactor_loop(); });
  s.async = std::make_unique<AsyncQueue>(
      [&s](const std::string& function, InvokeRequest request) {
        Pool* pool = s.pool_for(function);
        if (!pool) throw std::invalid_argument("unknown function: " + function);
        return s.run(*pool, std::move(request));
      },
      s.settings.async);
}

Engine::~Engine() {
  stop(std::chrono::milliseconds(0));
}

const std::vector<std::string>& Engine::warnings() const {
  return m_impl->warnings;
}

void Engine::start() {
  Impl& s = *m_impl;
  {
    std::lock_guard setup(s.setup_mutex);
    s.engine_started = true;
  }
  for (Pool* pool : s.every_pool()) s.start_provisioned(*pool);
  s.reaper = std::thread([&s] { s.reaper_loop(); });
  s.watch = std::thread([&s] { s.watch_loop(); });
  // Now, not at construction: whoever handles the outcomes (destinations) is set up by then.
  s.async->resume([&s](const std::string& name) -> std::optional<FunctionConfig> {
    const Pool* pool = s.pool_for(name);
    if (!pool) return std::nullopt;
    return pool->config;
  });
}

void Engine::stop(std::chrono::milliseconds drain) {
  Impl& s = *m_impl;
  s.async->stop();  // events due now run (within its drain); the rest are dropped
  s.stopping = true;
  { std::lock_guard wait_for_reload(s.reload_mutex); }
  const auto until = Clock::now() + drain;
  while (s.running.load() > 0 && Clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    std::lock_guard lock(s.control);
    s.threads_stop = true;
  }
  s.control_cv.notify_all();
  if (s.reaper.joinable()) s.reaper.join();
  if (s.watch.joinable()) s.watch.join();
  std::vector<Impl::Provisioner> provisioners;
  {
    std::lock_guard lock(s.control);
    provisioners.swap(s.provisioners);
  }
  for (auto& p : provisioners) p.thread.join();
  for (Pool* pool : s.every_pool()) {
    std::vector<std::unique_ptr<Instance>> idle;
    {
      std::lock_guard lock(pool->mutex);
      idle.swap(pool->idle);
      pool->live -= static_cast<int>(idle.size());
      // Invocations still running past the drain: their instances die now; run() sees it.
      for (Instance* busy : pool->busy) busy->kill();
    }
    idle.clear();
  }
  while (s.running.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (s.reactor.joinable()) {  // no flight is left: each held a ticket
    s.reactor_stop = true;
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(s.reactor_wake, &one, sizeof one);
    s.reactor.join();
    ::close(s.reactor_epoll);
    ::close(s.reactor_wake);
  }
  std::vector<std::thread> servers;
  {
    std::lock_guard lock(s.servers_mutex);
    s.servers_stop = true;
    servers.swap(s.servers);
  }
  s.servers_cv.notify_all();
  for (auto& thread : servers) thread.join();
}

std::vector<FunctionConfig> Engine::functions() const {
  std::shared_lock lock(m_impl->pools_mutex);
  std::vector<FunctionConfig> out;
  for (const auto& pool : m_impl->pools) out.push_back(pool->config);
  return out;
}

std::unique_ptr<Pool> Engine::Impl::make_pool(FunctionConfig config) {
  auto pool = std::make_unique<Pool>();
  pool->config = std::move(config);
  if (pool->config.short_name.empty()) pool->config.short_name = pool->config.name;
  pool->cap = settings.max_instances > 0 ? settings.max_instances : default_instance_cap();
  if (runtime_family(pool->config.runtime) != RuntimeFamily::provided && !bootstraps_written) {
    write_bootstraps(bootstrap_dir);
    bootstraps_written = true;
  }
  pool->plan = plan_runtime(pool->config, bootstrap_dir);
  return pool;
}

void Engine::Impl::recount_reservations() {
  int reserved = 0;
  {
    std::shared_lock lock(pools_mutex);
    for (const auto& pool : pools) reserved += pool->config.reserved_concurrency.value_or(0);
  }
  std::lock_guard lock(admission);
  unreserved_capacity = std::max(0, settings.account_concurrency - reserved);
}

void Engine::Impl::retire_pool(Pool& pool) {
  std::lock_guard one_at_a_time(reload_mutex);
  std::vector<std::unique_ptr<Instance>> doomed;
  {
    std::lock_guard lock(pool.mutex);
    ++pool.generation;  // busy instances are stale: release() ends them
    pool.retired = true;
    doomed.swap(pool.idle);
  }
  retire(pool, std::move(doomed));
}

std::string Engine::put_function(FunctionConfig config) {
  Impl& s = *m_impl;
  std::lock_guard setup(s.setup_mutex);
  std::unique_ptr<Pool> fresh = s.make_pool(std::move(config));
  Pool* added = fresh.get();
  const std::string warning = fresh->plan.warning;
  Pool* old = nullptr;
  {
    std::unique_lock lock(s.pools_mutex);
    auto it = std::find_if(s.pools.begin(), s.pools.end(),
                           [&](const auto& p) { return p->config.id() == added->config.id(); });
    if (it != s.pools.end()) {
      old = it->get();
      s.retired.push_back(std::move(*it));
      *it = std::move(fresh);
    } else {
      s.pools.push_back(std::move(fresh));
    }
  }
  s.recount_reservations();
  if (old) s.retire_pool(*old);
  // In the background: the caller (a control-plane request) answers at once, and the status says
  // how many are ready meanwhile.
  if (s.engine_started && !s.stopping && added->config.provisioned_concurrency > 0) {
    std::lock_guard lock(s.control);
    s.provision(*added);
  }
  return warning;
}

bool Engine::remove_function(const std::string& name) {
  Impl& s = *m_impl;
  std::lock_guard setup(s.setup_mutex);
  Pool* old = nullptr;
  {
    std::unique_lock lock(s.pools_mutex);
    auto it =
        std::find_if(s.pools.begin(), s.pools.end(), [&](const auto& p) { return p->config.id() == name; });
    if (it == s.pools.end()) return false;
    old = it->get();
    s.retired.push_back(std::move(*it));
    s.pools.erase(it);
  }
  s.recount_reservations();
  s.retire_pool(*old);
  return true;
}

std::optional<FunctionConfig> Engine::find_function(std::string_view name_or_arn) const {
  if (const Pool* pool = m_impl->pool_for(bare_function_name(name_or_arn))) return pool->config;
  return std::nullopt;
}

void Engine::Impl::start_provisioned(Pool& pool) {
  {
    std::lock_guard lock(pool.mutex);
    if (pool.provisioning) return;  // the one running goes on until the count is right
    pool.provisioning = true;
  }
  for (;;) {
    {
      std::lock_guard lock(pool.mutex);
      if (stopping || pool.retired || !pool.provisioned_error.empty() ||
          pool.provisioned_live_locked() >= pool.config.provisioned_concurrency) {
        pool.provisioning = false;
        return;
      }
    }
    std::unique_ptr<Instance> instance;
    std::string error;
    try {
      instance = spawn(pool, true);
      // Lambda's init phase limit: 10 s.
      switch (instance->wait_ready(Clock::now() + std::chrono::seconds(10))) {
        case runtime_api::ReadyState::ready: break;
        case runtime_api::ReadyState::init_error: error = "the function's init failed"; break;
        case runtime_api::ReadyState::gone: error = "the runtime exited during init"; break;
        case runtime_api::ReadyState::timeout: error = "the init did not finish within 10 s"; break;
      }
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
    if (!error.empty()) {  // no use starting the others: they would fail the same way
      instance.reset();
      std::lock_guard lock(pool.mutex);
      pool.provisioned_error = error;
      pool.provisioning = false;
      return;
    }
    std::vector<Assignment> served;
    {
      std::lock_guard lock(pool.mutex);
      if (stopping || instance->generation != pool.generation) continue;  // ended outside the lock
      ++pool.live;
      instance->last_used = Clock::now();
      pool.idle.push_back(std::move(instance));
      served = pool.hand_over_locked();
    }
    dispatch(pool, std::move(served));
  }
}

bool Engine::reload(const std::string& function) {
  Impl& s = *m_impl;
  Pool* pool = s.pool_for(bare_function_name(function));
  if (!pool) return false;
  std::lock_guard one_at_a_time(s.reload_mutex);
  if (s.stopping) return true;
  std::vector<std::unique_ptr<Instance>> doomed;
  {
    std::lock_guard lock(pool->mutex);
    ++pool->generation;  // busy instances are now stale: release() ends them
    doomed.swap(pool->idle);
  }
  s.retire(*pool, std::move(doomed));
  s.start_provisioned(*pool);
  return true;
}

ProvisionedStatus Engine::provisioned_status(const std::string& function) const {
  ProvisionedStatus status;
  Pool* pool = m_impl->pool_for(function);
  if (!pool) return status;
  std::lock_guard lock(pool->mutex);
  status.requested = pool->config.provisioned_concurrency;
  for (const auto& instance : pool->idle)
    if (instance->provisioned() && !instance->dead()) ++status.available;
  status.allocated = status.available;
  for (const Instance* instance : pool->busy)
    if (instance->provisioned() && !instance->dead()) ++status.allocated;
  status.error = pool->provisioned_error;
  return status;
}

int Engine::instance_count(const std::string& function) const {
  Pool* pool = m_impl->pool_for(function);
  if (!pool) return 0;
  std::lock_guard lock(pool->mutex);
  return pool->live;
}

InvokeResult Engine::invoke(const std::string& function, InvokeRequest request) {
  Pool* pool = m_impl->pool_for(bare_function_name(function));
  if (!pool) throw std::invalid_argument("unknown function: " + function);
  return m_impl->run(*pool, std::move(request));
}

std::string Engine::invoke_async(const std::string& function, std::string payload) {
  Pool* pool = m_impl->pool_for(bare_function_name(function));
  if (!pool) throw std::invalid_argument("unknown function: " + function);
  return m_impl->async->enqueue(pool->config, std::move(payload));
}

void Engine::invoke_then(const std::string& function, InvokeRequest request, Done done) {
  Pool* pool = m_impl->pool_for(bare_function_name(function));
  if (!pool) throw std::invalid_argument("unknown function: " + function);
  m_impl->run_then(*pool, std::move(request), std::move(done));
}

std::optional<InvokeResult> Engine::Impl::open_ticket(Pool& pool, InvokeRequest request, Ticket& ticket) {
  const FunctionConfig& config = pool.config;
  InvokeResult& result = ticket.result;
  result.request_id = request.request_id.empty() ? new_request_id() : request.request_id;
  result.executed_version = config.version;
  billing::LedgerRow& row = ticket.row;
  row.function = config.name;
  row.request_id = result.request_id;
  row.start_unix_ms = unix_ms_now();
  row.memory_mb = config.memory_mb;
  row.architecture = config.architecture;
  ticket.request = std::move(request);

  if (stopping) {
    result.status = InvokeStatus::throttled;
    result.throttle_reason = "ServiceShuttingDown";
    return std::move(result);
  }
  if (std::string reason = admit(pool); !reason.empty()) {
    result.status = InvokeStatus::throttled;
    result.throttle_reason = reason;
    row.outcome = billing::Outcome::throttled;
    row.error_type = "TooManyRequestsException";
    if (settings.sink) settings.sink->ledger(row);
    return std::move(result);
  }
  ++running;
  return std::nullopt;
}

InvokeResult Engine::Impl::run(Pool& pool, InvokeRequest request) {
  Ticket ticket;
  if (auto rejected = open_ticket(pool, std::move(request), ticket)) return std::move(*rejected);
  TicketGuard guard{*this, pool};
  bool cold = false;
  std::unique_ptr<Instance> instance = acquire(pool, cold);
  InvokeResult result = execute(pool, ticket, instance, cold);
  dispatch(pool, release(pool, std::move(instance), cold));
  return result;
}

void Engine::Impl::run_then(Pool& pool, InvokeRequest request, Dispatcher::Done done) {
  auto waiter = std::make_unique<Waiter>();
  if (auto rejected = open_ticket(pool, std::move(request), waiter->ticket)) {
    done(std::move(*rejected));
    return;
  }
  waiter->done = std::move(done);
  Assignment now;
  {
    std::lock_guard lock(pool.mutex);
    if (!try_acquire_locked(pool, now.instance, now.cold)) {
      pool.waiters.push_back(waiter.release());  // run by the thread an instance is handed to
      return;
    }
  }
  now.waiter = std::move(waiter);
  std::vector<Assignment> one;
  one.push_back(std::move(now));
  dispatch(pool, std::move(one));
}

void Engine::Impl::serve(Pool& pool, Assignment first) {
  std::optional<Assignment> next(std::move(first));
  while (next) {
    Assignment a = std::move(*next);
    next.reset();
    std::vector<Assignment> served;
    {
      TicketGuard guard{*this, pool};
      InvokeResult result = execute(pool, a.waiter->ticket, a.instance, a.cold);
      // The instance is idle again before the caller hears back: a client that sends its next
      // request the moment it has the answer finds it warm, not busy (a needless cold start).
      served = release(pool, std::move(a.instance), a.cold);
      a.waiter->done(std::move(result));
    }
    for (auto it = served.begin(); it != served.end(); ++it) {
      if (it->cold) {  // a cold start stays on this thread
        next = std::move(*it);
        served.erase(it);
        break;
      }
    }
    dispatch(pool, std::move(served));
  }
}

void Engine::Impl::dispatch(Pool& pool, std::vector<Assignment> assignments) {
  for (auto& a : assignments) {
    if (!a.cold) {
      start_flight(pool, std::move(a));
      continue;
    }
    auto box = std::make_shared<Assignment>(std::move(a));
    post_task([this, &pool, box] { serve(pool, std::move(*box)); });
  }
}

void Engine::Impl::post_task(std::function<void()> task) {
  std::lock_guard lock(servers_mutex);
  server_queue.push_back(std::move(task));
  if (servers_idle > 0)
    servers_cv.notify_one();
  else
    servers.emplace_back([this] { server_loop(); });
}

void Engine::Impl::server_loop() {
  std::unique_lock lock(servers_mutex);
  for (;;) {
    ++servers_idle;
    servers_cv.wait(lock, [&] { return servers_stop || !server_queue.empty(); });
    --servers_idle;
    if (server_queue.empty()) return;  // stopping
    auto task = std::move(server_queue.front());
    server_queue.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

void Engine::Impl::start_flight(Pool& pool, Assignment a) {
  auto flight = std::make_unique<Flight>();
  flight->pool = &pool;
  flight->a = std::move(a);
  flight->p = prepare(pool, flight->a.waiter->ticket, *flight->a.instance, false, std::nullopt);
  Instance& instance = *flight->a.instance;
  runtime_api::RuntimeApiServer& api = instance.api();
  Flight* raw = flight.get();
  {
    std::lock_guard lock(flights_mutex);
    if (instance.reactor_key == 0) instance.reactor_key = ++reactor_keys;
    raw->key = instance.reactor_key;
    flights.emplace(raw->key, raw);
  }
  const bool started = api.try_start(flight->p.invocation, flight->p.deadline);
  bool wake_loop = false;
  {
    std::lock_guard lock(flights_mutex);
    if (started && watch_locked(instance, api.watch_fds())) {
      flight.release()->armed = true;
      if (raw->early) early_armed.push_back(raw);
      wake_loop = raw->early || std::exchange(reactor_sleeps, false);
    } else {
      flights.erase(raw->key);
    }
  }
  if (flight) return to_thread(std::move(flight), started);
  if (wake_loop) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(reactor_wake, &one, sizeof one);
  }
}

bool Engine::Impl::watch_locked(Instance& instance, const runtime_api::WatchFds& fds) {
  auto add = [&](int fd, std::uint64_t data) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = data;
    return ::epoll_ctl(reactor_epoll, EPOLL_CTL_ADD, fd, &ev) == 0 || errno == EEXIST;
  };
  if (fds.socket >= 0 && fds.connection != instance.reactor_connection) {
    if (!add(fds.socket, instance.reactor_key * 2)) return false;
    instance.reactor_connection = fds.connection;
  }
  if (!instance.reactor_wake) {
    if (!add(fds.wake, instance.reactor_key * 2 + 1)) return false;
    instance.reactor_wake = true;
  }
  return true;
}

void Engine::Impl::drive(Flight* flight) {
  runtime_api::RuntimeApiServer& api = flight->a.instance->api();
  bool blocked = false;
  std::optional<runtime_api::InvokeOutcome> outcome = api.step(std::exchange(flight->woken, false), blocked);
  if (!outcome && !blocked) return;  // still waiting
  {
    std::lock_guard lock(flights_mutex);
    flights.erase(flight->key);
  }
  std::unique_ptr<Flight> owned(flight);
  if (blocked) return to_thread(std::move(owned), true);
  land(std::move(owned), std::move(*outcome), true);
}

void Engine::Impl::to_thread(std::unique_ptr<Flight> flight, bool started) {
  auto box = std::make_shared<std::unique_ptr<Flight>>(std::move(flight));
  auto run = [this, box, started] {
    Flight& f = **box;
    runtime_api::RuntimeApiServer& api = f.a.instance->api();
    runtime_api::InvokeOutcome outcome =
        started ? api.finish_blocking() : api.invoke(f.p.invocation, f.p.deadline);
    land(std::move(*box), std::move(outcome), false);
  };
  post_task(std::move(run));
}

void Engine::Impl::land(std::unique_ptr<Flight> flight, runtime_api::InvokeOutcome outcome, bool on_reactor) {
  const bool may_block = outcome.kind == OutcomeKind::timeout || outcome.kind == OutcomeKind::instance_gone ||
                         outcome.kind == OutcomeKind::init_error;
  if (on_reactor && may_block) {
    auto box = std::make_shared<std::pair<std::unique_ptr<Flight>, runtime_api::InvokeOutcome>>(
        std::move(flight), std::move(outcome));
    post_task([this, box] { land(std::move(box->first), std::move(box->second), false); });
    return;
  }
  Pool& pool = *flight->pool;
  Assignment& a = flight->a;
  std::vector<Assignment> served;
  {
    TicketGuard guard{*this, pool};
    InvokeResult result = finish(pool, a.waiter->ticket, *a.instance, std::move(outcome), flight->p);
    served = release(pool, std::move(a.instance), false);  // idle before the answer, as in serve()
    a.waiter->done(std::move(result));
  }
  dispatch(pool, std::move(served));
}

void Engine::Impl::reactor_loop() {
  ::pthread_setname_np(::pthread_self(), "engine-loop");  // for top -H, perf --sort comm
  epoll_event events[64];
  std::vector<Flight*> ready;
  int timeout_ms = -1;  // with flights, deadlines are checked at least every 100 ms
  while (!reactor_stop) {
    const int n = ::epoll_wait(reactor_epoll, events, 64, timeout_ms);
    if (n < 0 && errno != EINTR) break;
    ready.clear();
    {
      std::lock_guard lock(flights_mutex);
      for (int i = 0; i < n; ++i) {
        const std::uint64_t data = events[i].data.u64;
        if (data == 0) {
          std::uint64_t count;
          [[maybe_unused]] auto got = ::read(reactor_wake, &count, sizeof count);
          continue;
        }
        auto it = flights.find(data / 2);
        if (it == flights.end()) continue;  // an idle instance's runtime, or one that is gone
        Flight* f = it->second;
        if (data % 2 == 1) f->woken = true;
        if (f->armed)
          ready.push_back(f);
        else
          f->early = true;
      }
      ready.insert(ready.end(), early_armed.begin(), early_armed.end());
      early_armed.clear();
      const auto now = Clock::now();
      for (const auto& [key, f] : flights)
        if (f->armed && now >= f->p.deadline) ready.push_back(f);
      // A flight started while the loop sleeps without a time-out wakes it (start_flight).
      reactor_sleeps = flights.empty();
      timeout_ms = reactor_sleeps ? -1 : 100;
    }
    std::sort(ready.begin(), ready.end());
    ready.erase(std::unique(ready.begin(), ready.end()), ready.end());
    for (Flight* f : ready) drive(f);
  }
}

InvokeResult Engine::Impl::execute(Pool& pool, Ticket& ticket, std::unique_ptr<Instance>& instance,
                                   bool cold) {
  const FunctionConfig& config = pool.config;
  InvokeResult& result = ticket.result;
  billing::LedgerRow& row = ticket.row;
  if (stopping && cold) {  // waited through a shutdown: start nothing new
    result.status = InvokeStatus::throttled;
    result.throttle_reason = "ServiceShuttingDown";
    return std::move(result);
  }
  std::optional<double> init_ms;
  if (cold) {
    try {
      instance = spawn(pool, false);
    } catch (const std::exception& e) {
      result.status = InvokeStatus::function_error;
      result.error_type = "Runtime.InvalidEntrypoint";
      result.payload = error_payload(result.error_type, e.what());
      row.outcome = billing::Outcome::error;
      row.error_type = result.error_type;
      if (settings.sink) settings.sink->ledger(row);
      return std::move(result);
    }
    mark_busy(pool, instance.get());
    const auto init_limit =
        std::max(std::chrono::milliseconds(10'000), std::chrono::milliseconds(config.timeout_s * 1000LL));
    instance->wait_ready(instance->spawned_at() + init_limit);
    if (auto first = instance->first_next_at()) init_ms = ms_between(instance->spawned_at(), *first);
  }
  Prepared p = prepare(pool, ticket, *instance, cold, init_ms);
  runtime_api::InvokeOutcome outcome = instance->invoke(p.invocation, p.deadline);
  return finish(pool, ticket, *instance, std::move(outcome), p);
}

Prepared Engine::Impl::prepare(Pool& pool, Ticket& ticket, Instance& instance, bool cold,
                               std::optional<double> init_ms) {
  const FunctionConfig& config = pool.config;
  InvokeRequest& request = ticket.request;
  InvokeResult& result = ticket.result;
  result.cold = cold;
  ticket.row.cold = cold;
  instance.begin(result.request_id, request.want_log || cold,
                 logs::start_line(result.request_id, config.version), cold);
  Prepared p;
  p.init_ms = init_ms;
  runtime_api::Invocation& invocation = p.invocation;
  invocation.request_id = result.request_id;
  invocation.event = std::move(request.payload);
  invocation.invoked_function_arn = request.invoked_arn.empty() ? config.arn() : request.invoked_arn;
  invocation.trace_id = new_trace_id();
  invocation.client_context = std::move(request.client_context);
  p.begun = Clock::now();
  const auto timeout = std::chrono::milliseconds(config.timeout_s * 1000LL);
  p.deadline = p.begun + timeout;
  invocation.deadline_ms = unix_ms_now() + timeout.count();
  return p;
}

InvokeResult Engine::Impl::finish(Pool& pool, Ticket& ticket, Instance& inst,
                                  runtime_api::InvokeOutcome outcome, const Prepared& p) {
  const FunctionConfig& config = pool.config;
  InvokeRequest& request = ticket.request;
  InvokeResult& result = ticket.result;
  billing::LedgerRow& row = ticket.row;
  Instance* instance = &inst;
  const auto timeout = std::chrono::milliseconds(config.timeout_s * 1000LL);
  const std::optional<double>& init_ms = p.init_ms;
  const auto finished = outcome.answered_at.value_or(Clock::now());
  double duration_ms = ms_between(p.begun, finished);

  std::vector<std::string> extra_lines;  // platform lines between the function's output and END
  auto fail = [&](billing::Outcome kind, std::string type, std::string payload) {
    result.status = InvokeStatus::function_error;
    result.error_type = std::move(type);
    result.payload = std::move(payload);
    row.outcome = kind;
    row.error_type = result.error_type;
  };
  switch (outcome.kind) {
    case OutcomeKind::success:
      result.payload = std::move(outcome.body);
      if (!outcome.content_type.empty()) result.content_type = outcome.content_type;
      break;
    case OutcomeKind::function_error:
    case OutcomeKind::init_error:
      fail(billing::Outcome::error, outcome.error_type, std::move(outcome.body));
      if (outcome.kind == OutcomeKind::init_error) instance->kill();  // Lambda resets a failed init
      break;
    case OutcomeKind::response_too_large:
      fail(billing::Outcome::error, outcome.error_type, std::move(outcome.body));
      break;
    case OutcomeKind::timeout: {
      instance->kill();
      duration_ms = static_cast<double>(timeout.count());
      const std::string message = "RequestId: " + result.request_id + " Error: Task timed out after " +
                                  seconds_2dp(config.timeout_s) + " seconds";
      fail(billing::Outcome::timeout, "Sandbox.Timedout", error_payload("Sandbox.Timedout", message));
      extra_lines.push_back(logs::timeout_line(unix_ms_now(), result.request_id, duration_ms));
      break;
    }
    case OutcomeKind::instance_gone: {
      const instances::ExitStatus status = instance->kill();
      const bool oom = instance->out_of_memory();
      const std::string crash = logs::crash_line(
          result.request_id, {status.signaled, status.signaled ? status.signal : status.code});
      const std::string type = oom ? "Runtime.OutOfMemory" : "Runtime.ExitError";
      fail(oom ? billing::Outcome::oom : billing::Outcome::error, type, error_payload(type, crash));
      extra_lines.push_back(crash);
      extra_lines.push_back(type);
      break;
    }
  }

  // An instance killed over its memory used all of it, as Lambda's REPORT says: the sampled RSS
  // misses the kernel's count at the kill (a memory cgroup charges more than RSS) or overshoots it
  // (a sample kills only once past the limit).
  const std::uint64_t peak = row.outcome == billing::Outcome::oom
                                 ? static_cast<std::uint64_t>(config.memory_mb) * 1024 * 1024
                                 : instance->peak_rss_bytes();
  std::optional<logs::LogRecord> start;
  std::vector<std::string> collected = instance->end(start);
  logs::ReportInput report{result.request_id, duration_ms, init_ms, config.memory_mb, peak};
  extra_lines.push_back(logs::end_line(result.request_id));
  extra_lines.push_back(logs::report_line(report));
  std::vector<logs::LogRecord> closing;
  if (start) closing.push_back(std::move(*start));
  const std::int64_t now_ms = unix_ms_now();
  for (auto& line : extra_lines) {
    collected.push_back(line);
    closing.push_back(logs::LogRecord{config.name, result.request_id, now_ms, logs::LogSource::platform,
                                      std::move(line), instance->log_stream()});
  }
  if (settings.sink) settings.sink->log_many(closing);
  if (request.want_log) {
    for (const auto& line : collected) {
      result.log += line;
      result.log += '\n';
    }
  }

  row.duration_ms = duration_ms;
  row.init_duration_ms = init_ms;
  row.billed_ms = logs::billed_duration_ms(report);
  row.max_memory_used_mb = logs::max_memory_used_mb(peak);
  if (settings.sink) settings.sink->ledger(row);
  return std::move(result);
}

void Engine::Impl::reaper_loop() {
  std::unique_lock lock(control);
  while (!threads_stop) {
    control_cv.wait_for(lock, std::chrono::milliseconds(std::min<long long>(
                                  1000, std::max<long long>(10, settings.idle_timeout.count() / 4))));
    if (threads_stop) break;
    const auto now = Clock::now();
    bool reaped = false;
    for (Pool* pool : every_pool()) {
      std::vector<std::unique_ptr<Instance>> doomed;
      {
        std::lock_guard pool_lock(pool->mutex);
        auto& idle = pool->idle;
        for (auto it = idle.begin(); it != idle.end();) {
          if (!(*it)->provisioned() && now - (*it)->last_used >= settings.idle_timeout) {
            doomed.push_back(std::move(*it));
            it = idle.erase(it);
          } else {
            ++it;
          }
        }
      }
      if (doomed.empty()) continue;
      lock.unlock();
      retire(*pool, std::move(doomed));
      reaped = true;
      lock.lock();
    }
    // A provisioned instance that ended (a crash, a timeout, its memory) is replaced, as Lambda
    // keeps the configured number warm. Not while a reload runs: it starts them itself.
    std::vector<Pool*> short_of_provisioned;
    if (std::unique_lock no_reload(reload_mutex, std::try_to_lock); no_reload) {
      std::shared_lock pools_lock(pools_mutex);
      for (const auto& pool : pools) {
        std::lock_guard pool_lock(pool->mutex);
        if (pool->config.provisioned_concurrency > 0 && !pool->provisioning &&
            pool->provisioned_error.empty() &&
            pool->provisioned_live_locked() < pool->config.provisioned_concurrency)
          short_of_provisioned.push_back(pool.get());
      }
    }
    for (Pool* pool : short_of_provisioned)
      if (!stopping) provision(*pool);
    // The load is over: what the allocator kept for it (every thread's arena) goes back to the
    // system, so the emulator returns to its idle footprint.
    if (reaped && running.load() == 0) ::malloc_trim(0);
  }
}

void Engine::Impl::watch_loop() {
  std::unique_lock lock(control);
  for (unsigned tick = 0; !threads_stop; ++tick) {
    control_cv.wait_for(lock, settings.memory_poll);
    if (threads_stop) break;
    lock.unlock();
    const bool whole_tree = tick % 5 == 0;
    for (Pool* pool : every_pool()) {
      const std::uint64_t limit = static_cast<std::uint64_t>(pool->config.memory_mb) * 1024 * 1024;
      std::lock_guard pool_lock(pool->mutex);
      for (Instance* instance : pool->busy) {
        // In a memory cgroup the kernel enforces the limit on the whole tree: scanning /proc for
        // the tree would only cost syscalls.
        if (instance->sample_rss(whole_tree && !instance->kernel_limited()) > limit && !instance->dead()) {
          instance->mark_out_of_memory();
          ::kill(-instance->pgid(), SIGKILL);
        }
      }
    }
    lock.lock();
  }
}

}  // namespace stratus::engine

#pragma once
// `stratus serve`: the engine as a long-running, multi-account function platform behind Lambda's
// own API. One HTTP port serves
//   - the Lambda API (control plane, see control_plane.hpp, and Invoke, see
//     triggers/invoke_api/invoke_api.hpp), every request SigV4-signed with a key of the keys file
//     (auth::verify, 15 minutes of clock skew at most). A request that fails the check gets 403 with
//     AWS's error shape (x-amzn-ErrorType: InvalidSignatureException, UnrecognizedClientException,
//     MissingAuthenticationTokenException, IncompleteSignatureException) and changes nothing.
//   - STS GetCallerIdentity (see sts.hpp) for requests whose credential scope names sts (an unsigned
//     query-protocol request is STS's too, and gets STS's XML error).
//   - CloudWatch Logs FilterLogEvents / DescribeLogGroups (see logs_api.hpp) for scope logs: the
//     caller's functions' logs, kept in logs.db (log_store.hpp, a week at most).
//   - function URLs (AuthType NONE, not signed): /_url/<url-id>/<path>, payload format 2.0, through
//     the HTTP trigger.
// Each account runs its own engine (its own concurrency limit, as a Lambda account has), so one
// account's names never reach another's functions.
//
// State under the data dir: serve.db (the registry), logs.db (function logs), functions/<account>/<name>/code
// (the code; versions/<N> beside it, each published version's), state/<account>/ (the engine's bootstraps and
// instances' /tmp), trash/ (deleted code on its way out).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "emulator/engine/launch.hpp"
#include "emulator/net/http_server.hpp"
#include "emulator/platform/keys.hpp"

namespace stratus::engine {
class Sink;
}

namespace stratus::platform {

struct PlatformSettings {
  std::filesystem::path data_dir;
  KeyRing keys{{}};
  std::string region = "us-east-1";
  engine::HostEnv host;          // variables passed to instances
  engine::Sink* sink = nullptr;  // function logs (also kept in logs.db) and ledger rows; may be null
  std::int64_t max_skew_seconds = 15 * 60;
};

class Platform {
 public:
  // Opens the registry and puts every registered function into its account's engine. Throws
  // std::runtime_error when the data dir or its database cannot be used.
  explicit Platform(PlatformSettings settings);
  ~Platform();  // stop()
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  // Functions found at start that are not served (see ControlPlane::load).
  const std::vector<std::string>& warnings() const;
  std::size_t function_count() const;

  // net::AsyncHandler: thread-safe; blocks on control-plane calls (unpacking a zip), never on an
  // invocation (answered from the engine's thread).
  void handle(const net::Request& request, net::Responder responder);

  // Engines drain (up to `drain`) and end their instances. Idempotent.
  void stop(std::chrono::milliseconds drain = std::chrono::seconds(5));

  // A thread per connection (control-plane calls block), bodies up to CreateFunction's limit.
  static net::ServerOptions server_options();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace stratus::platform

// The error model shared by every layer.
//
// Lower layers (core, connectors) return Result<T> = std::expected<T, Error>.
// Commands either propagate an Error or throw CommandError (which carries one);
// cli/ catches once, prints "daoctl: error: ..." and maps ErrorKind to the exit
// codes documented in daoctl(1) and DESIGN.md. Nothing else decides exit codes.
#pragma once

#include <expected>
#include <stdexcept>
#include <string>
#include <utility>

namespace daoctl {

enum class ErrorKind {
  Usage,        // bad flags or arguments                         -> 2
  Config,       // bad config/job file, missing setting           -> 2
  Auth,         // 401/403, LDAP bind refused                      -> 4
  NotFound,     // 404, unknown object                             -> 7
  Conflict,     // 409/412: exists already, ETag mismatch          -> 1
  Validation,   // 400/422: the server or a validator refused data -> 1
  Safety,       // a guard refused: threshold, empty source, sha   -> 5
  Partial,      // some items failed, the rest were applied        -> 3
  Locked,       // another run holds the lock                      -> 6
  Network,      // connect/TLS/timeout/reset after retries         -> 1
  Remote,       // 5xx or unexpected reply after retries           -> 1
  Io,           // local file system                               -> 1
  Parse,        // malformed input (names file:line:column)        -> 1 (2 for config files: use Config)
  Interrupted,  // SIGINT/SIGTERM                                  -> 130
  Internal,     // a bug                                           -> 1
};

// Process exit codes (DESIGN.md, "Exit codes").
namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int failure = 1;
inline constexpr int usage = 2;
inline constexpr int partial = 3;
inline constexpr int auth = 4;
inline constexpr int safety = 5;
inline constexpr int locked = 6;
inline constexpr int not_found = 7;
inline constexpr int changes_pending = 8;
inline constexpr int interrupted = 130;
}  // namespace exit_code

int exit_code_for(ErrorKind kind) noexcept;
const char* to_string(ErrorKind kind) noexcept;

// What failed, on which object, why, and what to do next.
// `message` is the one-line summary ("cannot create user jdoe");
// `object` names the thing ("user jdoe", "GET /scim/v2/Users/42", "sync.yaml:12:5");
// `detail` is the cause as the peer said it (problem+json detail, SCIM detail,
// LDAP diagnostic, errno text); `hint` is the next step for a human.
// Messages never contain secrets: callers redact before constructing.
struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;
  std::string object;
  std::string detail;
  std::string hint;
  int http_status = 0;  // 0 when not an HTTP error
  // A 409 for an external id already taken: the id of the object that holds
  // it, from the platform's `existing_id` field (empty otherwise). Typed, so
  // an importer never reads it back out of human text.
  std::string existing_id;

  // "message (object): detail" — the form printed after "daoctl: error: ".
  std::string describe() const;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string message, std::string object = {},
                                   std::string detail = {}, std::string hint = {}) {
  Error e;
  e.kind = kind;
  e.message = std::move(message);
  e.object = std::move(object);
  e.detail = std::move(detail);
  e.hint = std::move(hint);
  return std::unexpected<Error>(std::move(e));
}

// Thrown by commands to end the command with a typed error; caught in cli/.
class CommandError : public std::runtime_error {
 public:
  explicit CommandError(Error e) : std::runtime_error(e.describe()), error_(std::move(e)) {}
  CommandError(ErrorKind kind, std::string message, std::string object = {},
               std::string detail = {}, std::string hint = {})
      : CommandError(Error{kind, std::move(message), std::move(object), std::move(detail),
                           std::move(hint), 0, {}}) {}
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

// Unwraps a Result or throws CommandError with its Error. For commands only.
template <class T>
T value_or_throw(Result<T>&& r) {
  if (!r) throw CommandError(std::move(r.error()));
  return std::move(*r);
}
inline void value_or_throw(Status&& r) {
  if (!r) throw CommandError(std::move(r.error()));
}

}  // namespace daoctl

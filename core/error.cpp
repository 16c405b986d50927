#include "core/error.hpp"

namespace daoctl {

int exit_code_for(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::Usage:
    case ErrorKind::Config:
      return exit_code::usage;
    case ErrorKind::Auth:
      return exit_code::auth;
    case ErrorKind::NotFound:
      return exit_code::not_found;
    case ErrorKind::Safety:
      return exit_code::safety;
    case ErrorKind::Partial:
      return exit_code::partial;
    case ErrorKind::Locked:
      return exit_code::locked;
    case ErrorKind::Interrupted:
      return exit_code::interrupted;
    case ErrorKind::Conflict:
    case ErrorKind::Validation:
    case ErrorKind::Network:
    case ErrorKind::Remote:
    case ErrorKind::Io:
    case ErrorKind::Parse:
    case ErrorKind::Internal:
      return exit_code::failure;
  }
  return exit_code::failure;
}

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::Usage: return "usage";
    case ErrorKind::Config: return "config";
    case ErrorKind::Auth: return "auth";
    case ErrorKind::NotFound: return "not_found";
    case ErrorKind::Conflict: return "conflict";
    case ErrorKind::Validation: return "validation";
    case ErrorKind::Safety: return "safety";
    case ErrorKind::Partial: return "partial";
    case ErrorKind::Locked: return "locked";
    case ErrorKind::Network: return "network";
    case ErrorKind::Remote: return "remote";
    case ErrorKind::Io: return "io";
    case ErrorKind::Parse: return "parse";
    case ErrorKind::Interrupted: return "interrupted";
    case ErrorKind::Internal: return "internal";
  }
  return "internal";
}

std::string Error::describe() const {
  std::string s = message;
  if (!object.empty()) s += " (" + object + ")";
  if (!detail.empty()) s += ": " + detail;
  return s;
}

}  // namespace daoctl

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

namespace {

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "file:line:column" with a non-empty file part: a place in a file, as the
// parsers name it (a URL's "host:port" has one number and is not one).
bool is_position(std::string_view s) {
  const auto last = s.rfind(':');
  if (last == std::string_view::npos || !digits(s.substr(last + 1))) return false;
  const auto head = s.substr(0, last);
  const auto prev = head.rfind(':');
  return prev != std::string_view::npos && prev > 0 && digits(head.substr(prev + 1));
}

// `word` occurs in `text` between spaces, quotes or the ends (so a short
// object is not "found" inside another word).
bool names(std::string_view text, std::string_view word) {
  if (word.size() < 2) return false;
  const auto edge = [](char c) { return c == ' ' || c == '\'' || c == '"' || c == ':' || c == ','; };
  for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const auto end = at + word.size();
    if ((at == 0 || edge(text[at - 1])) && (end == text.size() || edge(text[end]))) return true;
  }
  return false;
}

}  // namespace

// Each detail is said once (issue 19):
//  - an error at a place in a file reads "file:line:column: message: detail",
//    as compilers print it, not "message (file:line:column): detail";
//  - when the detail already starts at a place in the file the error names
//    ("invalid sync job a.yaml (a.yaml): a.yaml:3:1: unknown key ..."), the
//    detail is the whole text: its positions name the file;
//  - a message that names its object already does not repeat it in brackets.
std::string Error::describe() const {
  if (!object.empty() && detail.size() > object.size() + 1 && detail.starts_with(object + ":") &&
      digits(detail.substr(object.size() + 1, 1)))
    return detail;
  std::string s;
  if (!object.empty() && is_position(object)) {
    s = object + ": " + message;
  } else {
    s = message;
    if (!object.empty() && !names(message, object)) s += " (" + object + ")";
  }
  if (!detail.empty()) s += ": " + detail;
  return s;
}

}  // namespace daoctl

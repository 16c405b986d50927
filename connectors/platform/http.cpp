#include "connectors/platform/http.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace daoctl::http {

namespace {

}  // namespace

void set_header(Request& req, const std::string& name, const std::string& value) {
  for (auto& h : req.headers)
    if (text::iequals(h.name, name)) {
      h.value = value;
      return;
    }
  req.headers.push_back({name, value});
}

std::optional<std::string> Response::header(std::string_view name) const {
  auto it = headers.find(text::lower_ascii(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::string_view reason_phrase(long status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::string redact_header_value(std::string_view name, std::string_view value) {
  const std::string key = text::lower_ascii(name);
  if (key == "authorization" || key == "proxy-authorization") {
    // Keep the scheme so a trace still shows which kind of credential went out.
    auto space = value.find(' ');
    if (space == std::string_view::npos) return "***";
    return std::string(value.substr(0, space)) + " ***";
  }
  if (key == "cookie" || key == "set-cookie" || key == "x-api-key" || key == "api-key" ||
      key == "x-auth-token") {
    return "***";
  }
  return std::string(value);
}

}  // namespace daoctl::http

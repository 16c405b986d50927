// RFC 3161 trusted timestamps over a backup's signed manifest, with
// OpenSSL's TS API: a TimeStampReq (SHA-256 imprint, random nonce, the TSA's
// certificate requested) POSTed to a TSA as application/timestamp-query, the
// TimeStampResp checked against the request (TS_RESP_verify_response: the
// version, imprint and nonce; the signature too with a CA) and kept whole
// (DER) as NAME.manifest.json.tsr, so `openssl ts -verify -in
// NAME.manifest.json.tsr -data NAME.manifest.json -CAfile CA.pem` accepts it.
// The platform's token is never sent to a TSA: it is another service.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace daoctl::crypto {

struct TimestampInfo {
  std::string time;       // genTime, RFC 3339 (UTC)
  std::string policy;     // the TSA policy OID
  std::string serial;     // hex
  bool signature_checked = false;  // against a CA file
};

// Asks the TSA at `url` for a token over `data` (its SHA-256); checks the
// answer against the request (and its signature when `ca_file` is not empty).
// Returns the TimeStampResp's DER. Errors: Network/Remote naming the URL
// (no answer, an HTTP error, a rejection with the TSA's status text),
// Safety (an answer for another request or with a bad signature).
Result<std::string> request_timestamp(const std::string& url, std::string_view data, const std::string& ca_file,
                                      std::chrono::seconds timeout);

// Checks a stored TimeStampResp (DER) against `data`: its imprint must be
// the data's digest; with `ca_file` the TSA's signature must chain to it.
// Errors: Safety naming `object` and what failed ("over another digest",
// "signature cannot be verified: ..."), Parse for bytes that are no token.
Result<TimestampInfo> verify_timestamp(std::string_view response_der, std::string_view data, const std::string& ca_file,
                                       const std::string& object);

}  // namespace daoctl::crypto

#include "connectors/crypto/timestamp.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>

namespace daoctl::crypto {

namespace {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using TsReq = std::unique_ptr<TS_REQ, Deleter<TS_REQ, TS_REQ_free>>;
using TsResp = std::unique_ptr<TS_RESP, Deleter<TS_RESP, TS_RESP_free>>;
using TsVerify = std::unique_ptr<TS_VERIFY_CTX, Deleter<TS_VERIFY_CTX, TS_VERIFY_CTX_free>>;

// The OpenSSL error queue as one line (emptied).
std::string openssl_errors() {
  std::string out;
  unsigned long e;
  char buf[256];
  while ((e = ERR_get_error()) != 0) {
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "no detail from OpenSSL" : out;
}

bool imprint_mismatch(const std::string& errors) { return errors.find("message imprint mismatch") != std::string::npos; }

std::string rfc3339(const ASN1_GENERALIZEDTIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

TimestampInfo info_of(TS_RESP* resp, bool signature_checked) {
  TimestampInfo info;
  info.signature_checked = signature_checked;
  TS_TST_INFO* tst = TS_RESP_get_tst_info(resp);
  if (!tst) return info;
  info.time = rfc3339(TS_TST_INFO_get_time(tst));
  char oid[128];
  if (ASN1_OBJECT* policy = TS_TST_INFO_get_policy_id(tst); policy && OBJ_obj2txt(oid, sizeof oid, policy, 1) > 0)
    info.policy = oid;
  if (const ASN1_INTEGER* serial = TS_TST_INFO_get_serial(tst)) {
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr)) {
      char* hex = BN_bn2hex(bn);
      info.serial = hex ? hex : "";
      OPENSSL_free(hex);
      BN_free(bn);
    }
  }
  return info;
}

// Adds the signature check against `ca_file` to a verify context.
Status add_ca(TS_VERIFY_CTX* ctx, const std::string& ca_file, const std::string& object) {
  X509_STORE* store = X509_STORE_new();
  if (!store || X509_STORE_load_file(store, ca_file.c_str()) != 1) {
    X509_STORE_free(store);
    return fail(ErrorKind::Config, "cannot read the timestamp CA file", ca_file, openssl_errors(),
                "pass the PEM certificate of the CA that issued the TSA's certificate");
  }
  TS_VERIFY_CTX_set_store(ctx, store);
  TS_VERIFY_CTX_add_flags(ctx, TS_VFY_SIGNATURE);
  (void)object;
  return {};
}

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

Result<std::string> request_timestamp(const std::string& url, std::string_view data, const std::string& ca_file,
                                      std::chrono::seconds timeout) {
  ERR_clear_error();
  unsigned char digest[32];
  unsigned int digest_len = 0;
  EVP_Digest(data.data(), data.size(), digest, &digest_len, EVP_sha256(), nullptr);
  TsReq req(TS_REQ_new());
  TS_REQ_set_version(req.get(), 1);
  TS_MSG_IMPRINT* imprint = TS_MSG_IMPRINT_new();
  X509_ALGOR* algo = X509_ALGOR_new();
  X509_ALGOR_set0(algo, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr);
  TS_MSG_IMPRINT_set_algo(imprint, algo);
  TS_MSG_IMPRINT_set_msg(imprint, digest, static_cast<int>(digest_len));
  TS_REQ_set_msg_imprint(req.get(), imprint);
  X509_ALGOR_free(algo);
  TS_MSG_IMPRINT_free(imprint);
  unsigned char nonce_bytes[8];
  RAND_bytes(nonce_bytes, sizeof nonce_bytes);
  nonce_bytes[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(nonce_bytes, sizeof nonce_bytes, nullptr);
  ASN1_INTEGER* nonce = BN_to_ASN1_INTEGER(bn, nullptr);
  TS_REQ_set_nonce(req.get(), nonce);
  ASN1_INTEGER_free(nonce);
  BN_free(bn);
  TS_REQ_set_cert_req(req.get(), 1);
  unsigned char* der = nullptr;
  int der_len = i2d_TS_REQ(req.get(), &der);
  if (der_len <= 0) return fail(ErrorKind::Internal, "cannot encode the timestamp request", url, openssl_errors());
  std::string query(reinterpret_cast<char*>(der), static_cast<std::size_t>(der_len));
  OPENSSL_free(der);

  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  std::string body;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/timestamp-query");
  headers = curl_slist_append(headers, "Accept: application/timestamp-reply");
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, query.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(query.size()));
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode rc = curl_easy_perform(curl.get());
  curl_slist_free_all(headers);
  if (rc != CURLE_OK)
    return fail(ErrorKind::Network, "the timestamp authority did not answer", url, curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    return fail(ErrorKind::Remote, fmt::format("the timestamp authority answered {}", status), url,
                body.substr(0, 300));
  const unsigned char* p = reinterpret_cast<const unsigned char*>(body.data());
  TsResp resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(body.size())));
  if (!resp) return fail(ErrorKind::Remote, "the timestamp authority's answer is not a TimeStampResp", url, openssl_errors());
  // The answer must be for this request: version, imprint, nonce (and the signature with a CA).
  TsVerify ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
  if (!ctx) return fail(ErrorKind::Internal, "cannot check the timestamp", url, openssl_errors());
  // TS_REQ_to_TS_VERIFY_CTX leaves the signer check on; without a CA there is
  // no store to check it against, so only the answer's fit is checked here.
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
  if (!ca_file.empty())
    if (auto st = add_ca(ctx.get(), ca_file, url); !st) return std::unexpected(st.error());
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1)
    return fail(ErrorKind::Safety, "the timestamp authority's answer does not fit the request", url, openssl_errors());
  return body;
}

Result<TimestampInfo> verify_timestamp(std::string_view response_der, std::string_view data, const std::string& ca_file,
                                       const std::string& object) {
  ERR_clear_error();
  const unsigned char* p = reinterpret_cast<const unsigned char*>(response_der.data());
  TsResp resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response_der.size())));
  if (!resp)
    return fail(ErrorKind::Safety, "the timestamp token cannot be read", object,
                "not a DER TimeStampResp: " + openssl_errors());
  TsVerify ctx(TS_VERIFY_CTX_new());
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_DATA);
  BIO* bio = BIO_new_mem_buf(data.data(), static_cast<int>(data.size()));
  TS_VERIFY_CTX_set_data(ctx.get(), bio);
  if (!ca_file.empty())
    if (auto st = add_ca(ctx.get(), ca_file, object); !st) return std::unexpected(st.error());
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    auto errors = openssl_errors();
    if (imprint_mismatch(errors))
      return fail(ErrorKind::Safety, "the timestamp token is over another digest than the signed manifest's", object,
                  errors, "the token belongs to another file; timestamp this backup again");
    return fail(ErrorKind::Safety, "the timestamp token cannot be verified", object, errors,
                ca_file.empty() ? "" : "check --timestamp-ca: the CA that issued the TSA's certificate");
  }
  return info_of(resp.get(), !ca_file.empty());
}

}  // namespace daoctl::crypto

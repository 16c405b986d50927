// Reads the sources of a sync job into records: LDAP directories (with the
// "disabled" signal computed per flavor), CSV/TSV files, JSON files and HTTP
// JSON APIs. A source is read completely or not at all: any failure, a
// truncated file, a size limit, a failed page, is an error, so the sync's
// guards never mistake a broken read for "everyone left".
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connectors/hr/csv_source.hpp"
#include "connectors/hr/http_json_source.hpp"
#include "connectors/platform/http.hpp"
#include "core/error.hpp"
#include "core/hr/record.hpp"
#include "core/sync/job.hpp"

namespace daoctl::sources {

// Reading an ldap source through RFC 4533 content sync (sync apply
// --incremental, sync watch): from `cookie` only the entries added or
// changed since and the entryUUIDs deleted; without one every entry, as a
// normal read. Records are the same as a normal read's.
struct LdapChanges {
  std::string cookie;  // in: "" = everything
  // Each record's entryUUID, before the record goes to the sink.
  std::function<void(std::string_view uuid, const hr::SourceRecord& record)> on_uuid;
  std::function<Status(std::string_view uuid)> on_delete;
  // out
  std::string new_cookie;  // "" when the server sent none (nothing changed)
  bool stale = false;      // the cookie is too old: nothing was delivered that counts; read again without it
  long deletes = 0;
};

struct SourceReadOptions {
  std::string base_dir;  // relative paths in the job file are relative to it
  std::chrono::sys_seconds now{};
  // Creates the transport for http_json sources.
  std::function<std::unique_ptr<http::Transport>(const std::string& ca_file)> make_transport;
  // Set: every record goes here, on the reading thread, instead of into
  // SourceData::records (which stays empty; report.records counts them).
  hr::RecordSink on_record;
  // Set: an ldap source is read through content sync (LdapChanges).
  LdapChanges* changes = nullptr;
  // An http_json source: the validators of its last applied read; set, the
  // read is conditional (sync watch; http_json_source.hpp says when a read
  // is "not modified"). Other source types ignore them.
  std::vector<hr::HttpValidator> http_validators;
};

struct SourceData {
  std::string name;
  std::vector<hr::SourceRecord> records;  // empty when SourceReadOptions::on_record took them
  hr::ReadReport report;
  std::chrono::milliseconds elapsed{0};
  // What the read found odd but not wrong (a membership cycle, a group search
  // that found no groups), for the plan's warnings.
  std::vector<std::string> warnings;
  // An http_json source: every page answered 304 to http_validators (no
  // records, report.complete false), and the validators this read returned
  // to save once its changes are applied (empty when it cannot be conditional).
  bool not_modified = false;
  std::vector<hr::HttpValidator> http_validators;
};

// Reads one source, delivering the job's fields (`fields`) per record. LDAP
// records also carry `dn`, `disabled` ("true"/"false") and `disabled_reason`.
// Errors name the source: "cannot read source ad" with the cause.
Result<SourceData> read_source(const sync::SourceSpec& source, const std::vector<std::string>& fields,
                               const SourceReadOptions& options);

// The options a csv source is read with (paths relative to `base_dir`).
Result<hr::CsvSourceOptions> csv_options(const sync::SourceSpec& source, const std::string& base_dir);

// For `sync validate` and `doctor --job`: a csv source whose file is here has
// a known header, so every column the job names must be in it (Config error
// from sync::check_fields). Ok for other sources and for a file not here.
Status check_csv_header(const sync::SourceSpec& source, const std::string& base_dir);

// A secret named in a job file: `<prefix>_env`, `<prefix>_file` or
// `<prefix>_command` of `config`; empty when none is given.
Result<std::string> read_secret(const nlohmann::json& config, const std::string& prefix,
                                const std::string& base_dir, const std::string& object);

// The local files a job's csv and json sources read (paths resolved against
// `base_dir`, the job file's directory), for sync watch to wait on.
std::vector<std::string> local_source_files(const sync::JobSpec& job, const std::string& base_dir);

// Follows an ldap source's people search with RFC 4533 refreshAndPersist
// (sync watch): `on_change` for every change the server reports since
// `cookie`, `on_live` once the search is established, until `should_stop()`
// (returns ok) or the connection fails (the error; the caller reconnects).
Status follow_ldap_source(const sync::SourceSpec& source, const SourceReadOptions& options, const std::string& cookie,
                          const std::function<void()>& on_change, const std::function<void()>& on_live,
                          const std::function<bool()>& should_stop);

}  // namespace daoctl::sources

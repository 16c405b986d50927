// Sends a ContentSet to the platform: plan (what exists already) and apply
// (create what is missing, N requests in flight).
//
// Idempotence: every object is POSTed with its derived external_id; the
// platform answers 409 with the existing id for one that exists, which apply
// counts as "existing" and uses like a fresh id. Reactions (one per user and
// post) and invitations (already invited users keep their state) are
// idempotent by nature. So a run killed at any point and started again
// converges to the same content with no duplicates, without local state.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "connectors/platform/client.hpp"
#include "core/content/authors.hpp"
#include "core/content/model.hpp"

namespace daoctl::content {

struct ItemOutcome {
  std::string kind;  // community|badge|file|post|comment|reaction|event|invitation|award
  std::string external_id;
  std::string where;
  std::string outcome;  // created|existing|skipped|failed
  std::string id;       // platform id when created or existing
  std::string error;    // why it failed
};

struct KindTotals {
  std::int64_t created = 0, existing = 0, skipped = 0, failed = 0;
};

struct ImportReport {
  std::map<std::string, KindTotals> totals;  // by kind
  std::vector<ItemOutcome> failures;
  std::vector<ItemOutcome> skipped;  // not importable, not an error (a file the export only links to)
  std::vector<std::string> fallback_authors;  // source keys sent to the fallback account
  std::int64_t failed() const;
};

struct ImportOptions {
  std::map<std::string, std::string> author_mapping;
  std::string fallback_author;
  std::size_t batch_size = 500;  // requests in the making at once (posts, comments, reactions stream through)
  // The bytes of an attachment (from the source tree or the manifest's folder).
  std::function<Result<std::string>(const Attachment&)> read_attachment;
  // Called after every finished item: done so far, total.
  std::function<void(std::int64_t, std::int64_t)> progress;
  // Called for every item outcome (per-item report).
  std::function<void(const ItemOutcome&)> on_item;
};

// The platform's users, for author mapping (SCIM, every page).
Result<std::vector<PlatformUser>> fetch_platform_users(platform::PlatformClient& client);

struct ImportPlan {
  ContentCounts counts;
  std::map<std::string, std::int64_t> existing;  // kind -> how many of the source's exist already
  std::map<std::string, std::string> author_rules;  // source key -> "email -> jdoe" / "fallback -> admin"
  std::vector<std::string> unmapped_authors;
};

// Counts, and which posts/events/communities exist already (by external id).
Result<ImportPlan> plan_import(platform::PlatformClient& client, const ContentSet& set, const ImportOptions& options);

// Creates what is missing. Errors only for what stops the whole run (users
// cannot be listed, the mapping names nobody); item failures are in the report.
Result<ImportReport> apply_import(platform::PlatformClient& client, const ContentSet& set, const ImportOptions& options);

// The id a 409 names as existing (Error::existing_id, from the platform's
// `existing_id` field); empty when there is none.
std::string existing_id_of(const Error& error);

}  // namespace daoctl::content

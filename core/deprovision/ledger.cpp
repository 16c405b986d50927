#include "core/deprovision/ledger.hpp"

#include <algorithm>

namespace daoctl::deprovision {

using nlohmann::json;

bool LedgerEntry::did(std::string_view step) const {
  return std::find(done.begin(), done.end(), step) != done.end();
}

json Ledger::to_json() const {
  json accounts = json::array();
  for (const auto& [id, e] : entries)
    accounts.push_back({{"id", e.id},
                        {"externalId", e.external_id},
                        {"userName", e.user_name},
                        {"reason", e.reason},
                        {"blocked_at", e.blocked_at},
                        {"blocked_by", e.blocked_by},
                        {"manager_id", e.manager_id},
                        {"transfer_to", e.transfer_to},
                        {"done", e.done},
                        {"state", e.state}});
  return {{"version", 1}, {"accounts", accounts}};
}

Result<Ledger> Ledger::from_json(const json& doc, const std::string& file) {
  Ledger l;
  if (!doc.is_object() || doc.value("version", 0) != 1 || !doc.contains("accounts") || !doc["accounts"].is_array())
    return fail(ErrorKind::Config, "malformed deprovisioning ledger", file,
                "expected {\"version\": 1, \"accounts\": [...]}",
                "restore it from a backup; deleting it restarts every grace period and stops reactivations");
  std::size_t i = 0;
  try {
    for (const auto& a : doc["accounts"]) {
      LedgerEntry e;
      e.id = a.at("id").get<std::string>();
      e.external_id = a.value("externalId", "");
      e.user_name = a.value("userName", "");
      e.reason = a.value("reason", "");
      e.blocked_at = a.at("blocked_at").get<std::string>();
      e.blocked_by = a.at("blocked_by").get<std::string>();
      e.manager_id = a.value("manager_id", "");
      e.transfer_to = a.value("transfer_to", "");
      e.done = a.value("done", std::vector<std::string>{});
      e.state = a.value("state", "blocked");
      l.entries[e.id] = std::move(e);
      ++i;
    }
  } catch (const json::exception& ex) {
    return fail(ErrorKind::Config, "malformed deprovisioning ledger", file,
                "/accounts/" + std::to_string(i) + ": " + ex.what());
  }
  return l;
}

}  // namespace daoctl::deprovision

// Mapping of source people to platform users.
//
// Order of rules for one source user: (1) the mapping file, by the user's
// key, e-mail or user name, naming a platform user by id, userName or
// e-mail; (2) the platform user with the same e-mail; (3) the same userName;
// (4) the same externalId (the source's external id, else its key). E-mails
// and user names compare case-insensitively (ASCII). Whoever matches nothing
// goes to the fallback account, and is listed so the report can name them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/content/model.hpp"
#include "core/error.hpp"

namespace daoctl::content {

struct PlatformUser {
  std::string id;
  std::string user_name;
  std::string external_id;
  std::vector<std::string> emails;
};

struct AuthorResolution {
  std::string user_id;
  std::string user_name;
  bool fallback = false;
  std::string rule;  // "mapping", "email", "userName", "externalId", "fallback"
};

class AuthorDirectory {
 public:
  // `mapping`: source key/e-mail/user name -> platform id, userName or e-mail.
  // `fallback`: a platform id, userName or e-mail; empty = no fallback.
  // Errors (Config): a mapping target or the fallback names no platform user.
  static Result<AuthorDirectory> build(std::vector<PlatformUser> users,
                                       const std::map<std::string, std::string>& mapping,
                                       const std::string& fallback);

  // The platform user for a source key (users not in `known` are looked up by
  // the key alone). nullopt: no rule matched and there is no fallback.
  std::optional<AuthorResolution> resolve(const std::string& key,
                                          const std::map<std::string, SourceUser>& known);
  // Source keys that went to the fallback account (or had none), sorted.
  const std::set<std::string>& unmapped() const { return unmapped_; }

 private:
  const PlatformUser* find_platform(const std::string& ref) const;

  std::vector<PlatformUser> users_;
  std::map<std::string, std::size_t> by_id_, by_email_, by_user_name_, by_external_id_;
  std::map<std::string, const PlatformUser*> mapping_;  // lower-cased source ref -> user
  const PlatformUser* fallback_ = nullptr;
  std::map<std::string, std::optional<AuthorResolution>> cache_;
  std::set<std::string> unmapped_;
};

// Parses a mapping file: YAML or JSON, a map of source ref -> platform ref,
// either at the top level or under "authors:". Errors name file:line:column.
Result<std::map<std::string, std::string>> parse_author_mapping(std::string_view text,
                                                                std::string_view file_name);

}  // namespace daoctl::content

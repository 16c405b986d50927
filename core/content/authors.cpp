#include "core/content/authors.hpp"

#include <algorithm>

#include "core/schema/yaml_json.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::content {

namespace {

}  // namespace

const PlatformUser* AuthorDirectory::find_platform(const std::string& ref) const {
  for (const auto* index : {&by_id_, &by_user_name_, &by_email_}) {
    auto it = index->find(index == &by_id_ ? ref : text::lower_ascii(ref));
    if (it != index->end()) return &users_[it->second];
  }
  return nullptr;
}

Result<AuthorDirectory> AuthorDirectory::build(std::vector<PlatformUser> users,
                                               const std::map<std::string, std::string>& mapping,
                                               const std::string& fallback) {
  AuthorDirectory d;
  d.users_ = std::move(users);
  for (std::size_t i = 0; i < d.users_.size(); ++i) {
    const auto& u = d.users_[i];
    d.by_id_.emplace(u.id, i);
    if (!u.user_name.empty()) d.by_user_name_.emplace(text::lower_ascii(u.user_name), i);
    if (!u.external_id.empty()) d.by_external_id_.emplace(u.external_id, i);
    for (const auto& e : u.emails) d.by_email_.emplace(text::lower_ascii(e), i);
  }
  for (const auto& [source, target] : mapping) {
    const auto* user = d.find_platform(target);
    if (!user)
      return fail(ErrorKind::Config, "the author mapping names an unknown platform user", "mapping of " + source,
                  "\"" + target + "\" is no platform user id, userName or e-mail",
                  "create the user first or correct the mapping file");
    d.mapping_.emplace(text::lower_ascii(source), user);
  }
  if (!fallback.empty()) {
    d.fallback_ = d.find_platform(fallback);
    if (!d.fallback_)
      return fail(ErrorKind::Config, "the fallback author is not a platform user", "--fallback-author",
                  "\"" + fallback + "\" is no platform user id, userName or e-mail");
  }
  return d;
}

std::optional<AuthorResolution> AuthorDirectory::resolve(const std::string& key,
                                                         const std::map<std::string, SourceUser>& known) {
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  SourceUser source;
  source.key = key;
  if (auto it = known.find(key); it != known.end()) source = it->second;
  auto make = [](const PlatformUser* u, const char* rule) {
    return AuthorResolution{u->id, u->user_name, false, rule};
  };
  std::optional<AuthorResolution> found;
  for (const auto& ref : {source.key, source.email, source.user_name}) {
    if (ref.empty() || found) continue;
    if (auto it = mapping_.find(text::lower_ascii(ref)); it != mapping_.end()) found = make(it->second, "mapping");
  }
  if (!found && !source.email.empty())
    if (auto it = by_email_.find(text::lower_ascii(source.email)); it != by_email_.end()) found = make(&users_[it->second], "email");
  if (!found && !source.user_name.empty())
    if (auto it = by_user_name_.find(text::lower_ascii(source.user_name)); it != by_user_name_.end())
      found = make(&users_[it->second], "userName");
  if (!found) {
    const auto& ext = source.external_id.empty() ? source.key : source.external_id;
    if (auto it = by_external_id_.find(ext); it != by_external_id_.end()) found = make(&users_[it->second], "externalId");
  }
  if (!found) {
    unmapped_.insert(key);
    if (fallback_) found = AuthorResolution{fallback_->id, fallback_->user_name, true, "fallback"};
  }
  cache_.emplace(key, found);
  return found;
}

Result<std::map<std::string, std::string>> parse_author_mapping(std::string_view text, std::string_view file_name) {
  auto doc = schema::parse_yaml(text, file_name);
  if (!doc) return std::unexpected(doc.error());
  const nlohmann::json* root = &doc->value;
  std::string prefix;
  if (root->is_object() && root->contains("authors")) {
    root = &(*root)["authors"];
    prefix = "/authors";
  }
  auto where = [&](const std::string& pointer) {
    auto pos = doc->positions.find(pointer);
    return pos ? std::string(file_name) + ":" + std::to_string(pos->line) + ":" + std::to_string(pos->column)
               : std::string(file_name);
  };
  if (root->is_null()) return std::map<std::string, std::string>{};
  if (!root->is_object())
    return fail(ErrorKind::Config, "the author mapping must be a map of source user -> platform user", where(prefix));
  std::map<std::string, std::string> out;
  for (auto& [source, target] : root->items()) {
    auto pointer = prefix + "/" + schema::escape_pointer_token(source);
    if (!target.is_string() || target.get<std::string>().empty())
      return fail(ErrorKind::Config, "the author mapping must map to a platform id, userName or e-mail",
                  where(pointer), pointer + ": got " + target.dump());
    out.emplace(source, target.get<std::string>());
  }
  return out;
}

}  // namespace daoctl::content

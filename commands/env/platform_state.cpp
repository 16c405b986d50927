// What env diff, apply and export-env compare: the platform's state.
#include "commands/env/env_commands.hpp"

#include "commands/common/scim_lookup.hpp"
#include "commands/policy/settings_api.hpp"
#include "connectors/platform/catalogue_api.hpp"
#include "connectors/platform/departments_api.hpp"
#include "connectors/platform/users_api.hpp"

namespace daoctl::commands {

namespace {

// Every item of a native listing (`api`: DepartmentsApi or CatalogueApi,
// whose pages are named by `path`), type-checked by `check`
// (platform::Answer) as it arrives.
template <class Api>
std::vector<json> list_all(Api api, const std::string& path, void (*check)(const platform::Answer&)) {
  std::vector<json> items;
  long long number = 0;
  value_or_throw(api.list([&](const json& page) {
    check_page(page, "page " + std::to_string(++number) + " of " + path, "/items", check);
    for (const auto& item : page) items.push_back(item);
  }));
  return items;
}

// A community or badge: what plan_env and the applier read of it.
void check_catalogue_item(const platform::Answer& a) {
  a.required<std::string>("/id");
  for (const char* field : {"/external_id", "/name", "/description", "/visibility", "/icon_file_id"})
    a.check(field, platform::JsonKind::String);
  a.check("/owners", platform::JsonKind::Array);
  a.check("/members", platform::JsonKind::Array);
  a.check("/member_count", platform::JsonKind::Integer);
}

}  // namespace

env::PlatformState fetch_platform_state(CommandContext& ctx, bool with_posts,
                                        std::map<std::string, std::string>* etags) {
  env::PlatformState state;
  auto read = [&](const char* name) {
    auto doc = get_setting(ctx, name);
    if (etags) (*etags)[name] = doc.etag;
    return std::move(doc.body);
  };
  state.password_policy = read("password-policy");
  state.registration = read("registration");
  {
    const json rules = read("keyword-rules");
    state.keyword_rules = platform::Answer(rules, "keyword-rules").array("/rules");
  }
  state.branding = read("branding");
  const platform::Answer branding(state.branding, "branding");
  if (value_or_throw(branding.find<std::string>("/logo_url"))) state.logo = get_branding_image(ctx, "logo");
  if (value_or_throw(branding.find<std::string>("/favicon_url")))
    state.favicon = get_branding_image(ctx, "favicon");
  using platform::Catalogue;
  using platform::CatalogueApi;
  auto& client = ctx.client();
  state.departments = list_all(platform::DepartmentsApi(client), platform::DepartmentsApi::kPath, check_department);
  long long page_number = 0;
  value_or_throw(platform::UsersApi(client).list("", 1000, [&](const json& page) {
    check_page(page, "page " + std::to_string(++page_number) + " of " + platform::UsersApi::kPath, "/Resources",
               check_user);
    for (const auto& u : page) state.users.push_back(u);
  }));
  for (auto [which, into] : {std::pair{Catalogue::Communities, &state.communities},
                             std::pair{Catalogue::Badges, &state.badges}})
    *into = list_all(CatalogueApi(client, which), CatalogueApi::path_of(which), check_catalogue_item);
  state.posts_supported = false;
  if (with_posts) {
    std::vector<json> posts;
    auto listed = CatalogueApi(client, Catalogue::Posts).list([&](const json& page) {
      for (const auto& p : page) posts.push_back(p);
    });
    if (listed) {
      state.posts = std::move(posts);
      state.posts_supported = true;
    } else if (listed.error().http_status != 404) {
      throw CommandError(std::move(listed.error()));
    }
  }
  return state;
}

}  // namespace daoctl::commands

// What each template brings to an import: its name, the permission it needs,
// its columns and its row handler; and what the handlers share.

#include "import/import_kinds.h"

#include <fmt/format.h>

#include "roster/text.h"

namespace roster {

const std::vector<TemplateKind>& template_kinds() {
  static const std::vector<TemplateKind> kKinds = {
      {"users", ImportKind::kUsers},
      {"roles", ImportKind::kRoles},
      {"sources", ImportKind::kSources},
      {"sales-channels", ImportKind::kSalesChannels},
      {"applications", ImportKind::kApplications},
      {"permissions", std::nullopt},
  };
  return kKinds;
}

std::string_view kind_name(ImportKind kind) {
  for (const TemplateKind& k : template_kinds()) {
    if (k.import == kind) return k.name;
  }
  return "users";
}

std::optional<ImportKind> import_kind(std::string_view name) {
  for (const TemplateKind& k : template_kinds()) {
    if (k.name == name) return k.import;
  }
  return std::nullopt;
}

std::string_view required_permission(ImportKind kind) {
  switch (kind) {
    case ImportKind::kUsers:
    case ImportKind::kApplications:
      return kUsersPermission;
    case ImportKind::kRoles:
      return "configuration.roles";
    case ImportKind::kSources:
    case ImportKind::kSalesChannels:
      return "stock.sources";
  }
  return kUsersPermission;
}

std::string hint_for(std::string_view value, const std::vector<std::string>& candidates,
                     std::string_view fallback) {
  if (auto best = closest_match(value, candidates)) {
    return fmt::format("; did you mean \"{}\"?", *best);
  }
  return std::string(fallback);
}

std::pair<std::string_view, std::string> grant_cell(const GrantDenial& grant,
                                                    const Directory& dir) {
  switch (grant.what) {
    case Grant::kRole: {
      const Role* role = dir.role_by_id(grant.id);
      return {col::kRole, role ? role->name : std::string()};
    }
    case Grant::kAllSources:
      return {col::kAllSources, "1"};
    case Grant::kAllChannels:
      return {col::kAllChannels, "1"};
    case Grant::kSource:
      return {col::kSources, dir.source_by_id(grant.id)->external_id};
    case Grant::kChannel:
      return {col::kChannels, dir.channel_by_id(grant.id)->external_id};
    case Grant::kPermission:
      return {col::kPermissions, grant.permission};
  }
  return {};
}

Result<Actor> load_actor(Directory& dir, std::string_view as, std::string_view permission) {
  auto login = dir.current_login();
  if (!login.is_ok()) return login.status();
  auto bindings = dir.list_logins();
  if (!bindings.is_ok()) return bindings.status();
  auto acting = who_acts(as, *login, *bindings);
  if (!acting.is_ok()) return acting.status();
  auto found = dir.find_user(acting->username);
  if (!found.is_ok()) return found.status();
  auto actor = make_actor(acting->username, *found ? &**found : nullptr, permission, dir);
  if (!actor.is_ok()) return actor;
  actor->login = std::move(*login);
  actor->authenticated = acting->authenticated;
  return actor;
}

std::unique_ptr<RowHandler> make_handler(ImportKind kind, Directory& dir, const Actor& actor,
                                         const JobContext& context) {
  switch (kind) {
    case ImportKind::kUsers:
      return make_user_handler(dir, actor, context);
    case ImportKind::kRoles:
      return make_role_handler(dir, actor, context);
    case ImportKind::kSources:
      return make_source_handler(dir, actor, context);
    case ImportKind::kSalesChannels:
      return make_channel_handler(dir, actor, context);
    case ImportKind::kApplications:
      return make_application_handler(dir, actor, context);
  }
  return nullptr;
}

const TemplateColumns& columns_of(ImportKind kind) {
  switch (kind) {
    case ImportKind::kUsers:
      return user_columns();
    case ImportKind::kRoles:
      return role_columns();
    case ImportKind::kSources:
      return source_columns();
    case ImportKind::kSalesChannels:
      return channel_columns();
    case ImportKind::kApplications:
      return application_columns();
  }
  return user_columns();
}

}  // namespace roster

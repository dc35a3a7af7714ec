#include "roster/access.h"

#include <fmt/format.h>

#include <algorithm>

namespace roster {

bool Actor::has_permission(std::string_view key) const {
  return std::binary_search(permissions.begin(), permissions.end(), key);
}

std::optional<int> Actor::rank_in(int64_t application_id) const {
  if (application_id == kBackOfficeApplicationId) return hierarchy;
  for (const AppRole& r : app_roles) {
    if (r.application_id == application_id) return r.hierarchy;
  }
  if (top_of_back_office) return kOutranksAll;
  return std::nullopt;
}

int64_t Actor::role_in(int64_t application_id) const {
  if (application_id == kBackOfficeApplicationId) return role_id;
  for (const AppRole& r : app_roles) {
    if (r.application_id == application_id) return r.role_id;
  }
  return 0;
}

Result<Actor> make_actor(std::string_view username, const User* user, std::string_view permission,
                         const RoleBook& roles) {
  if (username.empty()) return Status::usage("--as ACTOR is required");
  if (user == nullptr) {
    return Status::actor(fmt::format("actor \"{}\" is not a user of this directory", username));
  }
  if (!user->enabled) return Status::actor(fmt::format("actor \"{}\" is disabled", user->username));
  const Role* role = roles.role_by_id(user->role_id);
  if (role == nullptr) {
    return Status::actor(fmt::format("actor \"{}\" has no role", user->username));
  }
  Actor actor;
  actor.user_id = user->id;
  actor.username = user->username;
  actor.role_id = role->id;
  actor.hierarchy = role->hierarchy;
  actor.permissions = role->permissions;
  actor.sources =
      Scope{user->all_sources, user->all_sources ? std::vector<int64_t>{} : user->sources};
  actor.channels =
      Scope{user->all_channels, user->all_channels ? std::vector<int64_t>{} : user->channels};
  for (int64_t id : user->app_roles) {
    if (const Role* r = roles.role_by_id(id)) {
      actor.app_roles.push_back({r->application_id, r->id, r->hierarchy});
    }
  }
  actor.top_of_back_office = role->hierarchy <= roles.top_hierarchy(kBackOfficeApplicationId);
  if (!actor.has_permission(permission)) {
    return Status::actor(fmt::format(
        "actor \"{}\" (role \"{}\") lacks the permission \"{}\" that this command needs",
        user->username, role->name, permission));
  }
  return actor;
}

bool may_assign(int actor_hierarchy, int role_hierarchy, int top_hierarchy) {
  if (role_hierarchy > actor_hierarchy) return true;
  return role_hierarchy == actor_hierarchy && actor_hierarchy <= top_hierarchy;
}

bool may_assign_role(const Actor& actor, const Role& role, const RoleBook& roles) {
  std::optional<int> rank = actor.rank_in(role.application_id);
  return rank && may_assign(*rank, role.hierarchy, roles.top_hierarchy(role.application_id));
}

std::vector<const Role*> roles_of(const User& user, const RoleBook& roles) {
  std::vector<const Role*> out;
  if (const Role* r = roles.role_by_id(user.role_id)) out.push_back(r);
  for (int64_t id : user.app_roles) {
    if (const Role* r = roles.role_by_id(id)) out.push_back(r);
  }
  return out;
}

namespace {

// "you (hierarchy N)", for the messages about a role of the actor's rank.
std::string rank_text(const Actor& actor, const Role& role) {
  std::optional<int> rank = actor.rank_in(role.application_id);
  if (!rank) return "you hold no role in its application";
  return fmt::format("you (hierarchy {}{})", *rank,
                     role.application_id == kBackOfficeApplicationId ? "" : " there");
}

// The scope rules of one list (sources, or sales channels) of a user: inside
// the scope of each of its roles, and inside the actor's own.
void check_user_scope(const Actor& actor, const User& after, const std::vector<const Role*>& held,
                      bool channels, std::vector<GrantDenial>& out) {
  const Scope& actor_scope = channels ? actor.channels : actor.sources;
  std::string_view what = channels ? "sales channels" : "sources";
  auto role_scope = [&](const Role& r) -> const Scope& {
    return channels ? r.channels : r.sources;
  };
  if (channels ? after.all_channels : after.all_sources) {
    Grant all = channels ? Grant::kAllChannels : Grant::kAllSources;
    for (const Role* role : held) {
      if (role_scope(*role).all) continue;
      out.push_back({all,
                     0,
                     {},
                     {channels ? Code::kAllSalesChannelsNotInRole : Code::kAllSourcesNotInRole,
                      fmt::format("needs a role whose scope is all {}; role \"{}\" has a list",
                                  what, role->name)}});
    }
    if (!actor_scope.all) {
      out.push_back(
          {all,
           0,
           {},
           {channels ? Code::kAllSalesChannelsNotGrantable : Code::kAllSourcesNotGrantable,
            fmt::format("may be granted only by an actor who has all {}", what)}});
    }
    return;
  }
  Grant one = channels ? Grant::kChannel : Grant::kSource;
  for (int64_t id : channels ? after.channels : after.sources) {
    for (const Role* role : held) {
      if (role_scope(*role).contains(id)) continue;
      out.push_back({one,
                     id,
                     {},
                     {channels ? Code::kSalesChannelNotInRole : Code::kSourceNotInRole,
                      fmt::format("is outside the scope of role \"{}\"; choose {} the role covers",
                                  role->name, what)}});
    }
    if (!actor_scope.contains(id)) {
      out.push_back({one,
                     id,
                     {},
                     {channels ? Code::kSalesChannelNotGrantable : Code::kSourceNotGrantable,
                      fmt::format("is not one of your own {}; you may grant only those", what)}});
    }
  }
}

}  // namespace

std::optional<Denial> check_change_user(const Actor& actor, const User& target,
                                        const RoleBook& roles) {
  if (target.id == actor.user_id) {
    return Denial{Code::kSelfModification,
                  "is the actor running this import; nobody may change their own access, ask "
                  "another administrator"};
  }
  for (const Role* current : roles_of(target, roles)) {
    if (may_assign_role(actor, *current, roles)) continue;
    return Denial{Code::kTargetOutranksActor,
                  fmt::format("has the role \"{}\" (hierarchy {}), which {} may not manage",
                              current->name, current->hierarchy, rank_text(actor, *current))};
  }
  return std::nullopt;
}

std::optional<Denial> check_manage_user(const Actor& actor, const User& target,
                                        const RoleBook& roles) {
  if (auto denied = check_change_user(actor, target, roles)) return denied;
  std::vector<GrantDenial> grants = check_user_grants(actor, target, roles);
  if (grants.empty()) return std::nullopt;
  return std::move(grants.front().denial);
}

std::optional<Denial> check_feed(std::string_view run_feed, const User& target) {
  if (run_feed.empty() || target.feed.empty() || target.feed == run_feed) return std::nullopt;
  return Denial{Code::kUserOtherFeed,
                fmt::format("is managed by feed \"{}\"; only its own runs may change it (or run "
                            "without --feed, or release it: roster feeds release {} --user {})",
                            target.feed, target.feed, target.username)};
}

bool may_claim(const Actor& actor, std::string_view feed, const User& target,
               const RoleBook& roles) {
  return !feed.empty() && target.feed.empty() && !check_manage_user(actor, target, roles);
}

std::vector<GrantDenial> check_user_grants(const Actor& actor, const User& after,
                                           const RoleBook& roles) {
  std::vector<GrantDenial> out;
  std::vector<const Role*> held = roles_of(after, roles);
  for (const Role* role : held) {
    if (may_assign_role(actor, *role, roles)) continue;
    out.push_back({Grant::kRole,
                   role->id,
                   {},
                   {Code::kRoleNotAssignable,
                    fmt::format("has hierarchy {}; {} may assign only roles ranked below your own",
                                role->hierarchy, rank_text(actor, *role))}});
  }
  check_user_scope(actor, after, held, false, out);
  check_user_scope(actor, after, held, true, out);
  return out;
}

bool may_see_user(const Actor& actor, const User& user, const RoleBook& roles) {
  if (user.id == actor.user_id) return true;
  const Role* role = roles.role_by_id(user.role_id);
  if (role == nullptr && user.app_roles.empty()) return false;
  if (role != nullptr && !may_assign_role(actor, *role, roles)) return false;
  for (int64_t id : user.app_roles) {
    const Role* r = roles.role_by_id(id);
    if (r == nullptr || !may_assign_role(actor, *r, roles)) return false;
  }
  return true;
}

std::vector<GrantDenial> check_role_grants(const Actor& actor, const Role& after) {
  std::vector<GrantDenial> out;
  for (const std::string& key : after.permissions) {
    if (actor.has_permission(key)) continue;
    out.push_back({Grant::kPermission,
                   0,
                   key,
                   {Code::kPermissionNotGrantable,
                    "is a permission you do not hold; you may grant only your own"}});
  }
  for (bool channels : {false, true}) {
    const Scope& scope = channels ? after.channels : after.sources;
    const Scope& actor_scope = channels ? actor.channels : actor.sources;
    if (scope.all && !actor_scope.all) {
      out.push_back(
          {channels ? Grant::kAllChannels : Grant::kAllSources,
           0,
           {},
           {channels ? Code::kAllSalesChannelsNotGrantable : Code::kAllSourcesNotGrantable,
            "may be set only by an actor who has them all"}});
    }
    if (scope.all) continue;
    for (int64_t id : scope.ids) {
      if (actor_scope.contains(id)) continue;
      out.push_back({channels ? Grant::kChannel : Grant::kSource,
                     id,
                     {},
                     {channels ? Code::kSalesChannelNotGrantable : Code::kSourceNotGrantable,
                      "is not one of your own; a role's scope must lie inside yours"}});
    }
  }
  return out;
}

std::optional<RoleDenial> check_role_change(const Actor& actor, const Role* existing,
                                            const Role& after, std::string_view application_name,
                                            const RoleBook& roles) {
  std::optional<int> rank = actor.rank_in(after.application_id);
  if (!rank) {
    return RoleDenial{
        false,
        {Code::kRoleNotAssignable,
         fmt::format("is a role of the application \"{}\", in which you hold no role; "
                     "only its members (or the top of the back office) manage its roles",
                     application_name)}};
  }
  int top = roles.top_hierarchy(after.application_id);
  if (existing) {
    if (existing->id == actor.role_in(after.application_id)) {
      return RoleDenial{
          false,
          {Code::kSelfModification, "is your own role; nobody may change the role they hold"}};
    }
    if (!may_assign(*rank, existing->hierarchy, top)) {
      return RoleDenial{false,
                        {Code::kTargetOutranksActor,
                         fmt::format("has hierarchy {}; you (hierarchy {}) may change only roles "
                                     "ranked below your own",
                                     existing->hierarchy, *rank)}};
    }
  }
  if (!may_assign(*rank, after.hierarchy, top)) {
    return RoleDenial{true,
                      {Code::kRoleNotAssignable,
                       fmt::format("would rank the role at or above your own hierarchy {}; use a "
                                   "larger number",
                                   *rank)}};
  }
  return std::nullopt;
}

}  // namespace roster

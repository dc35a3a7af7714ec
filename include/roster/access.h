#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roster/error_code.h"
#include "roster/model.h"
#include "roster/result.h"

namespace roster {

// Every authorization rule of roster (SPEC §1, per application as in §10), as
// pure functions over plain records: who the actor is, which roles it may
// assign, which users it may change and see, which roles it may create or
// change, and which scopes it may grant. A smaller hierarchy number means more
// authority. Callers only ask: the row handlers turn a refusal into RowErrors,
// the export skips a user it may not see. Nothing here reads a database.

// What the rules need to know of the directory's roles.
class RoleBook {
 public:
  virtual ~RoleBook() = default;
  virtual const Role* role_by_id(int64_t id) const = 0;
  // The smallest hierarchy among the roles of the application, or INT_MAX
  // when it has none.
  virtual int top_hierarchy(int64_t application_id) const = 0;
};

// What the tool knows of the person running it.
struct Actor {
  int64_t user_id = 0;
  std::string username;
  int64_t role_id = 0;  // the back-office role
  int hierarchy = 0;    // that role's hierarchy
  // The actor's roles in other applications: (application id, role id, hierarchy).
  struct AppRole {
    int64_t application_id = 0;
    int64_t role_id = 0;
    int hierarchy = 0;
  };
  std::vector<AppRole> app_roles;
  // Whether the actor's back-office role is at the top of the back office (as
  // init's Administrator is): it then outranks every role of an application in
  // which it holds none, so that the first store-app roles can be made and given.
  bool top_of_back_office = false;
  std::vector<std::string> permissions;  // sorted
  Scope sources;                         // the actor's own sources (all when it has all sources)
  Scope channels;                        // likewise for sales channels

  // The login behind it, and whether a binding vouched for it (SPEC §14).
  std::string login;
  bool authenticated = false;

  bool has_permission(std::string_view key) const;
  // The actor's hierarchy in application `application_id`: its role's there;
  // kOutranksAll when it holds none there but is at the top of the back office;
  // nullopt when it holds none there, and so may assign nothing in it.
  std::optional<int> rank_in(int64_t application_id) const;
  // The actor's role in `application_id`, or 0.
  int64_t role_in(int64_t application_id) const;
};

// A rank above every hierarchy (hierarchies are >= 0).
inline constexpr int kOutranksAll = -1;

// Who acts (SPEC §14), from --as (`as`, maybe empty), the login this process
// was authenticated as, and the directory's bindings. Only bindings of the
// login's kind count ("os:" on SQLite, "pg:" on PostgreSQL), so that a
// directory copied to the other backend is open there until its own logins
// are bound. Open (none counts): `as`, taken on trust. Bound: `as` only when
// the login is bound to that user; without `as`, the one user the login is
// bound to. Otherwise an actor Status (exit 4) naming ACTOR_NOT_BOUND and the
// login; an open directory and no `as` is a usage Status.
struct ActingAs {
  std::string username;
  bool authenticated = false;  // false: an open directory took --as on trust
};
Result<ActingAs> who_acts(std::string_view as, std::string_view login,
                          const std::vector<LoginBinding>& bindings);
// Whether the directory is bound for runs as `login`: some login of its kind
// is bound (the rule who_acts applies).
bool directory_bound(std::string_view login, const std::vector<LoginBinding>& bindings);

// Builds the actor from the user `username` names (`user`, null when there is
// none) and checks that it may run a command that needs `permission`. Fails
// with a usage Status when `username` is empty, else with an actor Status
// (exit 4) when the user is missing, disabled, without a role or without the
// permission.
Result<Actor> make_actor(std::string_view username, const User* user, std::string_view permission,
                         const RoleBook& roles);

// Whether an actor ranked `actor_hierarchy` may assign (or create, or change) a
// role ranked `role_hierarchy`, given the smallest hierarchy defined in the
// role's application: strictly lower roles always; peers only at the very top.
bool may_assign(int actor_hierarchy, int role_hierarchy, int top_hierarchy);
// The same for a role of the directory, within its application, at the
// actor's rank there (Actor::rank_in).
bool may_assign_role(const Actor& actor, const Role& role, const RoleBook& roles);

// The user's roles that `roles` knows, the back office's first.
std::vector<const Role*> roles_of(const User& user, const RoleBook& roles);

// A refusal: its code, and the message that follows the offending value.
struct Denial {
  Code code = Code::kRoleNotAssignable;
  std::string detail;
};

// Whether the actor may change `target` as it is stored: never itself
// (SELF_MODIFICATION), and only when it may assign every role the user holds
// (TARGET_OUTRANKS_ACTOR, for the first it may not). nullopt when it may.
std::optional<Denial> check_change_user(const Actor& actor, const User& target,
                                        const RoleBook& roles);

// Whether the actor may change `target` without touching its roles or
// scopes, as a row that only disables it would: check_change_user, then the
// user's grants as they stand (check_user_grants); the first refusal, or
// nullopt. A --sync run disables a missing user, a feed claims a user, and
// `feeds release` hands one back only when this allows it (SPEC §11).
std::optional<Denial> check_manage_user(const Actor& actor, const User& target,
                                        const RoleBook& roles);

// Whether `actor` may bind `login` to `target` or unbind it (SPEC §14): as
// for changing the user (check_manage_user), except that an actor may bind
// a login to itself while the directory is open (`bound` false),
// which is how the first administrator binds its own. nullopt when it may.
std::optional<Denial> check_login_change(const Actor& actor, const User& target, bool bound,
                                         const RoleBook& roles);

// Whether a run of feed `run_feed` (empty: a run without --feed) may change
// `target`: a feed changes only the users it manages and those no feed manages
// (USER_OTHER_FEED); a run without --feed changes anyone.
std::optional<Denial> check_feed(std::string_view run_feed, const User& target);

// Whether a run of feed `feed` claims `target` (SPEC §11): a user no feed
// manages yet, whom the actor may manage (check_manage_user; so never the
// actor itself, whose own row an export re-imports).
bool may_claim(const Actor& actor, std::string_view feed, const User& target,
               const RoleBook& roles);

// What a refused grant is about: the cell a handler reports it at.
enum class Grant {
  kRole,         // `id` is the role (its application's role column)
  kAllSources,   // the Access all sources flag
  kAllChannels,  // the Access all sales channels flag
  kSource,       // `id` is the source, in the Sources list
  kChannel,      // `id` is the sales channel, in the Sales channels list
  kPermission,   // `permission` is the key, in the Permissions list
};

struct GrantDenial {
  Grant what = Grant::kRole;
  int64_t id = 0;
  std::string permission;
  Denial denial;
};

// Everything the actor may not give a user as `after` would leave it, in the
// order a row reports it: each role the actor may not assign
// (ROLE_NOT_ASSIGNABLE), then, for sources and then sales channels, a scope
// outside one of the user's roles (..._NOT_IN_ROLE) or outside the actor's own
// (..._NOT_GRANTABLE).
std::vector<GrantDenial> check_user_grants(const Actor& actor, const User& after,
                                           const RoleBook& roles);

// Whether the user is in the actor's export: the actor itself, and the users
// whose every role the actor may assign (a user with no role is nobody's).
bool may_see_user(const Actor& actor, const User& user, const RoleBook& roles);

// Everything the actor may not put in a role as `after` would leave it: each
// permission it lacks (PERMISSION_NOT_GRANTABLE), then for sources and then
// sales channels, "all" when it has not all, or each id outside its own.
std::vector<GrantDenial> check_role_grants(const Actor& actor, const Role& after);

// A refusal of a role's rank, reported at the Name cell (`at_hierarchy` false)
// or at the Hierarchy cell.
struct RoleDenial {
  bool at_hierarchy = false;
  Denial denial;
};

// Whether the actor may create the role `after` (`existing` null) or change
// `existing` into it: it must hold a rank in the role's application (named
// `application_name` in the message), never change its own role, and rank the
// role below itself before and after the change (peers only at the top).
std::optional<RoleDenial> check_role_change(const Actor& actor, const Role* existing,
                                            const Role& after, std::string_view application_name,
                                            const RoleBook& roles);

}  // namespace roster

// Who may say --as (SPEC §14): the rules that turn a login, the identity the
// system already authenticated, into the user that acts.

#include <fmt/format.h>

#include <algorithm>

#include "roster/access.h"
#include "roster/text.h"

namespace roster {

bool directory_bound(std::string_view login, const std::vector<LoginBinding>& bindings) {
  std::string_view kind = login.substr(0, login.find(':') + 1);  // "os:" or "pg:"
  return std::any_of(bindings.begin(), bindings.end(),
                     [&](const LoginBinding& b) { return b.login.rfind(kind, 0) == 0; });
}

Result<ActingAs> who_acts(std::string_view as, std::string_view login,
                          const std::vector<LoginBinding>& bindings) {
  std::vector<std::string> mine;  // the users this login is bound to
  for (const LoginBinding& b : bindings) {
    if (b.login == login) mine.push_back(b.username);
  }
  if (!directory_bound(login, bindings)) {
    if (as.empty()) return Status::usage("--as ACTOR is required (no login is bound yet)");
    return ActingAs{std::string(as), false};
  }
  if (as.empty()) {
    if (mine.size() == 1) return ActingAs{mine.front(), true};
    return Status::actor(
        mine.empty()
            ? fmt::format("ACTOR_NOT_BOUND: login {} is bound to no user of this directory; "
                          "ask an administrator: roster logins bind USERNAME {} --as ADMIN",
                          login, login)
            : fmt::format("ACTOR_NOT_BOUND: login {} is bound to {}; say which with --as", login,
                          join(mine, ", ")));
  }
  for (const std::string& name : mine) {
    if (iequals(name, as)) return ActingAs{name, true};
  }
  return Status::actor(fmt::format(
      "ACTOR_NOT_BOUND: login {} may not act as \"{}\"{}; nothing was changed", login, as,
      mine.empty() ? std::string(" (it is bound to no user)")
                   : fmt::format(" (it is bound to {})", join(mine, ", "))));
}

std::optional<Denial> check_login_change(const Actor& actor, const User& target, bool bound,
                                         const RoleBook& roles) {
  if (target.id == actor.user_id && !bound) return std::nullopt;
  return check_manage_user(actor, target, roles);
}

}  // namespace roster

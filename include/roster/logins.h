#pragma once

#include <iosfwd>
#include <string>

#include "roster/directory.h"
#include "roster/error_code.h"

namespace roster {

// roster logins bind|unbind (SPEC §14): which login (os:NAME, pg:NAME) may
// act as which user.
struct LoginChangeOptions {
  bool bind = true;  // false: unbind
  std::string username;
  std::string login;
  std::string actor;  // --as
};

// One job, one transaction: needs configuration.users and the right to change
// the user (access.h: check_login_change), else exit 4; an unknown user, a
// login not of the form os:NAME or pg:NAME, or unbinding what is not bound is
// a usage error (exit 2). Audited as a change of the user's Login field.
ExitCode run_login_change(Directory& dir, const LoginChangeOptions& options, std::ostream& out,
                          std::ostream& err);

// roster logins list: the login running it, whether the directory is open or
// bound, and every binding. Reads only.
ExitCode list_logins(Directory& dir, std::ostream& out, std::ostream& err);

}  // namespace roster

// roster logins: binding the identities the system authenticated to users.

#include "roster/logins.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "roster/access.h"
#include "roster/import_job.h"
#include "roster/text.h"

namespace roster {
namespace {

// "os:NAME" or "pg:NAME", NAME without spaces or control characters.
bool valid_login(std::string_view login) {
  if (login.size() < 4 || login.size() > 128) return false;
  if (login.substr(0, 3) != "os:" && login.substr(0, 3) != "pg:") return false;
  return std::none_of(login.begin() + 3, login.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
}

bool has_binding(const std::vector<LoginBinding>& bindings, std::string_view login,
                 int64_t user_id) {
  return std::any_of(bindings.begin(), bindings.end(), [&](const LoginBinding& b) {
    return b.login == login && b.user_id == user_id;
  });
}

// The change, in its transaction, once the actor may make it.
Status change(Directory& dir, const LoginChangeOptions& o, const User& target, int64_t job_id) {
  Status st = Status::ok();
  if (o.bind) {
    st = dir.bind_login(o.login, target.id);
  } else {
    auto removed = dir.unbind_login(o.login, target.id);
    if (!removed.is_ok()) st = removed.status();
  }
  if (!st.is_ok()) return st;
  FieldChange field{"Login", o.bind ? "" : o.login, o.bind ? o.login : ""};
  return dir.add_audit(
      job_id, "user", target.username, "update", {field},
      fmt::format("login {} {} (job {})", o.login, o.bind ? "bound" : "unbound", job_id));
}

}  // namespace

ExitCode run_login_change(Directory& dir, const LoginChangeOptions& o, std::ostream& out,
                          std::ostream& err) {
  auto fail = [&](const Status& st) {
    if (dir.in_transaction()) dir.rollback();
    err << "roster: error: " << st.message() << '\n';
    return st.exit_code();
  };
  if (!valid_login(o.login)) {
    return fail(Status::usage(fmt::format(
        "\"{}\" is not a login; write os:ACCOUNT (SQLite) or pg:ROLE (PostgreSQL)", o.login)));
  }
  auto actor = load_actor(dir, o.actor, kUsersPermission);
  if (!actor.is_ok()) return fail(actor.status());
  auto bindings = dir.list_logins();
  if (!bindings.is_ok()) return fail(bindings.status());
  auto target = dir.find_user(o.username);
  if (!target.is_ok()) return fail(target.status());
  if (!*target) return fail(Status::usage(fmt::format("there is no user \"{}\"", o.username)));
  const User& user = **target;
  if (has_binding(*bindings, o.login, user.id) == o.bind) {
    return fail(Status::usage(fmt::format("login {} is {} bound to {}", o.login,
                                          o.bind ? "already" : "not", user.username)));
  }
  bool was_bound = directory_bound(actor->login, *bindings);
  if (auto denied = check_login_change(*actor, user, was_bound, dir)) {
    return fail(Status::actor(fmt::format("{}: {} {}; nothing was changed", code_name(denied->code),
                                          user.username, denied->detail)));
  }

  Job job;
  job.kind = "logins";
  job.file = o.login;
  job.actor = actor->username;
  job.mode = "abort";
  job.started_at = now_utc_iso8601();
  auto job_id = dir.start_job(job);
  if (!job_id.is_ok()) return fail(job_id.status());
  job.id = *job_id;
  Status st = dir.begin();
  if (st.is_ok()) st = change(dir, o, user, job.id);
  job.updated = 1;
  job.finished_at = now_utc_iso8601();
  job.outcome = "committed";
  job.exit_code = 0;
  if (st.is_ok()) st = dir.finish_job(job);
  if (st.is_ok()) st = dir.commit();
  if (!st.is_ok()) {
    ExitCode code = fail(st);
    job.updated = 0;
    job.outcome = "failed";
    job.exit_code = static_cast<int>(code);
    (void)dir.finish_job(job);
    return code;
  }
  out << fmt::format("login {} {} {} (job {})\n", o.login, o.bind ? "bound to" : "unbound from",
                     user.username, job.id);
  if (o.bind && !was_bound && o.login.substr(0, 3) == actor->login.substr(0, 3)) {
    out << "the directory is now bound: --as is accepted only from a login bound to that user\n";
  }
  return ExitCode::kOk;
}

ExitCode list_logins(Directory& dir, std::ostream& out, std::ostream& err) {
  auto login = dir.current_login();
  if (!login.is_ok()) {
    err << "roster: error: " << login.status().message() << '\n';
    return login.status().exit_code();
  }
  auto bindings = dir.list_logins();
  if (!bindings.is_ok()) {
    err << "roster: error: " << bindings.status().message() << '\n';
    return bindings.status().exit_code();
  }
  bool bound = directory_bound(*login, *bindings);
  out << fmt::format("you are {}; the directory is {}\n", *login,
                     bound ? "bound: --as is accepted only from a bound login"
                           : "open: --as is taken on trust (actors: unauthenticated)");
  if (bindings->empty()) return ExitCode::kOk;
  size_t width = 5;
  for (const LoginBinding& b : *bindings) width = std::max(width, b.login.size());
  out << fmt::format("{:<{}}  {}\n", "LOGIN", width, "USERNAME");
  for (const LoginBinding& b : *bindings) {
    out << fmt::format("{:<{}}  {}\n", b.login, width, b.username);
  }
  return ExitCode::kOk;
}

}  // namespace roster

// roster init: the catalog, and the first administrator of an empty directory.

#include <fmt/format.h>

#include "roster/init.h"
#include "roster/text.h"
#include "roster/validate.h"

namespace roster {
namespace {

// The first administrator's role and user, as init makes them.
Role administrator_role(const Directory& dir) {
  Role role;
  role.name = "Administrator";
  role.key = "administrator";
  role.hierarchy = 0;
  for (const Permission& p : dir.permissions()) role.permissions.push_back(p.key);
  role.sources.all = true;
  role.channels.all = true;
  return role;
}

User first_user(const std::string& admin, const std::string& email, const std::string& now) {
  User user;
  user.username = admin;
  user.email = email;
  user.enabled = user.all_channels = user.all_sources = true;
  user.timezone = "UTC";
  user.created_at = user.updated_at = now;
  user.created_by = user.updated_by = admin;
  return user;
}

// The role and the user, with their audit entries, in one transaction.
Status write_first_admin(Directory& d, int64_t job_id, Role& role, User& user) {
  Status st = d.begin();
  if (st.is_ok()) st = d.save_role(role);
  if (st.is_ok()) {
    user.role_id = role.id;
    st = d.insert_user(user);
  }
  if (st.is_ok()) {
    st = d.add_audit(job_id, "role", role.name, "create",
                     {{"Name", "", role.name},
                      {"Key", "", role.key},
                      {"Hierarchy", "", "0"},
                      {"Permissions", "", "*"},
                      {"Access all sources", "", "1"},
                      {"Access all sales channels", "", "1"}});
  }
  if (st.is_ok()) {
    st = d.add_audit(job_id, "user", user.username, "create",
                     {{"Username", "", user.username},
                      {"E-mail", "", user.email},
                      {"Enabled", "", "1"},
                      {"Access all sales channels", "", "1"},
                      {"Access all sources", "", "1"},
                      {"Timezone", "", "UTC"},
                      {"Role", "", role.name}});
  }
  if (st.is_ok()) st = d.commit();
  if (!st.is_ok() && d.in_transaction()) d.rollback();
  return st;
}

}  // namespace

Result<int> prepare_directory(Directory& dir, const std::vector<Permission>& catalog) {
  Status st = dir.begin();
  if (st.is_ok()) st = dir.sync_catalog(catalog);
  if (st.is_ok()) st = dir.commit();
  if (!st.is_ok()) return st;
  return dir.schema_version();
}

Status check_first_admin(const std::string& admin, const std::string& email) {
  if (admin.empty() != email.empty()) return Status::usage("--admin and --email go together");
  if (!admin.empty() && !is_valid_username(admin)) {
    return Status::usage(fmt::format(
        "--admin \"{}\" is not a valid username; use 1 to 64 letters, digits and . _ - @, "
        "with no spaces",
        admin));
  }
  if (!admin.empty() && !is_valid_email(email)) {
    return Status::usage(fmt::format("--email \"{}\" is not a valid e-mail address", email));
  }
  return Status::ok();
}

Status create_first_admin(Directory& d, const std::string& admin, const std::string& email) {
  auto any_user = d.has_users();
  if (!any_user.is_ok()) return any_user.status();
  if (*any_user || d.role_by_name("Administrator") != nullptr) {
    return Status::usage(
        "--admin works only on an empty directory; this one already has users or an "
        "Administrator role");
  }
  std::string now = now_utc_iso8601();
  Job job;
  job.kind = "init";
  job.file = "";
  job.actor = admin;
  job.mode = "init";
  job.started_at = now;
  auto job_id = d.start_job(job);
  if (!job_id.is_ok()) return job_id.status();
  Role role = administrator_role(d);
  User user = first_user(admin, email, now);
  Status st = write_first_admin(d, *job_id, role, user);
  job.id = *job_id;
  job.finished_at = now_utc_iso8601();
  job.created = st.is_ok() ? 1 : 0;
  job.outcome = st.is_ok() ? "committed" : "failed";
  job.exit_code = static_cast<int>(st.exit_code());
  Status finished = d.finish_job(job);
  return st.is_ok() ? finished : st;
}

}  // namespace roster

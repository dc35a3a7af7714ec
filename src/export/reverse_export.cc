// roster audit --job ID --reverse: a users file that undoes one job.

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "roster/export.h"
#include "roster/text.h"
#include "util/atomic_file.h"

namespace roster {
namespace {

// What one job did to one user: whether it created the user, and each
// template field it changed with its value before the job.
struct Undo {
  bool created = false;
  std::map<std::string, std::string> before;  // column -> value before the job
};

}  // namespace

Result<ReverseResult> export_reverse(Directory& dir, int64_t job_id, const std::string& actor_name,
                                     const std::string& out, std::ostream& standard_output) {
  auto actor = load_actor(dir, actor_name, kUsersPermission);
  if (!actor.is_ok()) return actor.status();
  auto job = dir.find_job(job_id);
  if (!job.is_ok()) return job.status();
  if (!job->has_value()) return Status::usage(fmt::format("there is no job {}", job_id));

  // The job's entries, oldest first: the first before-value of a field is
  // the one the job found. Claims and releases change who manages a user,
  // which no users file says: they are not undone here.
  std::map<std::string, Undo> undo;  // by lower-case username, so sorted
  AuditFilter filter;
  filter.job_id = job_id;
  Status st = dir.for_each_audit(filter, [&](const AuditEntry& e) {
    if (e.target_type != "user" || e.action == "claim" || e.action == "release" ||
        e.action == "activate" || e.action == "expire" || e.change.field == "Login") {
      return;
    }
    Undo& u = undo[to_lower_ascii(e.target)];
    if (e.action == "create") {
      u.created = true;
    } else {
      u.before.emplace(e.change.field, e.change.before);
    }
  });
  if (!st.is_ok()) return st;
  if (undo.empty()) {
    return Status::usage(
        fmt::format("job {} ({} of {}) changed no user; there is nothing to "
                    "reverse",
                    job_id, (*job)->kind, (*job)->file));
  }

  ReverseResult result;
  result.job = **job;
  auto dates = dir.any_user_dates();
  if (!dates.is_ok()) return dates.status();
  UserRowWriter writer(dir, *dates);
  const std::vector<std::string>& header = writer.header();
  std::string text = csv_line(header);
  User user;
  for (const auto& [name, u] : undo) {
    auto found = dir.find_user(name, user);
    if (!found.is_ok()) return found.status();
    if (!*found) continue;  // roster never deletes; nothing to write if it did
    if (!may_see_user(*actor, user, dir)) {
      ++result.hidden;
      continue;
    }
    std::vector<std::string>& cells = writer.cells(user);
    auto set = [&](std::string_view column, const std::string& value) {
      auto it = std::find(header.begin(), header.end(), column);
      if (it != header.end()) cells[static_cast<size_t>(it - header.begin())] = value;
    };
    if (u.created) {
      set(col::kEnabled, "0");  // roster never deletes: a user it made is disabled
      ++result.created;
    } else {
      for (const auto& [column, value] : u.before) set(column, value);
    }
    writer.append_line(text);
    ++result.users;
  }
  st = write_file_atomically(out.empty() ? "-" : out, text, &standard_output);
  if (!st.is_ok()) return st;
  return result;
}

}  // namespace roster

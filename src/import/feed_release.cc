#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "roster/access.h"
#include "roster/feeds.h"
#include "roster/import_job.h"
#include "roster/text.h"

namespace roster {
namespace {

// The users to release, as stored: those named, or the feed's every user.
Status release_targets(Directory& dir, const FeedReleaseOptions& o, std::vector<User>& out) {
  std::vector<std::string> names = o.users;
  if (names.empty()) {
    Status st = dir.for_each_feed_user(o.feed, false, [&](int64_t, const std::string& name) {
      names.push_back(name);
      return true;
    });
    if (!st.is_ok()) return st;
  }
  for (const std::string& name : names) {
    auto found = dir.find_user(name);
    if (!found.is_ok()) return found.status();
    if (!found->has_value()) return Status::usage(fmt::format("there is no user \"{}\"", name));
    User& user = **found;
    if (user.feed != o.feed) {
      return Status::usage(fmt::format(
          "user \"{}\" is not managed by feed {} ({}); nothing was released", user.username, o.feed,
          user.feed.empty() ? "no feed manages it" : "feed " + user.feed + " does"));
    }
    if (std::none_of(out.begin(), out.end(), [&](const User& u) { return u.id == user.id; })) {
      out.push_back(std::move(user));
    }
  }
  return Status::ok();
}

// Every user first: a release that may not take them all takes none (an
// actor Status naming each refusal).
Status check_all(const Actor& actor, const std::vector<User>& users, const RoleBook& roles,
                 const std::string& feed) {
  std::vector<std::string> refused;
  for (const User& u : users) {
    if (auto denied = check_manage_user(actor, u, roles)) {
      refused.push_back(
          fmt::format("{}: {} {}", code_name(denied->code), u.username, denied->detail));
    }
  }
  if (refused.empty()) return Status::ok();
  return Status::actor(
      fmt::format("{} may not change {} of the users of feed {}; nothing was "
                  "released:\n  {}",
                  actor.username, refused.size(), feed, join(refused, "\n  ")));
}

// The release's job: its kind, its feed (shown as its file), its actor.
Job release_job(const std::string& feed, const std::string& actor) {
  Job job;
  job.kind = "feeds-release";
  job.file = feed;
  job.feed = feed;
  job.actor = actor;
  job.mode = "abort";
  job.started_at = now_utc_iso8601();
  return job;
}

}  // namespace

ExitCode run_feed_release(Directory& dir, const FeedReleaseOptions& o, std::ostream& out,
                          std::ostream& err) {
  auto fail = [&](const Status& st) {
    if (dir.in_transaction()) dir.rollback();
    err << "roster: error: " << st.message() << '\n';
    return st.exit_code();
  };
  auto actor = load_actor(dir, o.actor, kUsersPermission);
  if (!actor.is_ok()) return fail(actor.status());

  Job job = release_job(o.feed, actor->username);
  auto job_id = dir.start_job(job);
  if (!job_id.is_ok()) return fail(job_id.status());
  job.id = *job_id;
  auto finish = [&](ExitCode code, const char* outcome) {
    job.finished_at = now_utc_iso8601();
    job.outcome = outcome;
    job.exit_code = static_cast<int>(code);
    return dir.finish_job(job);
  };

  Status st = dir.begin();
  std::vector<User> users;
  if (st.is_ok()) st = release_targets(dir, o, users);
  if (st.is_ok() && users.empty()) {
    st = Status::usage(fmt::format("feed {} manages no user (roster feeds lists them)", o.feed));
  }
  if (st.is_ok()) st = check_all(*actor, users, dir, o.feed);
  const std::string reason = fmt::format("released from feed {} (job {})", o.feed, job.id);
  for (const User& u : users) {
    if (!st.is_ok()) break;
    User after = u;
    after.feed.clear();
    st = dir.update_user(u, after);
    if (st.is_ok()) {
      st = dir.add_audit(job.id, "user", u.username, "release", {{"Managed by", o.feed, ""}},
                         reason);
    }
  }
  // The outcome of a run that did not commit is written after its rollback,
  // so that it stays: refused, or failed when the database did.
  auto end_without_commit = [&](const Status& why) {
    ExitCode code = fail(why);
    (void)finish(code, code == ExitCode::kDatabase ? "failed" : "refused");
    return code;
  };
  if (!st.is_ok()) return end_without_commit(st);
  job.updated = static_cast<int64_t>(users.size());
  st = finish(ExitCode::kOk, "committed");
  if (st.is_ok()) st = dir.commit();
  if (!st.is_ok()) return end_without_commit(st);
  out << fmt::format(
      "{} user{} released from feed {} (job {}); runs without that feed now "
      "manage {}\n",
      users.size(), users.size() == 1 ? "" : "s", o.feed, job.id,
      users.size() == 1 ? "it" : "them");
  return ExitCode::kOk;
}

}  // namespace roster

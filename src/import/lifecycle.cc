// roster lifecycle run: the directory's active state kept current by date.

#include "roster/lifecycle.h"

#include <fmt/format.h>

#include <filesystem>
#include <ostream>

#include "import/user_handler.h"
#include "roster/dates.h"
#include "roster/import_job.h"
#include "roster/report.h"
#include "roster/text.h"
#include "util/atomic_file.h"

namespace roster {
namespace {

class Lifecycle {
 public:
  Lifecycle(Directory& dir, const LifecycleOptions& o, std::ostream& out, std::ostream& err)
      : dir_(dir), o_(o), out_(out), err_(err) {}
  ExitCode run();

 private:
  Status start(const Actor& actor);
  Status settle(const User& due);
  ExitCode finish(ExitCode code, const std::string& outcome, const std::string& message);

  Directory& dir_;
  const LifecycleOptions& o_;
  std::ostream& out_;
  std::ostream& err_;
  std::string now_;
  Job job_;
  Summary s_;
  std::string stem_;  // the reports' path, without .changes.csv or .summary.json
  std::unique_ptr<ChangesReport> changes_;
};

Status Lifecycle::start(const Actor& actor) {
  now_ = now_utc_iso8601();
  job_.kind = s_.kind = "lifecycle";
  job_.file = s_.file = "lifecycle";
  job_.actor = s_.actor = actor.username;
  s_.login = actor.login;
  s_.authenticated = actor.authenticated;
  job_.mode = s_.mode = "abort";
  job_.dry_run = s_.dry_run = o_.dry_run;
  job_.started_at = s_.started_at = now_;
  auto id = dir_.start_job(job_);
  if (!id.is_ok()) return id.status();
  job_.id = s_.job_id = *id;
  stem_ = (std::filesystem::path(o_.report_dir) / fmt::format("lifecycle-{}", job_.id)).string();
  changes_ = std::make_unique<ChangesReport>(stem_ + ".changes.csv", "Username");
  return changes_->open();
}

// One due user (as users_due read it: no links, which an expiry does not
// need): its active state as of now, written and audited.
Status Lifecycle::settle(const User& due) {
  ++s_.rows_read;
  User before = due;
  User after = before;
  settle_dates(after, now_);
  bool activated = !before.active && after.active, expired = before.active && !after.active;
  if (activated) {  // the invitations need its roles in every application
    auto found = dir_.find_user(due.username, before);
    if (!found.is_ok()) return found.status();
    after = before;
    settle_dates(after, now_);
  }
  if (activated || expired) {
    after.updated_at = now_;
    after.updated_by = job_.actor;
  }
  Status st = dir_.update_user(before, after);
  if (!st.is_ok() || !(activated || expired)) {
    ++s_.unchanged;
    return st;
  }
  ++s_.updated;
  std::vector<FieldChange> change = {
      {"Active", before.active ? "1" : "0", after.active ? "1" : "0"}};
  std::string reason = activated
                           ? fmt::format("Start date {} came (job {})", after.start_date, job_.id)
                           : fmt::format("End date {} came (job {})", after.end_date, job_.id);
  st = dir_.add_audit(job_.id, "user", after.username, activated ? "activate" : "expire", change,
                      reason);
  changes_->add(0, after.username, activated ? "activated" : "expired", change);
  if (activated) {
    ++s_.activated;
    if (!st.is_ok() || !o_.invite) return st;
    // "enabled": able to sign in from now on, as when an import enables.
    Invitation scratch;
    return record_invitations(dir_, after, job_.id, "enabled", now_, scratch);
  }
  ++s_.expired;
  if (!st.is_ok()) return st;
  auto withdrawn = dir_.withdraw_invitations(after.id, job_.id);
  return withdrawn.is_ok() ? Status::ok() : withdrawn.status();
}

ExitCode Lifecycle::finish(ExitCode code, const std::string& outcome, const std::string& message) {
  s_.outcome = job_.outcome = outcome;
  s_.message = message;
  s_.exit_code = job_.exit_code = static_cast<int>(code);
  s_.finished_at = job_.finished_at = now_utc_iso8601();
  s_.committed = outcome == "committed";
  job_.rows_read = s_.rows_read;
  job_.updated = s_.updated;
  job_.unchanged = s_.unchanged;
  job_.enabled = s_.activated;
  job_.disabled = s_.expired;
  const std::string& stem = stem_;
  Status st = dir_.finish_job(job_);
  if (st.is_ok() && s_.committed) st = dir_.commit();
  if (!st.is_ok()) {
    if (dir_.in_transaction()) dir_.rollback();
    err_ << "roster: error: " << st.message() << '\n';
    return st.exit_code();
  }
  if (changes_) st = changes_->finish();
  if (st.is_ok()) st = write_file_atomically(stem + ".summary.json", summary_json(s_));
  if (!st.is_ok()) err_ << "roster: error: " << st.message() << '\n';
  if (!o_.quiet) {
    out_ << fmt::format("lifecycle (job {}): {} due, {} activated, {} expired; {}\n", job_.id,
                        s_.rows_read, s_.activated, s_.expired,
                        s_.committed ? "committed"
                        : o_.dry_run ? "nothing committed (dry run)"
                                     : outcome);
    out_ << fmt::format("plan: {}.changes.csv  summary: {}.summary.json\n", stem, stem);
  }
  if (code != ExitCode::kOk) err_ << "roster: lifecycle: " << message << '\n';
  log_job(s_);
  return code;
}

ExitCode Lifecycle::run() {
  auto actor = load_actor(dir_, o_.actor, kUsersPermission);
  if (!actor.is_ok()) {
    err_ << "roster: " << actor.status().message() << '\n';
    return actor.status().exit_code();
  }
  Status st = start(*actor);
  if (!st.is_ok()) {
    err_ << "roster: error: " << st.message() << '\n';
    return st.exit_code();
  }
  std::vector<User> due;
  st = dir_.begin();
  if (st.is_ok()) {
    auto listed = dir_.users_due(now_);
    if (listed.is_ok()) {
      due = std::move(*listed);
    } else {
      st = listed.status();
    }
  }
  for (size_t i = 0; st.is_ok() && i < due.size(); ++i) st = settle(due[i]);
  if (!st.is_ok()) {
    if (dir_.in_transaction()) dir_.rollback();
    return finish(st.exit_code(), "failed", st.message());
  }
  double limit = o_.max_disable_percent;
  if (limit < 100 && s_.expired > 10) {
    // The guard's base, the users who could log in before this run, counted
    // only when it matters (it reads every user).
    auto now_active = dir_.count_enabled_users();
    if (!now_active.is_ok()) {
      dir_.rollback();
      return finish(now_active.status().exit_code(), "failed", now_active.status().message());
    }
    int64_t active_before = *now_active + s_.expired - s_.activated;
    if (static_cast<double>(s_.expired) > static_cast<double>(active_before) * limit / 100.0) {
      dir_.rollback();
      return finish(ExitCode::kGuard, "refused",
                    fmt::format("{} users would lose access by their End date, of the {} who "
                                "may log in, more than --max-disable {}%; nothing was applied "
                                "(run with --max-disable 100 if this is intended)",
                                s_.expired, active_before, limit));
    }
  }
  if (o_.dry_run) {
    dir_.rollback();
    return finish(ExitCode::kOk, "dry-run", "");
  }
  return finish(ExitCode::kOk, "committed", "");
}

}  // namespace

ExitCode run_lifecycle(Directory& dir, const LifecycleOptions& options, std::ostream& out,
                       std::ostream& err) {
  return Lifecycle(dir, options, out, err).run();
}

}  // namespace roster

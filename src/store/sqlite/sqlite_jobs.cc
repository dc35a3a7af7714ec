// The SQLite store's jobs and audit trail.

#include <fmt/format.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "store/decode.h"
#include "store/sqlite/sqlite_store.h"

namespace roster {

Status SqliteStore::add_audit(int64_t job_id, std::string_view target_type, std::string_view target,
                              std::string_view action, std::string_view changes,
                              std::string_view reason) {
  SqliteStmt s = prepare(
      "INSERT INTO audit (job_id, target_type, target, action, changes, reason) "
      "VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, ''))");
  s.bind(1, job_id).bind(2, target_type).bind(3, target).bind(4, action).bind(5, changes);
  s.bind(6, reason);
  if (!s.run()) return error("writing the audit trail");
  return Status::ok();
}

Status SqliteStore::add_invitation(const Invitation& inv) {
  SqliteStmt s = prepare(
      "INSERT INTO invitations (job_id, user_id, username, email, application, reason, "
      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, inv.job_id).bind(2, inv.user_id).bind(3, inv.username).bind(4, inv.email);
  s.bind(5, inv.application).bind(6, inv.reason).bind(7, inv.created_at);
  if (!s.run()) return error("recording an invitation");
  return Status::ok();
}

Status SqliteStore::for_each_invitation(bool pending_only,
                                        const std::function<Status(const Invitation&)>& fn) {
  SqliteStmt s = prepare(
      "SELECT id, job_id, user_id, username, email, application, reason, created_at, "
      "coalesce(sent_at, ''), coalesce(withdrawn_by, 0) FROM invitations "
      "WHERE ?1 = 0 OR (sent_at IS NULL AND withdrawn_by IS NULL) ORDER BY id");
  s.bind(1, pending_only);
  Invitation inv;
  while (s.step()) {
    decode_invitation(s, inv);
    if (Status st = fn(inv); !st.is_ok()) return st;
  }
  if (!s.ok()) return error("reading the invitations");
  return Status::ok();
}

Result<int64_t> SqliteStore::withdraw_invitations(int64_t user_id, int64_t job_id) {
  SqliteStmt s = prepare(
      "UPDATE invitations SET withdrawn_by = ?2 WHERE user_id = ?1 AND sent_at IS NULL "
      "AND withdrawn_by IS NULL");
  if (!s.bind(1, user_id).bind(2, job_id).run()) return error("withdrawing invitations");
  return static_cast<int64_t>(sqlite3_changes(db_));
}

Result<int64_t> SqliteStore::mark_invitations_sent(int64_t job_id, const std::vector<int64_t>& ids,
                                                   std::string_view sent_at) {
  int64_t marked = 0;
  auto mark = [&](const char* sql, int64_t key) {
    SqliteStmt s = prepare(sql);
    if (!s.bind(1, key).bind(2, sent_at).run()) return false;
    marked += sqlite3_changes(db_);
    return true;
  };
  if (job_id != 0 &&
      !mark("UPDATE invitations SET sent_at = ?2 WHERE job_id = ?1 AND sent_at IS NULL "
            "AND withdrawn_by IS NULL",
            job_id)) {
    return error("marking invitations sent");
  }
  for (int64_t id : ids) {
    if (!mark("UPDATE invitations SET sent_at = ?2 WHERE id = ?1 AND sent_at IS NULL "
              "AND withdrawn_by IS NULL",
              id)) {
      return error("marking invitations sent");
    }
  }
  return marked;
}

Status SqliteStore::for_each_audit(const AuditFilter& filter,
                                   const std::function<Status(const StoredAudit&)>& fn) {
  // One job's entries through audit_by_job; the other filters scan the table.
#define ROSTER_AUDIT_QUERY(job_filter)                                                     \
  "SELECT a.job_id, j.started_at, j.actor, a.target_type, a.target, a.action, a.changes, " \
  "coalesce(a.reason, '') "                                                                \
  "FROM audit a JOIN jobs j ON j.id = a.job_id WHERE " job_filter                          \
  "(?2 = '' OR (a.target_type = 'user' AND a.target = ?2 COLLATE NOCASE)) "                \
  "AND (?3 = '' OR j.started_at >= ?3) ORDER BY a.id"
  SqliteStmt s = filter.job_id != 0 ? prepare(ROSTER_AUDIT_QUERY("a.job_id = ?1 AND "))
                                    : prepare(ROSTER_AUDIT_QUERY(""));
#undef ROSTER_AUDIT_QUERY
  s.bind(1, filter.job_id).bind(2, filter.user).bind(3, filter.since);
  StoredAudit e;
  while (s.step()) {
    decode_audit_row(s, e);
    Status st = fn(e);
    if (!st.is_ok()) return st;
  }
  if (!s.ok()) return error("reading the audit trail");
  return Status::ok();
}

Result<int64_t> SqliteStore::start_job(const Job& job) {
  SqliteStmt s = prepare(
      "INSERT INTO jobs (kind, file, sha256, actor, mode, dry_run, started_at, outcome, pid, "
      "feed, sync) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running', ?8, nullif(?9, ''), ?10)");
  s.bind(1, job.kind).bind(2, job.file).bind(3, job.sha256).bind(4, job.actor);
  s.bind(5, job.mode).bind(6, job.dry_run).bind(7, job.started_at);
  s.bind(8, static_cast<int64_t>(::getpid())).bind(9, job.feed).bind(10, job.sync);
  if (!s.run()) return error("recording the job");
  return sqlite3_last_insert_rowid(db_);
}

Status SqliteStore::finish_job(const Job& job) {
  SqliteStmt s = prepare(
      "UPDATE jobs SET sha256 = ?2, finished_at = ?3, rows_read = ?4, created = ?5, "
      "updated = ?6, unchanged = ?7, rejected = ?8, outcome = ?9, exit_code = ?10, "
      "enabled = ?11, disabled = ?12, disabled_missing = ?13, file = coalesce(nullif(?14, ''), "
      "file) WHERE id = ?1");
  s.bind(1, job.id).bind(2, job.sha256).bind(3, job.finished_at).bind(4, job.rows_read);
  s.bind(5, job.created).bind(6, job.updated).bind(7, job.unchanged).bind(8, job.rejected);
  s.bind(9, job.outcome).bind(10, job.exit_code).bind(11, job.enabled).bind(12, job.disabled);
  s.bind(13, job.disabled_missing).bind(14, job.file);
  if (!s.run()) return error("finishing the job record");
  return Status::ok();
}

#define ROSTER_JOB_COLUMNS                                                                \
  "id, kind, file, sha256, actor, mode, dry_run, started_at, coalesce(finished_at, ''), " \
  "rows_read, created, updated, unchanged, rejected, outcome, coalesce(exit_code, -1), "  \
  "enabled, disabled, disabled_missing, coalesce(feed, ''), sync, coalesce(pid, 0) "

namespace {

Job read_job(const SqliteStmt& s) {
  Job j;
  decode_job(s, j);
  // A job still marked running whose process is gone was killed (or the machine
  // stopped): its transaction never committed, so nothing of it was applied.
  auto pid = static_cast<pid_t>(s.int64(21));
  if (j.outcome == "running" && pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) {
    j.outcome = "interrupted";
  }
  return j;
}

}  // namespace

Result<std::optional<Job>> SqliteStore::find_job(int64_t id) {
  SqliteStmt s = prepare("SELECT " ROSTER_JOB_COLUMNS "FROM jobs WHERE id = ?1");
  s.bind(1, id);
  if (s.step()) return std::optional<Job>(read_job(s));
  if (!s.ok()) return error("reading a job");
  return std::optional<Job>();
}

Result<std::vector<Job>> SqliteStore::list_jobs(int64_t limit) {
  SqliteStmt s = prepare("SELECT " ROSTER_JOB_COLUMNS "FROM jobs ORDER BY id DESC LIMIT ?1");
  s.bind(1, limit);
  std::vector<Job> jobs;
  while (s.step()) jobs.push_back(read_job(s));
  if (!s.ok()) return error("listing jobs");
  return jobs;
}

Result<std::optional<Job>> SqliteStore::running_job(int64_t except_id) {
  SqliteStmt s = prepare("SELECT " ROSTER_JOB_COLUMNS
                         "FROM jobs WHERE outcome = 'running' "
                         "AND id != ?1 ORDER BY id DESC LIMIT 1");
  s.bind(1, except_id);
  if (s.step()) return std::optional<Job>(read_job(s));
  if (!s.ok()) return error("reading running jobs");
  return std::optional<Job>();
}

Result<std::vector<Job>> SqliteStore::feed_jobs(std::string_view feed, int64_t limit) {
  SqliteStmt s =
      prepare("SELECT " ROSTER_JOB_COLUMNS "FROM jobs WHERE feed = ?1 ORDER BY id DESC LIMIT ?2");
  s.bind(1, feed).bind(2, limit);
  std::vector<Job> jobs;
  while (s.step()) jobs.push_back(read_job(s));
  if (!s.ok()) return error("listing a feed's jobs");
  return jobs;
}

Result<std::vector<FeedInfo>> SqliteStore::list_feeds() {
  SqliteStmt s = prepare(kListFeedsSql);
  std::vector<FeedInfo> feeds;
  while (s.step()) {
    FeedInfo& f = feeds.emplace_back();
    decode_feed(s, f);
  }
  if (!s.ok()) return error("listing feeds");
  return feeds;
}

// SQLite has no logins of its own: the file's permissions are its access
// control, so the identity is the operating-system account that opened it.
// The effective uid, not $USER, which anyone can set.
Result<std::string> SqliteStore::current_login() {
  uid_t uid = ::geteuid();
  std::vector<char> buffer(16384);
  struct passwd entry {};
  struct passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return std::string("os:") + found->pw_name;
  }
  return "os:" + std::to_string(uid);  // an account without a name (a container's)
}

Result<std::vector<LoginBinding>> SqliteStore::list_logins() {
  SqliteStmt s = prepare(
      "SELECT l.login, l.user_id, u.username FROM logins l JOIN users u ON u.id = l.user_id "
      "ORDER BY l.login, u.username");
  std::vector<LoginBinding> out;
  while (s.step()) out.push_back({s.text(0), s.int64(1), s.text(2)});
  if (!s.ok()) return error("reading the logins");
  return out;
}

Status SqliteStore::bind_login(std::string_view login, int64_t user_id) {
  SqliteStmt s = prepare("INSERT OR IGNORE INTO logins (login, user_id) VALUES (?1, ?2)");
  if (!s.bind(1, login).bind(2, user_id).run()) return error("binding a login");
  return Status::ok();
}

Result<bool> SqliteStore::unbind_login(std::string_view login, int64_t user_id) {
  SqliteStmt s = prepare("DELETE FROM logins WHERE login = ?1 AND user_id = ?2");
  if (!s.bind(1, login).bind(2, user_id).run()) return error("unbinding a login");
  return sqlite3_changes(db_) > 0;
}

Result<std::optional<Job>> SqliteStore::committed_job_with_sha(std::string_view kind,
                                                               std::string_view sha256) {
  SqliteStmt s = prepare("SELECT " ROSTER_JOB_COLUMNS
                         "FROM jobs WHERE kind = ?1 AND sha256 = ?2 "
                         "AND outcome = 'committed' AND created + updated > 0 "
                         "ORDER BY id DESC LIMIT 1");
  s.bind(1, kind).bind(2, sha256);
  if (s.step()) return std::optional<Job>(read_job(s));
  if (!s.ok()) return error("looking up earlier jobs");
  return std::optional<Job>();
}

}  // namespace roster

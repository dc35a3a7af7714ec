// The PostgreSQL store's jobs and audit trail.

#include <fmt/format.h>

#include "store/decode.h"
#include "store/postgres/pg_store.h"

namespace roster {
namespace {

// A job's columns. A job still marked running whose server connection is gone
// was killed, or lost its machine or network: the server rolled its
// transaction back, so nothing of it was applied. Its pid is that of the
// server process serving its connection, seen by every machine alike.
#define ROSTER_PG_JOB_COLUMNS                                                                \
  "id, kind, file, sha256, actor, mode, dry_run, started_at, coalesce(finished_at, ''), "    \
  "rows_read, created, updated, unchanged, rejected, "                                       \
  "CASE WHEN outcome = 'running' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a "          \
  "  WHERE a.pid = jobs.pid) THEN 'interrupted' ELSE outcome END, coalesce(exit_code, -1), " \
  "enabled, disabled, disabled_missing, coalesce(feed, ''), sync "

Job read_job(const PgResult& r, int row) {
  Job j;
  decode_job(PgRow{r, row}, j);
  return j;
}

}  // namespace

Status PgStore::add_audit(int64_t job_id, std::string_view target_type, std::string_view target,
                          std::string_view action, std::string_view changes,
                          std::string_view reason) {
  return defer(
      "INSERT INTO audit (job_id, target_type, target, action, changes, reason) "
      "VALUES ($1, $2, $3, $4, $5, nullif($6, ''))",
      {job_id, target_type, target, action, changes, reason}, "writing the audit trail");
}

Status PgStore::add_invitation(const Invitation& inv) {
  return defer(
      "INSERT INTO invitations (job_id, user_id, username, email, application, reason, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {inv.job_id, inv.user_id, inv.username, inv.email, inv.application, inv.reason,
       inv.created_at},
      "recording an invitation");
}

Status PgStore::for_each_invitation(bool pending_only,
                                    const std::function<Status(const Invitation&)>& fn) {
  Invitation inv;
  return scan(
      "SELECT id, job_id, user_id, username, email, application, reason, created_at, "
      "coalesce(sent_at, ''), coalesce(withdrawn_by, 0) FROM invitations "
      "WHERE $1::int = 0 OR (sent_at IS NULL AND withdrawn_by IS NULL) ORDER BY id",
      {pending_only}, "reading the invitations", [&](const PgResult& r, bool&) {
        decode_invitation(PgRow{r, 0}, inv);
        return fn(inv);
      });
}

Result<int64_t> PgStore::withdraw_invitations(int64_t user_id, int64_t job_id) {
  PgResult r =
      run("WITH w AS (UPDATE invitations SET withdrawn_by = $2 WHERE user_id = $1 "
          "  AND sent_at IS NULL AND withdrawn_by IS NULL RETURNING 1) SELECT count(*) FROM w",
          {user_id, job_id});
  if (!r.ok()) return error("withdrawing invitations", r);
  return r.int64(0, 0);
}

Result<int64_t> PgStore::mark_invitations_sent(int64_t job_id, const std::vector<int64_t>& ids,
                                               std::string_view sent_at) {
  PgResult r =
      run("WITH m AS (UPDATE invitations SET sent_at = $3 WHERE sent_at IS NULL "
          "  AND withdrawn_by IS NULL AND (job_id = $1 OR id = ANY($2::bigint[])) RETURNING 1) "
          "SELECT count(*) FROM m",
          {job_id, pg_id_array(ids), sent_at});
  if (!r.ok()) return error("marking invitations sent", r);
  return r.int64(0, 0);
}

Status PgStore::for_each_audit(const AuditFilter& filter,
                               const std::function<Status(const StoredAudit&)>& fn) {
  StoredAudit e;
  return scan(
      "SELECT a.job_id, j.started_at, j.actor, a.target_type, a.target, a.action, a.changes, "
      "coalesce(a.reason, '') FROM audit a JOIN jobs j ON j.id = a.job_id "
      "WHERE ($1::bigint = 0 OR a.job_id = $1) "
      "AND ($2::text = '' OR (a.target_type = 'user' AND "
      "  lower(a.target) = lower($2::text COLLATE \"C\"))) "
      "AND ($3::text = '' OR j.started_at >= $3::text) ORDER BY a.id",
      {filter.job_id, filter.user, filter.since}, "reading the audit trail",
      [&](const PgResult& r, bool&) {
        decode_audit_row(PgRow{r, 0}, e);
        return fn(e);
      });
}

Result<int64_t> PgStore::start_job(const Job& job) {
  PgResult r =
      run("INSERT INTO jobs (kind, file, sha256, actor, mode, dry_run, started_at, outcome, pid, "
          "feed, sync) VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', pg_backend_pid(), "
          "nullif($8, ''), $9) RETURNING id",
          {job.kind, job.file, job.sha256, job.actor, job.mode, job.dry_run, job.started_at,
           job.feed, job.sync});
  if (!r.ok()) return error("recording the job", r);
  return r.int64(0, 0);
}

Status PgStore::finish_job(const Job& job) {
  PgResult r =
      run("UPDATE jobs SET sha256 = $2, finished_at = $3, rows_read = $4, created = $5, "
          "updated = $6, unchanged = $7, rejected = $8, outcome = $9, exit_code = $10, "
          "enabled = $11, disabled = $12, disabled_missing = $13, "
          "file = coalesce(nullif($14, ''), file) WHERE id = $1",
          {job.id, job.sha256, job.finished_at, job.rows_read, job.created, job.updated,
           job.unchanged, job.rejected, job.outcome, job.exit_code, job.enabled, job.disabled,
           job.disabled_missing, job.file});
  if (!r.ok()) return error("finishing the job record", r);
  return Status::ok();
}

Result<std::optional<Job>> PgStore::one_job(const char* sql, std::initializer_list<PgArg> args,
                                            std::string_view what) {
  PgResult r = run(sql, args);
  if (!r.ok()) return error(what, r);
  if (r.rows() == 0) return std::optional<Job>();
  return std::optional<Job>(read_job(r, 0));
}

Result<std::optional<Job>> PgStore::find_job(int64_t id) {
  return one_job("SELECT " ROSTER_PG_JOB_COLUMNS "FROM jobs WHERE id = $1", {id}, "reading a job");
}

Result<std::vector<Job>> PgStore::list_jobs(int64_t limit) {
  PgResult r = run("SELECT " ROSTER_PG_JOB_COLUMNS "FROM jobs ORDER BY id DESC LIMIT $1", {limit});
  if (!r.ok()) return error("listing jobs", r);
  std::vector<Job> jobs;
  for (int i = 0; i < r.rows(); ++i) jobs.push_back(read_job(r, i));
  return jobs;
}

Result<std::optional<Job>> PgStore::running_job(int64_t except_id) {
  return one_job("SELECT " ROSTER_PG_JOB_COLUMNS
                 "FROM jobs WHERE outcome = 'running' AND id <> $1 ORDER BY id DESC LIMIT 1",
                 {except_id}, "reading running jobs");
}

Result<std::optional<Job>> PgStore::lock_holder_job(int64_t lock) {
  // The job whose server process holds the writers' advisory lock (a bigint
  // key shows in pg_locks as its high and low 32 bits).
  return one_job("SELECT " ROSTER_PG_JOB_COLUMNS
                 "FROM jobs WHERE outcome = 'running' AND pid IN (SELECT l.pid FROM pg_locks l "
                 "  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                 "  AND l.database = (SELECT oid FROM pg_database "
                 "    WHERE datname = current_database()) "
                 "  AND l.classid::bigint = ($1::bigint >> 32) "
                 "  AND l.objid::bigint = ($1::bigint & 4294967295)) "
                 "ORDER BY id DESC LIMIT 1",
                 {lock}, "reading running jobs");
}

Result<std::vector<Job>> PgStore::feed_jobs(std::string_view feed, int64_t limit) {
  PgResult r =
      run("SELECT " ROSTER_PG_JOB_COLUMNS "FROM jobs WHERE feed = $1 ORDER BY id DESC LIMIT $2",
          {feed, limit});
  if (!r.ok()) return error("listing a feed's jobs", r);
  std::vector<Job> jobs;
  for (int i = 0; i < r.rows(); ++i) jobs.push_back(read_job(r, i));
  return jobs;
}

Result<std::vector<FeedInfo>> PgStore::list_feeds() {
  PgResult r = run(kListFeedsSql);
  if (!r.ok()) return error("listing feeds", r);
  std::vector<FeedInfo> feeds(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) decode_feed(PgRow{r, i}, feeds[static_cast<size_t>(i)]);
  return feeds;
}

// The login the server authenticated for this connection (password, peer,
// certificate: the server's pg_hba.conf decides), not a role set since.
Result<std::string> PgStore::current_login() {
  PgResult r = run("SELECT session_user::text");
  if (!r.ok()) return error("reading the session user", r);
  return "pg:" + std::string(r.text(0, 0));
}

Result<std::vector<LoginBinding>> PgStore::list_logins() {
  PgResult r =
      run("SELECT l.login, l.user_id, u.username FROM logins l JOIN users u ON u.id = l.user_id "
          "ORDER BY l.login, lower(u.username)");
  if (!r.ok()) return error("reading the logins", r);
  std::vector<LoginBinding> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::string(r.text(i, 0)), r.int64(i, 1), std::string(r.text(i, 2))});
  }
  return out;
}

Status PgStore::bind_login(std::string_view login, int64_t user_id) {
  PgResult r = run("INSERT INTO logins (login, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                   {login, user_id});
  if (!r.ok()) return error("binding a login", r);
  return Status::ok();
}

Result<bool> PgStore::unbind_login(std::string_view login, int64_t user_id) {
  PgResult r = run("DELETE FROM logins WHERE login = $1 AND user_id = $2", {login, user_id});
  if (!r.ok()) return error("unbinding a login", r);
  return r.affected() > 0;
}

Result<std::optional<Job>> PgStore::committed_job_with_sha(std::string_view kind,
                                                           std::string_view sha256) {
  return one_job("SELECT " ROSTER_PG_JOB_COLUMNS
                 "FROM jobs WHERE kind = $1 AND sha256 = $2 AND outcome = 'committed' "
                 "AND created + updated > 0 ORDER BY id DESC LIMIT 1",
                 {kind, sha256}, "looking up earlier jobs");
}

}  // namespace roster

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roster/model.h"
#include "roster/result.h"
#include "roster/schema_tables.h"

namespace roster {

// The storage seam: what the directory needs from a database, and nothing of
// how a database does it. Two backends stand behind it: SQLite (one file, the
// default) and PostgreSQL (one database shared by several machines). Only the
// storage files include sqlite3.h or libpq-fe.h.
//
// Every call either succeeds or returns a database Status (exit 5) whose
// message names the file or the server, never a password. A Store is used by
// one thread at a time.

// The schema version that both backends reach on open. Migrations are numbered
// alike on both, so that version N means the same tables everywhere.
inline constexpr int kSchemaVersion = 14;

// The reference data, read whole: the directory keeps it in memory.
struct ReferenceData {
  std::vector<Permission> permissions;  // sorted by key
  std::vector<Application> applications;
  std::vector<Source> sources;
  std::vector<SalesChannel> channels;
  std::vector<Role> roles;  // permissions and scope ids sorted
};

// One audit entry as stored: one changed record, its fields as the JSON object
// the directory wrote ({"Field": "after"} for a create, else {"Field": [b, a]}).
struct StoredAudit {
  int64_t job_id = 0;
  std::string at, actor;  // the job's start and actor
  std::string target_type, target, action, changes;
  std::string reason;  // empty for a row's change
};

// A table row as text cells, for moving a whole directory; nullopt is NULL.
using TableRow = std::vector<std::optional<std::string>>;

// The users as they were committed when a write transaction began, read by
// one other thread while that transaction writes: the transaction's own
// changes are never seen. Used by one thread at a time.
class UserSnapshot {
 public:
  virtual ~UserSnapshot() = default;
  // As Store::find_user, against the snapshot.
  virtual Result<bool> find_user(std::string_view username, User& user) = 0;
};

class Store;
class ImportAccelerator;

// Speed-ups a store may offer an import, behind one optional capability
// (Store::accelerator()): each backend overrides what it has, none stubs what
// it has not. What a run sees and does is exactly what it would without them.
class ImportAccelerator {
 public:
  explicit ImportAccelerator(Store& store) : store_(store) {}
  virtual ~ImportAccelerator() = default;

  // A hint: the next find_user and email_owner calls will mostly be for these
  // (a batch of an import's rows). A store whose lookups are costly round
  // trips (PostgreSQL) may fetch them all at once and answer from memory,
  // keeping what it holds in step with its own writes. Inside a write
  // transaction only. looks_ahead() says whether the store uses the hint, so
  // that callers need not build it.
  virtual bool looks_ahead() const { return false; }
  virtual Status look_ahead(const std::vector<std::string>& /*usernames*/,
                            const std::vector<std::string>& /*emails*/) {
    return Status::ok();
  }
  // Inside a write transaction: a snapshot of the users as committed before it
  // began, for another thread to look rows up ahead while this one writes; or
  // null when the store offers none (SQLite does). Destroy it before commit():
  // while it reads, the commit's checkpoint cannot copy the transaction's
  // pages into the file.
  virtual Result<std::unique_ptr<UserSnapshot>> open_snapshot() {
    return std::unique_ptr<UserSnapshot>();
  }
  // As Store::insert_user, unless the username or the e-mail (case-insensitive)
  // is already taken: then writes nothing and returns false. For a row the
  // snapshot showed nobody had: SQLite lets the insert's own seek into each
  // unique index stand for the lookups; this default looks both up first, for
  // a store where a failed insert ends the transaction.
  virtual Result<bool> insert_user_if_free(User& user);

 private:
  Store& store_;
};

struct StoreOptions {
  bool create = false;          // create the directory when there is none
  int lock_timeout_ms = 30000;  // how long begin() waits for another writer
};

class Store {
 public:
  virtual ~Store() = default;

  // The speed-ups this store offers an import, or null for none.
  virtual ImportAccelerator* accelerator() { return nullptr; }

  // Where the directory lives, for messages: a file's path, or
  // "postgresql://user@host:port/db" without the password.
  virtual const std::string& address() const = 0;
  // "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;

  virtual Result<int> schema_version() = 0;
  // Brings the schema up to `version` in one transaction, then writes `catalog`
  // (when given) in the same transaction. Refuses a schema newer than roster's.
  virtual Status migrate(int version, const std::vector<Permission>* catalog) = 0;

  // One write transaction that excludes every other writer of the directory,
  // on this machine or another: waits up to the lock timeout, then fails with
  // a Status that names the job holding the lock.
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  // Never fails loudly: a failed rollback leaves nothing committed either.
  virtual void rollback() = 0;
  virtual bool in_transaction() const = 0;

  // --- Reference data.
  virtual Status load_reference(ReferenceData& out) = 0;
  virtual Status upsert_permission(const Permission& permission) = 0;
  // Insert when id == 0 (and set the id), else update.
  virtual Status save_source(Source& source) = 0;
  virtual Status save_channel(SalesChannel& channel) = 0;
  virtual Status save_application(Application& application) = 0;
  // Writes the role with its permissions and scopes (an "all" scope stores no list).
  virtual Status save_role(Role& role) = 0;

  // --- Users. A user with access to all sources is stored with no source
  // list, and likewise for sales channels; reads rely on it.
  // Finds by username (case-insensitive, ASCII) into `user`, reusing its memory.
  virtual Result<bool> find_user(std::string_view username, User& user) = 0;
  // The username that holds `email` (case-insensitive, ASCII), if any.
  virtual Result<std::optional<std::string>> email_owner(std::string_view email) = 0;
  virtual Status insert_user(User& user) = 0;  // sets user.id
  // Writes the fields of `after` that differ from `before` (same id).
  virtual Status update_user(const User& before, const User& after) = 0;
  // The users who may log in now (active: enabled and within their dates),
  // the blast-radius guard's base.
  virtual Result<int64_t> count_enabled_users() = 0;
  // Whether some user has a Start date or an End date (SPEC §12).
  virtual Result<bool> any_user_dates() = 0;
  // Every user whose active state is due to change by `now` (next_change <=
  // now), through the index on next_change, by username: its row without
  // its links (sources, channels and other applications' roles are left
  // empty; find_user reads them).
  virtual Result<std::vector<User>> users_due(std::string_view now) = 0;
  virtual Result<int64_t> max_user_id() = 0;
  // Every user (only those who hold `role_id`, in any application, when it is
  // not 0), sorted by username
  // (ASCII case-insensitive). Stops at the first callback that returns false.
  // The callback may swap the user's contents out; the next user is read into
  // whatever it leaves.
  virtual Status for_each_user(int64_t role_id, const std::function<bool(User&)>& fn) = 0;
  // The id and username of every user that feed `feed` manages (only the
  // enabled ones when `enabled_only`), in id order, through an index on the
  // feed: a --sync run reads this once, the whole feed, so it stays cheap at
  // a million users. Stops at the first callback that returns false.
  virtual Status for_each_feed_user(
      std::string_view feed, bool enabled_only,
      const std::function<bool(int64_t id, const std::string&)>& fn) = 0;
  // Every feed that manages a user or ran a job, by name.
  virtual Result<std::vector<FeedInfo>> list_feeds() = 0;
  // The newest jobs run with --feed `feed`, newest first.
  virtual Result<std::vector<Job>> feed_jobs(std::string_view feed, int64_t limit) = 0;

  // --- Logins (SPEC §14). The identity this process was authenticated as:
  // "os:NAME" of the effective uid on SQLite, "pg:NAME" of the session user on
  // PostgreSQL.
  virtual Result<std::string> current_login() = 0;
  // Every binding, by login then username.
  virtual Result<std::vector<LoginBinding>> list_logins() = 0;
  virtual Status bind_login(std::string_view login, int64_t user_id) = 0;
  // False when the login was not bound to that user.
  virtual Result<bool> unbind_login(std::string_view login, int64_t user_id) = 0;

  // --- A run's scratch list of usernames whose rows created nothing. It lives
  // in the database (temporary), so that memory does not grow with the file.
  virtual Status clear_names() = 0;
  virtual Result<bool> name_listed(std::string_view username) = 0;
  // Lists `username` (case-insensitive); true when it was not listed yet.
  virtual Result<bool> list_name(std::string_view username) = 0;

  // --- The invitations outbox, written in the run's transaction.
  virtual Status add_invitation(const Invitation& invitation) = 0;
  // Oldest first; when `pending_only`, those neither marked sent nor withdrawn.
  virtual Status for_each_invitation(bool pending_only,
                                     const std::function<Status(const Invitation&)>& fn) = 0;
  // Withdraws, as done by job `job_id`, every pending invitation of the user
  // (one who lost access); how many. Inside a write transaction.
  virtual Result<int64_t> withdraw_invitations(int64_t user_id, int64_t job_id) = 0;
  // Marks the pending invitations of job `job_id` (when not 0) or those with
  // `ids` sent at `sent_at`; how many it marked. Inside a write transaction.
  virtual Result<int64_t> mark_invitations_sent(int64_t job_id, const std::vector<int64_t>& ids,
                                                std::string_view sent_at) = 0;

  // --- Audit and jobs.
  virtual Status add_audit(int64_t job_id, std::string_view target_type, std::string_view target,
                           std::string_view action, std::string_view changes,
                           std::string_view reason) = 0;
  // Entries matching `filter`, oldest first.
  virtual Status for_each_audit(const AuditFilter& filter,
                                const std::function<Status(const StoredAudit&)>& fn) = 0;
  // Records a job, marked running and owned by this process (or connection),
  // in its own transaction when none is open, so that it survives a rollback.
  virtual Result<int64_t> start_job(const Job& job) = 0;
  // Writes the job's outcome and counts, and its file when not empty (an
  // inbox's file ends up in the archive).
  virtual Status finish_job(const Job& job) = 0;
  // Reads report a job still marked running whose owner is gone as interrupted.
  virtual Result<std::optional<Job>> find_job(int64_t id) = 0;
  virtual Result<std::vector<Job>> list_jobs(int64_t limit) = 0;  // newest first
  // The newest job still marked running, other than `except_id`.
  virtual Result<std::optional<Job>> running_job(int64_t except_id) = 0;
  // The newest job of `kind` that committed rows from a file with this SHA-256.
  virtual Result<std::optional<Job>> committed_job_with_sha(std::string_view kind,
                                                            std::string_view sha256) = 0;

  // --- Moving a whole directory (roster migrate), table by table, inside the
  // transactions of both stores. Tables are those of schema_tables(), never
  // names from input; values are bound.
  virtual Result<int64_t> count_rows(const TableSpec& table) = 0;
  // Every row of `table`, every column, in the table's order, one call each.
  virtual Status scan_table(const TableSpec& table,
                            const std::function<Status(const TableRow&)>& fn) = 0;
  // Removes every row of `table` (a seeded one, before its rows are copied).
  virtual Status clear_table(const TableSpec& table) = 0;
  // Appends `rows`, ids included (PostgreSQL: through COPY).
  virtual Status append_rows(const TableSpec& table, const std::vector<TableRow>& rows) = 0;
  // After the appends: ids given from now on continue past the largest copied.
  virtual Status finish_appends() = 0;
};

// What a backend brings to a migration: the schema version as the open
// transaction sees it; one step from version v (to v + 1, or further when a
// backend starts at a later version), recorded; a check of the result.
struct SchemaSteps {
  std::function<Result<int>()> version;
  std::function<Result<int>(int v)> step;
  std::function<Status()> check;  // may be empty
};

// The migration driver both backends share: in one write transaction, the
// steps from the version the transaction sees up to `target`, the check, then
// `catalog` when given; commits, or rolls back at the first failure.
Status migrate_in_steps(Store& store, const SchemaSteps& steps, int target,
                        const std::vector<Permission>* catalog);

// A database Status when `version` is newer than this roster knows (a newer
// roster wrote it), else ok; every store checks it before migrating.
Status refuse_newer_schema(const std::string& address, int version);

// Whether `address` names a PostgreSQL database (postgresql:// or postgres://).
bool is_postgres_address(std::string_view address);

// roster migrate: copies every table of `from` into `to`, which must hold no
// row but those its schema seeds, inside both stores' write transactions, and
// commits `to` whole or not at all. Returns what it copied ("12 permissions,
// 1 applications, ...").
Result<std::string> copy_directory(Store& from, Store& to);

}  // namespace roster

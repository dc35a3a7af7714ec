#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <unordered_map>

#include "roster/store.h"

namespace roster {

// A cached prepared statement, reset and unbound when it goes out of scope.
class SqliteStmt {
 public:
  SqliteStmt(sqlite3_stmt* stmt, int rc) : stmt_(stmt), rc_(rc) {}
  SqliteStmt(SqliteStmt&& other) noexcept : stmt_(other.stmt_), rc_(other.rc_) {
    other.stmt_ = nullptr;
  }
  ~SqliteStmt() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  SqliteStmt& bind(int i, int64_t v) {
    if (ok()) rc_ = sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  SqliteStmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  SqliteStmt& bind(int i, bool v) { return bind(i, static_cast<int64_t>(v ? 1 : 0)); }
  // SQLite reads the bytes in place (SQLITE_STATIC) instead of copying them: a
  // statement lives inside one function, and its destructor resets and unbinds
  // it before the values it was given can go away.
  SqliteStmt& bind(int i, std::string_view v) {
    if (ok()) {
      rc_ = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    }
    return *this;
  }
  SqliteStmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  // A temporary string would be gone before the statement runs.
  SqliteStmt& bind(int i, std::string&& v) = delete;
  SqliteStmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }

  // Steps once: true when a row is ready. On an error, ok() turns false.
  bool step() {
    if (!ok()) return false;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) rc_ = rc;
    return false;
  }
  // Steps to completion of a statement that returns no rows.
  bool run() {
    while (step()) {
    }
    return ok();
  }
  bool ok() const { return rc_ == SQLITE_OK; }
  // The (extended) result code of the last failure, else SQLITE_OK.
  int rc() const { return rc_; }

  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool flag(int col) const { return sqlite3_column_int64(stmt_, col) != 0; }
  std::string text(int col) const {
    std::string out;
    text(col, out);
    return out;
  }
  // Assigns into `out`, keeping its memory (NULL reads as empty).
  void text(int col, std::string& out) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    out.assign(t == nullptr ? "" : reinterpret_cast<const char*>(t),
               static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  const unsigned char* raw_text(int col) const { return sqlite3_column_text(stmt_, col); }

 private:
  sqlite3_stmt* stmt_;
  int rc_;
};

// The directory in one SQLite file (WAL mode). The connection is this object's
// alone; every statement is prepared once, cached by its SQL text's address,
// and bound with parameters. Split by responsibility: sqlite_store.cc (opening,
// transactions, errors, scratch), sqlite_schema.cc (migrations),
// sqlite_reference.cc, sqlite_users.cc, sqlite_jobs.cc (jobs and audit).
class SqliteStore : public Store, public ImportAccelerator {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   const StoreOptions& options);
  ~SqliteStore() override;

  const std::string& address() const override { return path_; }
  std::string_view backend() const override { return "sqlite"; }
  Result<int> schema_version() override;
  Status migrate(int version, const std::vector<Permission>* catalog) override;
  Status migrate_steps(int target_version, const std::vector<Permission>* catalog);
  Status begin() override;
  Status commit() override;
  void rollback() override;
  bool in_transaction() const override { return in_transaction_; }
  // Runs `sql` with no parameters: the store's own statements only.
  Status exec(const std::string& sql);

  Status load_reference(ReferenceData& out) override;
  Status upsert_permission(const Permission& permission) override;
  Status save_source(Source& source) override;
  Status save_channel(SalesChannel& channel) override;
  Status save_application(Application& application) override;
  Status save_role(Role& role) override;

  ImportAccelerator* accelerator() override { return this; }
  Result<std::unique_ptr<UserSnapshot>> open_snapshot() override;
  Result<bool> find_user(std::string_view username, User& user) override;
  Result<std::optional<std::string>> email_owner(std::string_view email) override;
  Status insert_user(User& user) override;
  Result<bool> insert_user_if_free(User& user) override;
  Status update_user(const User& before, const User& after) override;
  Result<int64_t> count_enabled_users() override;
  Result<bool> any_user_dates() override;
  Result<std::vector<User>> users_due(std::string_view now) override;
  Result<int64_t> max_user_id() override;
  Status for_each_user(int64_t role_id, const std::function<bool(User&)>& fn) override;
  Status for_each_feed_user(std::string_view feed, bool enabled_only,
                            const std::function<bool(int64_t, const std::string&)>& fn) override;
  Result<std::vector<FeedInfo>> list_feeds() override;
  Result<std::string> current_login() override;
  Result<std::vector<LoginBinding>> list_logins() override;
  Status bind_login(std::string_view login, int64_t user_id) override;
  Result<bool> unbind_login(std::string_view login, int64_t user_id) override;
  Result<std::vector<Job>> feed_jobs(std::string_view feed, int64_t limit) override;

  Status clear_names() override;
  Result<bool> name_listed(std::string_view username) override;
  Result<bool> list_name(std::string_view username) override;

  Status add_invitation(const Invitation& invitation) override;
  Status for_each_invitation(bool pending_only,
                             const std::function<Status(const Invitation&)>& fn) override;
  Result<int64_t> withdraw_invitations(int64_t user_id, int64_t job_id) override;
  Result<int64_t> mark_invitations_sent(int64_t job_id, const std::vector<int64_t>& ids,
                                        std::string_view sent_at) override;
  Status add_audit(int64_t job_id, std::string_view target_type, std::string_view target,
                   std::string_view action, std::string_view changes,
                   std::string_view reason) override;
  Status for_each_audit(const AuditFilter& filter,
                        const std::function<Status(const StoredAudit&)>& fn) override;
  Result<int64_t> start_job(const Job& job) override;
  Status finish_job(const Job& job) override;
  Result<std::optional<Job>> find_job(int64_t id) override;
  Result<std::vector<Job>> list_jobs(int64_t limit) override;
  Result<std::optional<Job>> running_job(int64_t except_id) override;
  Result<std::optional<Job>> committed_job_with_sha(std::string_view kind,
                                                    std::string_view sha256) override;

  Result<int64_t> count_rows(const TableSpec& table) override;
  Status scan_table(const TableSpec& table,
                    const std::function<Status(const TableRow&)>& fn) override;
  Status clear_table(const TableSpec& table) override;
  Status append_rows(const TableSpec& table, const std::vector<TableRow>& rows) override;
  Status finish_appends() override;

 private:
  SqliteStore(sqlite3* db, std::string path)
      : ImportAccelerator(static_cast<Store&>(*this)), db_(db), path_(std::move(path)) {}
  Status configure(int busy_timeout_ms);
  // A database Status for the failed `what`, from the connection's last error.
  Status error(std::string_view what);
  SqliteStmt prepare(const char* sql);
  Status replace_links(const char* delete_sql, const char* insert_sql, int64_t owner,
                       const std::vector<int64_t>& ids);
  void load_user_fields(SqliteStmt& stmt, User& user);
  // Reads the user's sources and sales channels (by user.id); false on an error.
  bool load_links(User& user);
  Status for_each_user_sorted(const std::function<bool(User&)>& fn);
  // Whether any user holds a role outside the back office: when none does (every
  // directory before the store app came in), no lookup reads user_roles.
  Result<bool> any_app_roles();

  sqlite3* db_;
  std::string path_;
  bool in_transaction_ = false;
  bool busy_reporting_ = false;
  int app_roles_known_ = -1;  // any_app_roles() within this transaction; -1 unknown
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace roster

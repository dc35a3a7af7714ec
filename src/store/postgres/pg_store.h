#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "roster/store.h"

namespace roster {

// One parameter of a statement, in libpq's text format.
struct PgArg {
  PgArg(std::string_view v) : text(v) {}         // NOLINT: implicit by design
  PgArg(const std::string& v) : text(v) {}       // NOLINT
  PgArg(const char* v) : text(v) {}              // NOLINT
  PgArg(int64_t v) : text(std::to_string(v)) {}  // NOLINT
  PgArg(int v) : text(std::to_string(v)) {}      // NOLINT
  PgArg(bool v) : text(v ? "1" : "0") {}         // NOLINT
  std::string text;
};

// "{1,2,3}": a list as one array parameter, so that a whole list is one statement.
std::string pg_id_array(const std::vector<int64_t>& ids);
// {"a","b"}: strings as one text[] parameter, quoted and escaped.
std::string pg_text_array(const std::vector<std::string>& items);

// A statement's result, cleared when it goes out of scope.
class PgResult {
 public:
  explicit PgResult(PGresult* r = nullptr) : r_(r) {}
  PgResult(PgResult&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept {
    std::swap(r_, other.r_);
    return *this;
  }
  ~PgResult() { PQclear(r_); }

  bool ok() const {
    ExecStatusType s = PQresultStatus(r_);
    return r_ != nullptr &&
           (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_SINGLE_TUPLE);
  }
  int rows() const { return PQntuples(r_); }
  std::string_view text(int row, int col) const {
    return {PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col))};
  }
  void text(int row, int col, std::string& out) const { out.assign(text(row, col)); }
  int64_t int64(int row, int col) const;
  bool flag(int row, int col) const { return int64(row, col) != 0; }
  // The command tag ("COMMIT", "INSERT 0 1", ...).
  std::string_view command() const { return r_ == nullptr ? "" : PQcmdStatus(r_); }
  // Rows written by an INSERT, UPDATE or DELETE.
  int64_t affected() const;
  const PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

// One row of a result, as the shared decoders (store/decode.h) read it.
struct PgRow {
  const PgResult& result;
  int row = 0;
  int64_t int64(int col) const { return result.int64(row, col); }
  bool flag(int col) const { return result.flag(row, col); }
  void text(int col, std::string& out) const { result.text(row, col, out); }
};

// The directory in one PostgreSQL database, shared by every machine that runs
// roster against it. One connection; every statement prepared once and run
// with parameters. Writers exclude each other with a transaction-scoped
// advisory lock. Split by responsibility: pg_store.cc (connecting,
// transactions, the lock, errors, scratch), pg_schema.cc, pg_reference.cc,
// pg_users.cc, pg_jobs.cc (jobs and audit).
class PgStore : public Store, public ImportAccelerator {
 public:
  static Result<std::unique_ptr<PgStore>> open(const std::string& uri, const StoreOptions& options);
  ~PgStore() override;

  const std::string& address() const override { return address_; }
  std::string_view backend() const override { return "postgresql"; }
  Result<int> schema_version() override;
  Status migrate(int version, const std::vector<Permission>* catalog) override;
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
  bool looks_ahead() const override { return true; }
  Status look_ahead(const std::vector<std::string>& usernames,
                    const std::vector<std::string>& emails) override;
  Result<bool> find_user(std::string_view username, User& user) override;
  Result<std::optional<std::string>> email_owner(std::string_view email) override;
  Status insert_user(User& user) override;
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
  PgStore(PGconn* conn, std::string address, int lock_timeout_ms)
      : ImportAccelerator(static_cast<Store&>(*this)),
        conn_(conn),
        address_(std::move(address)),
        lock_timeout_ms_(lock_timeout_ms) {}
  // Runs a statement (prepared on first use, cached by the SQL text's address),
  // after the deferred writes, in one round trip with them. When a deferred
  // write or the preparing failed, returns an empty result and error()
  // reports that failure.
  PgResult run(const char* sql, std::initializer_list<PgArg> args = {});
  // Inside a transaction, a write whose result nobody reads waits on this
  // side and goes to the server ahead of the next statement (libpq's pipeline
  // mode): a row costs one round trip, not one per statement. Outside a
  // transaction it runs at once.
  Status defer(const char* sql, std::initializer_list<PgArg> args, std::string what);
  // Sends the deferred writes, then `sql` when given (its result into `out`),
  // in one pipeline; the first failure among the writes, else ok.
  Status flush(const char* sql, std::initializer_list<PgArg> args, PgResult* out);
  // The server-side name of `sql`, prepared on first use.
  Result<std::string> prepared_name(const char* sql);
  // A user id from the identity sequence, drawn ahead in blocks, so that a
  // created user's insert needs no answer from the server.
  Result<int64_t> next_user_id();
  // A database Status for the failed `what`, from `res` or the connection.
  Status error(std::string_view what, const PgResult& res);
  // Streams the rows of a statement one at a time (libpq's single-row mode),
  // so that a scan of a million users holds one row in memory. The callback
  // returns false to stop; the rest of the result is then drained.
  Status scan(const char* sql, std::initializer_list<PgArg> args, std::string_view what,
              const std::function<Status(const PgResult&, bool& more)>& fn);
  Result<bool> has_table(const char* name);
  Status create_schema();
  // The running job whose connection holds the advisory lock `lock`.
  Result<std::optional<Job>> lock_holder_job(int64_t lock);
  Result<std::optional<Job>> one_job(const char* sql, std::initializer_list<PgArg> args,
                                     std::string_view what);

  PGconn* conn_;
  std::string address_;
  int lock_timeout_ms_;
  bool in_transaction_ = false;
  bool busy_reporting_ = false;
  std::unordered_map<const char*, std::string> prepared_;  // SQL -> statement name
  std::vector<const char*> values_;                        // reused by run()
  std::vector<int> lengths_;
  struct Deferred {
    std::string name;  // the prepared statement
    std::vector<std::string> args;
    std::string what;
  };
  std::vector<Deferred> deferred_;
  Status pending_failure_;               // what run() could not return in its result, for error()
  std::vector<int64_t> spare_user_ids_;  // drawn from the sequence, not used yet
  // look_ahead's answers by lower-case username and e-mail (nullopt: none
  // stored), kept in step with insert_user and update_user; dropped at the
  // next look-ahead and when the transaction ends.
  std::unordered_map<std::string, std::optional<User>> users_ahead_;
  std::unordered_map<std::string, std::optional<std::string>> emails_ahead_;
};

}  // namespace roster

// The PostgreSQL store: connecting, statements, errors, transactions with the
// writers' lock, and the per-run scratch table. The queries are in
// pg_reference.cc, pg_users.cc and pg_jobs.cc; the schema in pg_schema.cc.

#include "store/postgres/pg_store.h"

#include <fmt/format.h>

#include <charconv>

#include "store/postgres/pg_open.h"

namespace roster {

Result<std::unique_ptr<Store>> open_pg_store(const std::string& address,
                                             const StoreOptions& options) {
  auto store = PgStore::open(address, options);
  if (!store.is_ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

namespace {

// The advisory lock that one writer of a directory holds for its transaction
// ("roster" in ASCII). PostgreSQL scopes advisory locks to the database, so
// two directories on one server never wait for each other.
constexpr int64_t kWriterLock = 0x726f73746572;

// The URI as the operator wrote it, without a password (in the user part or
// as a password= parameter), for every message that names the server.
std::string redact(const std::string& uri) {
  std::string out = uri;
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?", start);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=")) {
    size_t begin = p > 0 && (out[p - 1] == '&' || out[p - 1] == '?') ? p - 1 : p;
    size_t end = out.find('&', p);
    if (out[begin] == '?' && end != std::string::npos) {
      out.erase(begin + 1, end - begin);  // keep the '?' for the next parameter
    } else {
      out.erase(begin, end == std::string::npos ? std::string::npos : end - begin);
    }
  }
  return out;
}

std::string first_line(const char* text) {
  std::string s = text == nullptr ? "" : text;
  size_t nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

void ignore_notice(void*, const char*) {}

}  // namespace

int64_t PgResult::int64(int row, int col) const {
  std::string_view t = text(row, col);
  if (t == "t") return 1;  // a boolean
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_);
  int64_t v = 0;
  if (n != nullptr) std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& uri,
                                               const StoreOptions& options) {
  // The URI's own settings win over these defaults: libpq applies the keywords
  // in order, and the URI is expanded where "dbname" stands.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "client_encoding", "dbname",
                        nullptr};
  const char* values[] = {"10", "roster", "UTF8", uri.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  std::string address = redact(uri);
  if (conn == nullptr) {
    return Status::database(fmt::format("database \"{}\": out of memory connecting", address));
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string detail = first_line(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::database(fmt::format(
        "database \"{}\": connecting failed: {}; check the server address, that the server "
        "runs, and the user's password (PGPASSWORD or ~/.pgpass)",
        address, detail));
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  std::unique_ptr<PgStore> store(new PgStore(conn, address, options.lock_timeout_ms));
  auto exists = store->has_table("roster_schema");
  if (!exists.is_ok()) return exists.status();
  if (!*exists) {
    auto foreign =
        store->run("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()");
    if (!foreign.ok()) return store->error("inspecting the database", foreign);
    if (foreign.int64(0, 0) > 0) {
      return Status::database(fmt::format(
          "database \"{}\" holds tables of another program and no roster directory; give "
          "roster a database of its own",
          address));
    }
    if (!options.create) {
      return Status::database(fmt::format(
          "no directory in \"{}\" (the database is empty); create it with `roster init` (or "
          "set --db / ROSTER_DB)",
          address));
    }
  }
  return store;
}

PgStore::~PgStore() {
  if (in_transaction_) PQclear(PQexec(conn_, "ROLLBACK"));
  PQfinish(conn_);
}

Result<std::string> PgStore::prepared_name(const char* sql) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) return it->second;
  std::string name = fmt::format("roster_{}", prepared_.size() + 1);
  PgResult prepared(PQprepare(conn_, name.c_str(), sql, 0, nullptr));
  if (!prepared.ok()) return error("preparing a statement", prepared);
  prepared_.emplace(sql, name);
  return name;
}

PgResult PgStore::run(const char* sql, std::initializer_list<PgArg> args) {
  if (!deferred_.empty()) {
    PgResult out;
    Status st = flush(sql, args, &out);
    if (!st.is_ok()) {
      pending_failure_ = st;
      return PgResult();
    }
    return out;
  }
  auto name = prepared_name(sql);
  if (!name.is_ok()) {
    pending_failure_ = name.status();
    return PgResult();
  }
  values_.clear();
  lengths_.clear();
  for (const PgArg& a : args) {
    values_.push_back(a.text.c_str());
    lengths_.push_back(static_cast<int>(a.text.size()));
  }
  return PgResult(PQexecPrepared(conn_, name->c_str(), static_cast<int>(values_.size()),
                                 values_.data(), lengths_.data(), nullptr, 0));
}

Status PgStore::defer(const char* sql, std::initializer_list<PgArg> args, std::string what) {
  if (!in_transaction_) {
    PgResult r = run(sql, args);
    if (!r.ok()) return error(what, r);
    return Status::ok();
  }
  // Nothing is in flight between flushes, so preparing here is safe.
  auto name = prepared_name(sql);
  if (!name.is_ok()) return name.status();
  Deferred& d = deferred_.emplace_back();
  d.name = std::move(*name);
  for (const PgArg& a : args) d.args.push_back(a.text);
  d.what = std::move(what);
  // Bounded: a file of writes with no read between them still flushes.
  if (deferred_.size() >= 512) return flush(nullptr, {}, nullptr);
  return Status::ok();
}

Status PgStore::flush(const char* sql, std::initializer_list<PgArg> args, PgResult* out) {
  std::string read_name;
  if (sql != nullptr) {
    auto name = prepared_name(sql);
    if (!name.is_ok()) return name.status();
    read_name = std::move(*name);
  }
  std::vector<Deferred> writes;
  writes.swap(deferred_);
  if (PQenterPipelineMode(conn_) != 1) return error("sending the writes", PgResult());
  auto send = [&](const std::string& name, const std::vector<const char*>& values) {
    return PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(),
                               nullptr, nullptr, 0) == 1;
  };
  bool sent = true;
  std::vector<const char*> values;
  for (const Deferred& d : writes) {
    values.clear();
    for (const std::string& a : d.args) values.push_back(a.c_str());
    sent = sent && send(d.name, values);
  }
  if (sql != nullptr) {
    values.clear();
    for (const PgArg& a : args) values.push_back(a.text.c_str());
    sent = sent && send(read_name, values);
  }
  sent = sent && PQpipelineSync(conn_) == 1;
  // Each statement's results end with a null; the sync point ends the batch.
  // After a failure the server skips the rest (PGRES_PIPELINE_ABORTED).
  Status failure = sent ? Status::ok() : error("sending the writes", PgResult());
  size_t total = writes.size() + (sql != nullptr ? 1 : 0), index = 0;
  while (sent) {
    PGresult* raw = PQgetResult(conn_);
    if (raw == nullptr) {
      if (index < total) ++index;
      if (PQstatus(conn_) == CONNECTION_BAD) break;
      continue;
    }
    PgResult r(raw);
    if (PQresultStatus(raw) == PGRES_PIPELINE_SYNC) break;
    if (index < writes.size()) {
      if (!r.ok() && failure.is_ok()) failure = error(writes[index].what, r);
    } else if (out != nullptr) {
      *out = std::move(r);
    }
  }
  PQexitPipelineMode(conn_);
  if (failure.is_ok() && PQstatus(conn_) == CONNECTION_BAD) {
    failure = error("sending the writes", PgResult());
  }
  return failure;
}

Result<int64_t> PgStore::next_user_id() {
  if (spare_user_ids_.empty()) {
    PgResult r =
        run("SELECT nextval(pg_get_serial_sequence('users', 'id')) FROM generate_series(1, 256) "
            "ORDER BY 1 DESC");
    if (!r.ok()) return error("drawing user ids", r);
    for (int i = 0; i < r.rows(); ++i) spare_user_ids_.push_back(r.int64(i, 0));
  }
  int64_t id = spare_user_ids_.back();
  spare_user_ids_.pop_back();
  return id;
}

Status PgStore::scan(const char* sql, std::initializer_list<PgArg> args, std::string_view what,
                     const std::function<Status(const PgResult&, bool& more)>& fn) {
  if (!deferred_.empty()) {
    Status st = flush(nullptr, {}, nullptr);
    if (!st.is_ok()) return st;
  }
  auto name = prepared_name(sql);
  if (!name.is_ok()) return name.status();
  std::vector<const char*> values;
  for (const PgArg& a : args) values.push_back(a.text.c_str());
  if (PQsendQueryPrepared(conn_, name->c_str(), static_cast<int>(values.size()), values.data(),
                          nullptr, nullptr, 0) != 1) {
    return error(what, PgResult());
  }
  PQsetSingleRowMode(conn_);
  bool more = true;
  Status st;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    ExecStatusType s = PQresultStatus(raw);
    if (s == PGRES_SINGLE_TUPLE) {
      if (more && st.is_ok()) st = fn(r, more);
    } else if (s != PGRES_TUPLES_OK && st.is_ok()) {
      st = error(what, r);
    }
  }
  return st;
}

Status PgStore::error(std::string_view what, const PgResult& res) {
  if (!pending_failure_.is_ok()) {
    // run() failed before its own statement (a deferred write, or preparing
    // it), and that failure names what went wrong.
    Status failure = pending_failure_;
    pending_failure_ = Status();
    return failure;
  }
  const char* state = res.get() ? PQresultErrorField(res.get(), PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  const char* primary =
      res.get() ? PQresultErrorField(res.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string detail = primary ? primary : first_line(PQerrorMessage(conn_));
  if (PQstatus(conn_) == CONNECTION_BAD) {
    detail = fmt::format("the connection to the server was lost ({})", detail);
  } else if (sqlstate == "55P03") {
    detail = "the directory is locked by another roster process";
    if (!busy_reporting_) {
      busy_reporting_ = true;
      rollback();  // the failed lock wait aborted the transaction
      auto running = lock_holder_job(kWriterLock);
      busy_reporting_ = false;
      if (running.is_ok() && running->has_value()) {
        const Job& j = **running;
        detail =
            fmt::format("the directory is locked by job {} ({} import of \"{}\" by {}, started {})",
                        j.id, j.kind, j.file, j.actor, j.started_at);
      }
    }
    detail += "; try again later or raise --lock-timeout";
  } else if (sqlstate == "42P01" || sqlstate == "42703") {
    detail =
        fmt::format("the database does not hold a roster directory of this version ({})", detail);
  } else if (sqlstate == "53100") {
    detail = "the server's disk is full";
  } else if (sqlstate == "42501") {
    detail = fmt::format("permission denied ({}); see docs/operations.md for the grants", detail);
  } else if (sqlstate == "25006") {
    detail = fmt::format("the server is read-only ({})", detail);
  }
  return Status::database(fmt::format("database \"{}\": {} failed: {}", address_, what, detail));
}

Status PgStore::exec(const std::string& sql) {
  if (!deferred_.empty()) {
    Status st = flush(nullptr, {}, nullptr);
    if (!st.is_ok()) return st;
  }
  PgResult r(PQexec(conn_, sql.c_str()));
  if (!r.ok()) return error("running SQL", r);
  return Status::ok();
}

Status PgStore::begin() {
  users_ahead_.clear();
  emails_ahead_.clear();
  PgResult r(PQexec(conn_, "BEGIN"));
  if (!r.ok()) return error("starting a transaction", r);
  in_transaction_ = true;
  // PostgreSQL reads a lock_timeout of 0 as "wait forever"; --lock-timeout 0
  // means "do not wait", so it asks for one millisecond.
  int ms = lock_timeout_ms_ > 0 ? lock_timeout_ms_ : 1;
  PgResult timeout(PQexec(conn_, fmt::format("SET LOCAL lock_timeout = {}", ms).c_str()));
  if (!timeout.ok()) return error("setting the lock timeout", timeout);
  PgResult lock = run("SELECT pg_advisory_xact_lock($1::bigint)", {kWriterLock});
  if (!lock.ok()) return error("taking the writers' lock", lock);
  return Status::ok();
}

Status PgStore::commit() {
  if (!deferred_.empty()) {
    Status st = flush(nullptr, {}, nullptr);
    if (!st.is_ok()) {
      rollback();
      return st;
    }
  }
  PgResult r(PQexec(conn_, "COMMIT"));
  // A COMMIT of a failed transaction answers ROLLBACK, not an error.
  if (!r.ok() || r.command() != "COMMIT") {
    Status st = error("committing", r);
    rollback();
    return st;
  }
  in_transaction_ = false;
  users_ahead_.clear();
  emails_ahead_.clear();
  return Status::ok();
}

void PgStore::rollback() {
  users_ahead_.clear();
  emails_ahead_.clear();
  deferred_.clear();  // never sent: nothing to undo on the server
  pending_failure_ = Status();
  if (!in_transaction_) return;
  PQclear(PQexec(conn_, "ROLLBACK"));
  in_transaction_ = false;
}

}  // namespace roster

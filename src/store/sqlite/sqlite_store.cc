// The SQLite store: opening the file, transactions, errors and the per-run
// scratch table. The queries are in sqlite_reference.cc, sqlite_users.cc and
// sqlite_jobs.cc; the schema in sqlite_schema.cc.

#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include "store/sqlite/sqlite_open.h"

namespace roster {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& address,
                                                 const StoreOptions& options) {
  auto store = SqliteStore::open(address, options);
  if (!store.is_ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

namespace {

// A connection belongs to one store, used by one thread at a time: SQLite
// need not lock it on every call (SQLite's "multi-thread" mode).
constexpr int kOpenFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

// SQLite's allocation statistics take a global mutex on every malloc and free;
// roster never reads them. Has no effect once SQLite is initialised.
void configure_sqlite_once() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const StoreOptions& options) {
  configure_sqlite_once();
  struct stat st;
  if (!options.create && ::stat(path.c_str(), &st) != 0) {
    return Status::database(fmt::format(
        "no directory at \"{}\"; create it with `roster init` (or set --db / ROSTER_DB)", path));
  }
  sqlite3* db = nullptr;
  int flags = kOpenFlags | (options.create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  if (rc != SQLITE_OK) return store->error("opening");
  // SQLite quietly opens a file it cannot write read-only; say so up front.
  if (sqlite3_db_readonly(db, "main") == 1) {
    return Status::database(fmt::format(
        "database \"{}\" is read-only (the file, or the file system it is on, cannot be "
        "written); roster needs to write it, and its folder",
        path));
  }
  Status s = store->configure(options.lock_timeout_ms);
  if (!s.is_ok()) return s;
  return store;
}

SqliteStore::~SqliteStore() {
  if (in_transaction_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status SqliteStore::configure(int busy_timeout_ms) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  // WAL lets exports and `jobs` read while an import writes; FULL sync makes a
  // committed file survive power loss. The page cache is 16 MiB: pages it
  // misses come from the OS's file cache (256 MiB made a 1M-row import no
  // faster), and an import's memory must stay under 100 MiB at 10M rows, where
  // the WAL index of its one transaction takes ~10 MiB beside the CSV reader's
  // fixed 48 MiB. TEMP tables live in a file, so that the per-run scratch does
  // not grow memory with the number of rows.
  const char* pragmas =
      "PRAGMA foreign_keys = ON;"
      "PRAGMA synchronous = FULL;"
      "PRAGMA cache_size = -16384;"
      "PRAGMA temp_store = FILE;";
  if (sqlite3_exec(db_, pragmas, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return error("configuring");
  }
  // A new file gets 8 KiB pages: half the WAL index of a large import's one
  // transaction (the part of its memory that grows with the file), and faster
  // imports of new users and exports (docs/decisions.md, "Memory"). A page size
  // is fixed once the file has content: an existing directory keeps its own.
  int64_t page_count = 0;
  {
    SqliteStmt pages = prepare("PRAGMA page_count");
    if (!pages.step()) return error("configuring");
    page_count = pages.int64(0);
  }
  if (page_count == 0) {
    if (Status st = exec("PRAGMA page_size = 8192"); !st.is_ok()) return st;
  }
  SqliteStmt wal = prepare("PRAGMA journal_mode = WAL");
  if (!wal.step()) return error("switching to WAL");
  return Status::ok();
}

Status SqliteStore::error(std::string_view what) {
  int rc = sqlite3_extended_errcode(db_);
  std::string detail = sqlite3_errmsg(db_);
  int primary = rc & 0xFF;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    detail = "the database is locked by another roster process";
    // Name the import that holds it: readers are never blocked in WAL mode.
    if (!busy_reporting_) {
      busy_reporting_ = true;
      auto running = running_job(0);
      busy_reporting_ = false;
      if (running.is_ok() && running->has_value()) {
        const Job& j = **running;
        detail = fmt::format(
            "the database is locked by job {} ({} import of \"{}\" by {}, "
            "started {})",
            j.id, j.kind, j.file, j.actor, j.started_at);
      }
    }
    detail += "; try again later or raise --lock-timeout";
  } else if (primary == SQLITE_NOTADB) {
    detail = "the file is not a roster database (or it is damaged)";
  } else if (primary == SQLITE_CORRUPT) {
    detail = "the database file is damaged; restore it from a backup";
  } else if (primary == SQLITE_READONLY) {
    detail = "the database (or its folder) is read-only";
  } else if (primary == SQLITE_CANTOPEN) {
    detail =
        "cannot open the file, or create its -wal and -shm companions beside it; check "
        "that the folder exists and is writable";
  } else if (primary == SQLITE_FULL) {
    detail = "the disk is full";
  }
  return Status::database(fmt::format("database \"{}\": {} failed: {}", path_, what, detail));
}

SqliteStmt SqliteStore::prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return SqliteStmt(it->second, SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStmt(nullptr, rc);
  statements_.emplace(sql, stmt);
  return SqliteStmt(stmt, SQLITE_OK);
}

Status SqliteStore::exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return error("running SQL");
  }
  return Status::ok();
}

Status SqliteStore::begin() {
  // IMMEDIATE takes the write lock now, waiting up to the busy timeout.
  SqliteStmt s = prepare("BEGIN IMMEDIATE");
  if (!s.run()) return error("starting a transaction");
  in_transaction_ = true;
  app_roles_known_ = -1;
  return Status::ok();
}

Status SqliteStore::commit() {
  SqliteStmt s = prepare("COMMIT");
  if (!s.run()) {
    Status st = error("committing");
    rollback();
    return st;
  }
  in_transaction_ = false;
  return Status::ok();
}

void SqliteStore::rollback() {
  if (in_transaction_) {
    // A failed ROLLBACK leaves nothing committed either; the file stays as it was.
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    in_transaction_ = false;
    app_roles_known_ = -1;
  }
}

namespace {

// A second, read-only connection to the same file, inside a read transaction
// that began after the run's write transaction took the write lock: in WAL mode
// it reads the last commit, which is the directory before the run, for as long
// as it stays open.
class SqliteSnapshot : public UserSnapshot {
 public:
  explicit SqliteSnapshot(std::unique_ptr<SqliteStore> store) : store_(std::move(store)) {}
  Result<bool> find_user(std::string_view username, User& user) override {
    return store_->find_user(username, user);
  }

 private:
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace

Result<std::unique_ptr<UserSnapshot>> SqliteStore::open_snapshot() {
  if (!in_transaction_) return Status::database("a snapshot needs a write transaction");
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteStore> reader(new SqliteStore(db, path_));
  if (rc != SQLITE_OK) return reader->error("opening a second connection");
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  // Its pages mostly come from the OS's file cache, as the run's own do; a
  // small cache keeps the run within its memory budget.
  const char* pragmas =
      "PRAGMA query_only = ON;"
      "PRAGMA cache_size = -2048;"
      "BEGIN;";
  if (sqlite3_exec(db, pragmas, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return reader->error("opening a second connection");
  }
  // A read transaction starts at its first read: pin the snapshot now.
  SqliteStmt pin = reader->prepare("SELECT count(*) FROM sqlite_schema");
  if (!pin.step()) return reader->error("opening a second connection");
  // A read transaction is still a transaction: any_app_roles() may keep its
  // answer, and the destructor ends it.
  reader->in_transaction_ = true;
  return std::unique_ptr<UserSnapshot>(new SqliteSnapshot(std::move(reader)));
}

Status SqliteStore::clear_names() {
  return exec(
      "PRAGMA temp.cache_size = -2048;"
      "CREATE TEMP TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY COLLATE NOCASE) "
      "WITHOUT ROWID;"
      "DELETE FROM temp.seen;");
}

Result<bool> SqliteStore::name_listed(std::string_view username) {
  SqliteStmt s = prepare("SELECT 1 FROM temp.seen WHERE key = ?1");
  s.bind(1, username);
  if (s.step()) return true;
  if (!s.ok()) return error("looking up the rows met so far");
  return false;
}

Result<bool> SqliteStore::list_name(std::string_view username) {
  SqliteStmt s = prepare("INSERT INTO temp.seen (key) VALUES (?1) ON CONFLICT DO NOTHING");
  if (!s.bind(1, username).run()) return error("recording the rows met so far");
  return sqlite3_changes(db_) > 0;
}

}  // namespace roster

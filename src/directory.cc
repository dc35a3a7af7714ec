#include "roster/directory.h"

#include <fmt/format.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <nlohmann/json.hpp>

#include "roster/text.h"

namespace roster {
namespace {

// Numbered migrations: entry i brings a file from user_version i to i + 1. A file
// made by an older roster upgrades on open; never edit a migration that shipped.
const char* const kMigrations[] = {
    // 1: the directory.
    R"sql(
CREATE TABLE permissions (
  key TEXT PRIMARY KEY,
  area TEXT NOT NULL,
  description TEXT NOT NULL
);
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  external_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('store', 'warehouse', 'other')),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1))
);
CREATE TABLE sales_channels (
  id INTEGER PRIMARY KEY,
  external_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
);
CREATE TABLE roles (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  key TEXT UNIQUE COLLATE NOCASE,
  hierarchy INTEGER NOT NULL CHECK (hierarchy >= 0),
  all_sources INTEGER NOT NULL CHECK (all_sources IN (0, 1)),
  all_sales_channels INTEGER NOT NULL CHECK (all_sales_channels IN (0, 1))
);
CREATE TABLE role_permissions (
  role_id INTEGER NOT NULL REFERENCES roles(id),
  permission_key TEXT NOT NULL REFERENCES permissions(key),
  PRIMARY KEY (role_id, permission_key)
) WITHOUT ROWID;
CREATE TABLE role_sources (
  role_id INTEGER NOT NULL REFERENCES roles(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  PRIMARY KEY (role_id, source_id)
) WITHOUT ROWID;
CREATE TABLE role_sales_channels (
  role_id INTEGER NOT NULL REFERENCES roles(id),
  channel_id INTEGER NOT NULL REFERENCES sales_channels(id),
  PRIMARY KEY (role_id, channel_id)
) WITHOUT ROWID;
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  all_sales_channels INTEGER NOT NULL CHECK (all_sales_channels IN (0, 1)),
  all_sources INTEGER NOT NULL CHECK (all_sources IN (0, 1)),
  timezone TEXT NOT NULL,
  role_id INTEGER NOT NULL REFERENCES roles(id),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE user_sources (
  user_id INTEGER NOT NULL REFERENCES users(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  PRIMARY KEY (user_id, source_id)
) WITHOUT ROWID;
CREATE TABLE user_sales_channels (
  user_id INTEGER NOT NULL REFERENCES users(id),
  channel_id INTEGER NOT NULL REFERENCES sales_channels(id),
  PRIMARY KEY (user_id, channel_id)
) WITHOUT ROWID;
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  file TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  actor TEXT NOT NULL,
  mode TEXT NOT NULL,
  dry_run INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  rows_read INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL,
  exit_code INTEGER
);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('create', 'update', 'enable', 'disable')),
  field TEXT NOT NULL,
  before TEXT,
  after TEXT
);
)sql",
    // 2: indexes for the audit trail, history and export filters.
    R"sql(
CREATE INDEX audit_by_job ON audit(job_id);
CREATE INDEX audit_by_target ON audit(target_type, target);
CREATE INDEX jobs_by_sha ON jobs(kind, sha256);
CREATE INDEX users_by_role ON users(role_id);
CREATE INDEX users_by_updated ON users(updated_at);
)sql",
    // 3: the process that runs a job, so that a killed run shows as interrupted.
    R"sql(
ALTER TABLE jobs ADD COLUMN pid INTEGER;
)sql",
    // 4: one audit entry per changed record, its fields as a JSON array of
    // {"field", "before", "after"}, instead of one row per field (a fresh import
    // wrote nine audit rows per user). Older per-field rows become one-field entries.
    R"sql(
CREATE TABLE audit_entries (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('create', 'update', 'enable', 'disable')),
  changes TEXT NOT NULL CHECK (json_valid(changes))
);
INSERT INTO audit_entries (job_id, at, actor, target_type, target, action, changes)
  SELECT job_id, at, actor, target_type, target, action,
         json_array(json_object('field', field, 'before', coalesce(before, ''),
                                'after', coalesce(after, '')))
  FROM audit ORDER BY id;
DROP TABLE audit;
ALTER TABLE audit_entries RENAME TO audit;
CREATE INDEX audit_by_job ON audit(job_id);
CREATE INDEX audit_by_target ON audit(target_type, target);
)sql",
    // 5: --changed-since is applied during the export's scan; this index only
    // cost every update a b-tree write.
    R"sql(
DROP INDEX users_by_updated;
)sql",
    // 6: a smaller audit entry, because a fresh import writes one per user and
    // the audit was 60 % of the file. The time and the actor are the job's (they
    // always were), so they are read from `jobs`; the fields become one JSON
    // object in the template's order: {"Field": "after"} for a create,
    // {"Field": ["before", "after"]} otherwise. roster writes the JSON itself,
    // so the json_valid check on every insert goes too.
    R"sql(
CREATE TABLE audit_v6 (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  target_type TEXT NOT NULL,
  target TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('create', 'update', 'enable', 'disable')),
  changes TEXT NOT NULL
);
INSERT INTO audit_v6 (id, job_id, target_type, target, action, changes)
  SELECT a.id, a.job_id, a.target_type, a.target, a.action,
         (SELECT json_group_object(
                   f.value ->> 'field',
                   CASE WHEN a.action = 'create' THEN coalesce(f.value ->> 'after', '')
                        ELSE json_array(coalesce(f.value ->> 'before', ''),
                                        coalesce(f.value ->> 'after', '')) END)
            FROM json_each(a.changes) f)
  FROM audit a ORDER BY a.id;
DROP TABLE audit;
ALTER TABLE audit_v6 RENAME TO audit;
CREATE INDEX audit_by_job ON audit(job_id);
CREATE INDEX audit_by_target ON audit(target_type, target);
)sql",
    // 7: the action check without IN: SQLite checks `x IN (list of more than
    // two)` against a temporary table it builds and drops on every insert, which
    // was a tenth of an import that updates every user. Same rows, same indexes.
    R"sql(
CREATE TABLE audit_v7 (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  target_type TEXT NOT NULL,
  target TEXT NOT NULL,
  action TEXT NOT NULL
    CHECK (action = 'create' OR action = 'update' OR action = 'enable' OR action = 'disable'),
  changes TEXT NOT NULL
);
INSERT INTO audit_v7 (id, job_id, target_type, target, action, changes)
  SELECT id, job_id, target_type, target, action, changes FROM audit ORDER BY id;
DROP TABLE audit;
ALTER TABLE audit_v7 RENAME TO audit;
CREATE INDEX audit_by_job ON audit(job_id);
CREATE INDEX audit_by_target ON audit(target_type, target);
)sql",
    // 8: no query ever read audit_by_target: `roster audit --user` matches the
    // name without regard to case, which this BINARY index cannot serve, so
    // SQLite scanned the table all the same, while every audit entry paid a
    // b-tree insert at a random place (a third of an update run's audit cost).
    R"sql(
DROP INDEX audit_by_target;
)sql",
};
constexpr int kLatestVersion = static_cast<int>(std::size(kMigrations));

std::vector<int64_t> parse_id_list(const unsigned char* text) {
  std::vector<int64_t> ids;
  if (text == nullptr) return ids;
  int64_t v = 0;
  bool any = false;
  for (const unsigned char* p = text;; ++p) {
    if (*p >= '0' && *p <= '9') {
      v = v * 10 + (*p - '0');
      any = true;
    } else {
      if (any) ids.push_back(v);
      v = 0;
      any = false;
      if (*p == '\0') break;
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// A connection belongs to one Directory, used by one thread at a time: SQLite
// need not lock it on every call (SQLite's "multi-thread" mode).
constexpr int kOpenFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

}  // namespace

// A cached prepared statement, reset and unbound when it goes out of scope.
class Directory::Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, int rc) : stmt_(stmt), rc_(rc) {}
  Stmt(Stmt&& other) noexcept : stmt_(other.stmt_), rc_(other.rc_) { other.stmt_ = nullptr; }
  ~Stmt() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  Stmt& bind(int i, int64_t v) {
    if (ok()) rc_ = sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, bool v) { return bind(i, static_cast<int64_t>(v ? 1 : 0)); }
  // SQLite reads the bytes in place (SQLITE_STATIC) instead of copying them: a
  // Stmt lives inside one function, and its destructor resets and unbinds it
  // before the values it was given can go away.
  Stmt& bind(int i, std::string_view v) {
    if (ok()) {
      rc_ = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    }
    return *this;
  }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  // A temporary string would be gone before the statement runs.
  Stmt& bind(int i, std::string&& v) = delete;
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }

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

Directory::Directory(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Directory::~Directory() {
  if (in_transaction_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

int Directory::latest_schema_version() { return kLatestVersion; }

Status Directory::error(std::string_view what) {
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

Directory::Stmt Directory::prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Stmt(it->second, SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Stmt(nullptr, rc);
  statements_.emplace(sql, stmt);
  return Stmt(stmt, SQLITE_OK);
}

Status Directory::exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return error("running SQL");
  }
  return Status::ok();
}

namespace {

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

Result<std::unique_ptr<Directory>> Directory::open(const std::string& path,
                                                   const Options& options) {
  configure_sqlite_once();
  struct stat st;
  if (!options.create && ::stat(path.c_str(), &st) != 0) {
    return Status::database(fmt::format(
        "no directory at \"{}\"; create it with `roster init` (or set --db / ROSTER_DB)", path));
  }
  sqlite3* db = nullptr;
  int flags = kOpenFlags | (options.create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  std::unique_ptr<Directory> dir(new Directory(db, path));
  if (rc != SQLITE_OK) return dir->error("opening");
  // SQLite quietly opens a file it cannot write read-only; say so up front.
  if (sqlite3_db_readonly(db, "main") == 1) {
    return Status::database(fmt::format(
        "database \"{}\" is read-only (the file, or the file system it is on, cannot be "
        "written); roster needs to write it, and its folder",
        path));
  }
  Status s = dir->configure(options.busy_timeout_ms);
  if (s.is_ok()) s = dir->migrate(kLatestVersion, options.catalog);
  if (s.is_ok()) s = dir->load_reference_data();
  if (!s.is_ok()) return s;
  return dir;
}

Result<std::unique_ptr<Directory>> Directory::open_at_version(const std::string& path,
                                                              int version) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, kOpenFlags | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<Directory> dir(new Directory(db, path));
  if (rc != SQLITE_OK) return dir->error("opening");
  Status s = dir->configure(1000);
  if (s.is_ok()) s = dir->migrate(version, nullptr);
  if (!s.is_ok()) return s;
  return dir;
}

Status Directory::configure(int busy_timeout_ms) {
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
  Stmt wal = prepare("PRAGMA journal_mode = WAL");
  if (!wal.step()) return error("switching to WAL");
  return Status::ok();
}

Result<int> Directory::schema_version() {
  Stmt s = prepare("PRAGMA user_version");
  if (!s.step()) return error("reading the schema version");
  return static_cast<int>(s.int64(0));
}

Status Directory::migrate(int target_version, const std::vector<Permission>* catalog) {
  Result<int> version = schema_version();
  if (!version.is_ok()) return version.status();
  if (*version > kLatestVersion) {
    return Status::database(
        fmt::format("database \"{}\" has schema version {}, made by a newer roster (this one knows "
                    "up to {}); upgrade roster",
                    path_, *version, kLatestVersion));
  }
  if (*version >= target_version) return Status::ok();
  Status s = begin();
  if (!s.is_ok()) return s;
  for (int v = *version; v < target_version; ++v) {
    s = exec(kMigrations[v]);
    if (s.is_ok()) s = exec(fmt::format("PRAGMA user_version = {}", v + 1));
    if (!s.is_ok()) {
      rollback();
      return s;
    }
  }
  if (catalog != nullptr) {
    s = sync_catalog(*catalog);
    if (!s.is_ok()) {
      rollback();
      return s;
    }
  }
  return commit();
}

Status Directory::begin() {
  Stmt s = prepare("BEGIN IMMEDIATE");
  if (!s.run()) return error("starting a transaction");
  in_transaction_ = true;
  return Status::ok();
}

Status Directory::commit() {
  Stmt s = prepare("COMMIT");
  if (!s.run()) {
    Status st = error("committing");
    rollback();
    return st;
  }
  in_transaction_ = false;
  return Status::ok();
}

void Directory::rollback() {
  if (in_transaction_) {
    // A failed ROLLBACK leaves nothing committed either; the file stays as it was.
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    in_transaction_ = false;
  }
  load_reference_data();
}

Status Directory::sync_catalog(const std::vector<Permission>& catalog) {
  for (const Permission& p : catalog) {
    Stmt s = prepare(
        "INSERT INTO permissions (key, area, description) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (key) DO UPDATE SET area = excluded.area, "
        "description = excluded.description");
    if (!s.bind(1, p.key).bind(2, p.area).bind(3, p.description).run()) {
      return error("writing the permission catalog");
    }
  }
  return load_reference_data();
}

Status Directory::load_reference_data() {
  permissions_.clear();
  sources_.clear();
  source_ids_.clear();
  channels_.clear();
  channel_ids_.clear();
  roles_.clear();
  role_names_.clear();
  role_keys_.clear();
  {
    Stmt s = prepare("SELECT key, area, description FROM permissions ORDER BY key");
    while (s.step()) permissions_.push_back({s.text(0), s.text(1), s.text(2)});
    if (!s.ok()) return error("reading permissions");
  }
  {
    Stmt s = prepare("SELECT id, external_id, name, type, enabled FROM sources");
    while (s.step()) {
      Source src{s.int64(0), s.text(1), s.text(2), s.text(3), s.flag(4)};
      source_ids_[src.external_id] = src.id;
      sources_[src.id] = std::move(src);
    }
    if (!s.ok()) return error("reading sources");
  }
  {
    Stmt s = prepare("SELECT id, external_id, name FROM sales_channels");
    while (s.step()) {
      SalesChannel c{s.int64(0), s.text(1), s.text(2)};
      channel_ids_[c.external_id] = c.id;
      channels_[c.id] = std::move(c);
    }
    if (!s.ok()) return error("reading sales channels");
  }
  {
    Stmt s = prepare(
        "SELECT id, name, coalesce(key, ''), hierarchy, all_sources, all_sales_channels, "
        " (SELECT group_concat(permission_key, ',') FROM role_permissions p "
        "   WHERE p.role_id = r.id),"
        " (SELECT group_concat(source_id, ',') FROM role_sources s WHERE s.role_id = r.id),"
        " (SELECT group_concat(channel_id, ',') FROM role_sales_channels c "
        "   WHERE c.role_id = r.id) "
        "FROM roles r");
    while (s.step()) {
      Role r;
      r.id = s.int64(0);
      r.name = s.text(1);
      r.key = s.text(2);
      r.hierarchy = static_cast<int>(s.int64(3));
      r.sources.all = s.flag(4);
      r.channels.all = s.flag(5);
      r.permissions = split_list(s.text(6));
      std::sort(r.permissions.begin(), r.permissions.end());
      r.sources.ids = parse_id_list(s.raw_text(7));
      r.channels.ids = parse_id_list(s.raw_text(8));
      role_names_[to_lower_ascii(r.name)] = r.id;
      if (!r.key.empty()) role_keys_[to_lower_ascii(r.key)] = r.id;
      roles_[r.id] = std::move(r);
    }
    if (!s.ok()) return error("reading roles");
  }
  return Status::ok();
}

bool Directory::permission_exists(const std::string& key) const {
  return std::ranges::binary_search(permissions_, key, {}, &Permission::key);
}

const Source* Directory::source_by_external_id(std::string_view external_id) const {
  auto it = source_ids_.find(external_id);
  return it == source_ids_.end() ? nullptr : &sources_.at(it->second);
}

const Source* Directory::source_by_id(int64_t id) const {
  auto it = sources_.find(id);
  return it == sources_.end() ? nullptr : &it->second;
}

const SalesChannel* Directory::channel_by_external_id(std::string_view external_id) const {
  auto it = channel_ids_.find(external_id);
  return it == channel_ids_.end() ? nullptr : &channels_.at(it->second);
}

const SalesChannel* Directory::channel_by_id(int64_t id) const {
  auto it = channels_.find(id);
  return it == channels_.end() ? nullptr : &it->second;
}

const Role* Directory::role_by_name(std::string_view name) const {
  auto it = role_names_.find(to_lower_ascii(name));
  return it == role_names_.end() ? nullptr : &roles_.at(it->second);
}

const Role* Directory::role_by_key(std::string_view key) const {
  auto it = role_keys_.find(to_lower_ascii(key));
  return it == role_keys_.end() ? nullptr : &roles_.at(it->second);
}

const Role* Directory::role_by_name_or_key(std::string_view name_or_key) const {
  const Role* r = role_by_name(name_or_key);
  return r != nullptr ? r : role_by_key(name_or_key);
}

const Role* Directory::role_by_id(int64_t id) const {
  auto it = roles_.find(id);
  return it == roles_.end() ? nullptr : &it->second;
}

std::vector<const Role*> Directory::roles() const {
  std::vector<const Role*> out;
  for (const auto& [id, r] : roles_) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](const Role* a, const Role* b) {
    return to_lower_ascii(a->name) < to_lower_ascii(b->name);
  });
  return out;
}

int Directory::top_hierarchy() const {
  int top = INT_MAX;
  for (const auto& [id, r] : roles_) top = std::min(top, r.hierarchy);
  return top;
}

std::vector<const Source*> Directory::sources() const {
  std::vector<const Source*> out;
  for (const auto& [id, s] : sources_) out.push_back(&s);
  std::sort(out.begin(), out.end(),
            [](const Source* a, const Source* b) { return a->external_id < b->external_id; });
  return out;
}

std::vector<const SalesChannel*> Directory::channels() const {
  std::vector<const SalesChannel*> out;
  for (const auto& [id, c] : channels_) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](const SalesChannel* a, const SalesChannel* b) {
    return a->external_id < b->external_id;
  });
  return out;
}

namespace {

// External IDs in id order (the order they were created in).
template <typename Map>
std::vector<std::string> external_ids_by_id(const Map& by_id) {
  std::vector<std::pair<int64_t, const std::string*>> ids;
  for (const auto& [id, item] : by_id) ids.emplace_back(id, &item.external_id);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> out;
  for (const auto& [id, name] : ids) out.push_back(*name);
  return out;
}

}  // namespace

std::vector<std::string> Directory::source_external_ids() const {
  return external_ids_by_id(sources_);
}

std::vector<std::string> Directory::channel_external_ids() const {
  return external_ids_by_id(channels_);
}

std::vector<std::string> Directory::role_names_and_keys() const {
  std::vector<std::string> out;
  for (const auto& [id, r] : roles_) {
    out.push_back(r.name);
    if (!r.key.empty()) out.push_back(r.key);
  }
  return out;
}

Status Directory::save_source(Source& source) {
  Stmt s = source.id == 0 ? prepare(
                                "INSERT INTO sources (external_id, name, type, enabled) "
                                "VALUES (?1, ?2, ?3, ?4)")
                          : prepare(
                                "UPDATE sources SET external_id = ?1, name = ?2, type = ?3, "
                                "enabled = ?4 WHERE id = ?5");
  s.bind(1, source.external_id).bind(2, source.name).bind(3, source.type).bind(4, source.enabled);
  if (source.id != 0) s.bind(5, source.id);
  if (!s.run()) return error(fmt::format("saving source \"{}\"", source.external_id));
  if (source.id == 0) source.id = sqlite3_last_insert_rowid(db_);
  source_ids_[source.external_id] = source.id;
  sources_[source.id] = source;
  return Status::ok();
}

Status Directory::save_channel(SalesChannel& channel) {
  Stmt s = channel.id == 0
               ? prepare("INSERT INTO sales_channels (external_id, name) VALUES (?1, ?2)")
               : prepare(
                     "UPDATE sales_channels SET external_id = ?1, name = ?2 "
                     "WHERE id = ?3");
  s.bind(1, channel.external_id).bind(2, channel.name);
  if (channel.id != 0) s.bind(3, channel.id);
  if (!s.run()) return error(fmt::format("saving sales channel \"{}\"", channel.external_id));
  if (channel.id == 0) channel.id = sqlite3_last_insert_rowid(db_);
  channel_ids_[channel.external_id] = channel.id;
  channels_[channel.id] = channel;
  return Status::ok();
}

Status Directory::replace_links(const char* delete_sql, const char* insert_sql, int64_t owner,
                                const std::vector<int64_t>& ids) {
  {
    Stmt del = prepare(delete_sql);
    if (!del.bind(1, owner).run()) return error("updating links");
  }
  for (int64_t id : ids) {
    Stmt ins = prepare(insert_sql);
    if (!ins.bind(1, owner).bind(2, id).run()) return error("updating links");
  }
  return Status::ok();
}

Status Directory::save_role(Role& role) {
  bool inserting = role.id == 0;
  {
    Stmt s = inserting ? prepare(
                             "INSERT INTO roles (name, key, hierarchy, all_sources, "
                             "all_sales_channels) VALUES (?1, nullif(?2, ''), ?3, ?4, ?5)")
                       : prepare(
                             "UPDATE roles SET name = ?1, key = nullif(?2, ''), hierarchy = ?3, "
                             "all_sources = ?4, all_sales_channels = ?5 WHERE id = ?6");
    s.bind(1, role.name).bind(2, role.key).bind(3, role.hierarchy).bind(4, role.sources.all);
    s.bind(5, role.channels.all);
    if (!inserting) s.bind(6, role.id);
    if (!s.run()) return error(fmt::format("saving role \"{}\"", role.name));
    if (inserting) role.id = sqlite3_last_insert_rowid(db_);
  }
  {
    Stmt del = prepare("DELETE FROM role_permissions WHERE role_id = ?1");
    if (!del.bind(1, role.id).run()) return error("saving role permissions");
  }
  for (const std::string& key : role.permissions) {
    Stmt ins = prepare("INSERT INTO role_permissions (role_id, permission_key) VALUES (?1, ?2)");
    if (!ins.bind(1, role.id).bind(2, key).run()) return error("saving role permissions");
  }
  Status st = replace_links("DELETE FROM role_sources WHERE role_id = ?1",
                            "INSERT INTO role_sources (role_id, source_id) VALUES (?1, ?2)",
                            role.id, role.sources.all ? std::vector<int64_t>{} : role.sources.ids);
  if (st.is_ok()) {
    st = replace_links("DELETE FROM role_sales_channels WHERE role_id = ?1",
                       "INSERT INTO role_sales_channels (role_id, channel_id) VALUES (?1, ?2)",
                       role.id, role.channels.all ? std::vector<int64_t>{} : role.channels.ids);
  }
  if (!st.is_ok()) return st;
  if (!inserting) {
    const Role& old = roles_.at(role.id);
    role_names_.erase(to_lower_ascii(old.name));
    if (!old.key.empty()) role_keys_.erase(to_lower_ascii(old.key));
  }
  role_names_[to_lower_ascii(role.name)] = role.id;
  if (!role.key.empty()) role_keys_[to_lower_ascii(role.key)] = role.id;
  roles_[role.id] = role;
  return Status::ok();
}

// The columns of a users row, read by load_user_fields.
#define ROSTER_USER_FIELDS                                                      \
  "u.id, u.username, u.email, u.enabled, u.all_sales_channels, u.all_sources, " \
  "u.timezone, u.role_id, u.created_at, u.created_by, u.updated_at, u.updated_by "

// Assigns in place, so that a User reused over a scan keeps its strings' memory.
void Directory::load_user_fields(Stmt& s, User& u) {
  u.id = s.int64(0);
  s.text(1, u.username);
  s.text(2, u.email);
  u.enabled = s.flag(3);
  u.all_channels = s.flag(4);
  u.all_sources = s.flag(5);
  s.text(6, u.timezone);
  u.role_id = s.int64(7);
  s.text(8, u.created_at);
  s.text(9, u.created_by);
  s.text(10, u.updated_at);
  s.text(11, u.updated_by);
}

Status Directory::reset_seen() {
  Status st = exec(
      "PRAGMA temp.cache_size = -2048;"
      "CREATE TEMP TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY COLLATE NOCASE) "
      "WITHOUT ROWID;"
      "DELETE FROM temp.seen;");
  if (!st.is_ok()) return st;
  Stmt s = prepare("SELECT coalesce(max(id), 0) FROM users");
  if (!s.step()) return error("reading the largest user id");
  seen_max_id_ = s.int64(0);
  seen_ids_.assign(static_cast<size_t>(seen_max_id_) + 1, false);
  remembered_names_ = 0;
  return Status::ok();
}

bool Directory::user_seen_before(const User& user) {
  if (user.id > seen_max_id_ || user.id < 0) return true;  // created by this run
  auto bit = seen_ids_[static_cast<size_t>(user.id)];
  bool before = bit;
  bit = true;
  return before;
}

Result<bool> Directory::name_seen_before(std::string_view username) {
  if (remembered_names_ == 0) return false;
  Stmt s = prepare("SELECT 1 FROM temp.seen WHERE key = ?1");
  s.bind(1, username);
  if (s.step()) return true;
  if (!s.ok()) return error("looking up the rows met so far");
  return false;
}

Status Directory::remember_name(std::string_view username) {
  Stmt s = prepare("INSERT INTO temp.seen (key) VALUES (?1) ON CONFLICT DO NOTHING");
  if (!s.bind(1, username).run()) return error("recording the rows met so far");
  remembered_names_ += sqlite3_changes(db_);
  return Status::ok();
}

Result<std::optional<User>> Directory::find_user(std::string_view username) {
  std::optional<User> found(std::in_place);
  auto lookup = find_user(username, *found);
  if (!lookup.is_ok()) return lookup.status();
  if (!*lookup) found.reset();
  return found;
}

Result<bool> Directory::find_user(std::string_view username, User& user) {
  // The row, then its links read as integers from their primary keys (cheaper
  // than correlated group_concat sub-queries, whose text must be parsed back).
  Stmt s = prepare("SELECT " ROSTER_USER_FIELDS "FROM users u WHERE u.username = ?1");
  s.bind(1, username);
  if (!s.step()) {
    if (!s.ok()) return error("looking up a user");
    return false;
  }
  load_user_fields(s, user);
  if (!load_links(user)) return error("looking up a user");
  return true;
}

bool Directory::load_links(User& u) {
  u.sources.clear();
  u.channels.clear();
  // A user with access to all sources (or channels) is stored with no list
  // (insert_user and update_user write none): no statement to run.
  if (!u.all_sources) {
    Stmt src = prepare("SELECT source_id FROM user_sources WHERE user_id = ?1 ORDER BY source_id");
    src.bind(1, u.id);
    while (src.step()) u.sources.push_back(src.int64(0));
    if (!src.ok()) return false;
  }
  if (!u.all_channels) {
    Stmt ch = prepare(
        "SELECT channel_id FROM user_sales_channels WHERE user_id = ?1 ORDER BY channel_id");
    ch.bind(1, u.id);
    while (ch.step()) u.channels.push_back(ch.int64(0));
    if (!ch.ok()) return false;
  }
  return true;
}

Result<std::optional<std::string>> Directory::email_owner(std::string_view email) {
  Stmt s = prepare("SELECT username FROM users WHERE email = ?1");
  s.bind(1, email);
  if (s.step()) return std::optional<std::string>(s.text(0));
  if (!s.ok()) return error("looking up an e-mail");
  return std::optional<std::string>();
}

Status Directory::insert_user(User& u) {
  Stmt s = prepare(
      "INSERT INTO users (username, email, enabled, all_sales_channels, all_sources, "
      "timezone, role_id, created_at, created_by, updated_at, updated_by) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?9)");
  s.bind(1, u.username).bind(2, u.email).bind(3, u.enabled).bind(4, u.all_channels);
  s.bind(5, u.all_sources).bind(6, u.timezone).bind(7, u.role_id).bind(8, u.created_at);
  s.bind(9, u.created_by);
  if (!s.run()) return error(fmt::format("creating user \"{}\"", u.username));
  u.id = sqlite3_last_insert_rowid(db_);
  for (int64_t id : u.sources) {
    Stmt ins = prepare("INSERT INTO user_sources (user_id, source_id) VALUES (?1, ?2)");
    if (!ins.bind(1, u.id).bind(2, id).run()) return error("saving user sources");
  }
  for (int64_t id : u.channels) {
    Stmt ins = prepare("INSERT INTO user_sales_channels (user_id, channel_id) VALUES (?1, ?2)");
    if (!ins.bind(1, u.id).bind(2, id).run()) return error("saving user sales channels");
  }
  return Status::ok();
}

Status Directory::update_user(const User& before, const User& after) {
  // The e-mail and the role are indexed: rewrite them only when they change.
  if (before.email != after.email || before.role_id != after.role_id) {
    Stmt s = prepare("UPDATE users SET email = ?2, role_id = ?3 WHERE id = ?1");
    if (!s.bind(1, before.id).bind(2, after.email).bind(3, after.role_id).run()) {
      return error(fmt::format("updating user \"{}\"", before.username));
    }
  }
  Stmt s = prepare(
      "UPDATE users SET enabled = ?2, all_sales_channels = ?3, all_sources = ?4, "
      "timezone = ?5, updated_at = ?6, updated_by = ?7 WHERE id = ?1");
  s.bind(1, before.id).bind(2, after.enabled).bind(3, after.all_channels);
  s.bind(4, after.all_sources).bind(5, after.timezone).bind(6, after.updated_at);
  s.bind(7, after.updated_by);
  if (!s.run()) return error(fmt::format("updating user \"{}\"", before.username));
  Status st;
  if (before.sources != after.sources) {
    st = replace_links("DELETE FROM user_sources WHERE user_id = ?1",
                       "INSERT INTO user_sources (user_id, source_id) VALUES (?1, ?2)", before.id,
                       after.sources);
  }
  if (st.is_ok() && before.channels != after.channels) {
    st = replace_links("DELETE FROM user_sales_channels WHERE user_id = ?1",
                       "INSERT INTO user_sales_channels (user_id, channel_id) VALUES (?1, ?2)",
                       before.id, after.channels);
  }
  return st;
}

Result<int64_t> Directory::count_enabled_users() {
  Stmt s = prepare("SELECT count(*) FROM users WHERE enabled = 1");
  if (!s.step()) return error("counting users");
  return s.int64(0);
}

Result<std::optional<std::string>> Directory::user_outside_scope(int64_t role_id,
                                                                 const Scope& sources,
                                                                 const Scope& channels) {
  Stmt s = prepare("SELECT " ROSTER_USER_FIELDS
                   "FROM users u WHERE u.role_id = ?1 "
                   "ORDER BY u.username");
  s.bind(1, role_id);
  while (s.step()) {
    User u;
    load_user_fields(s, u);
    if (!load_links(u)) return error("checking the users of a role");
    if (u.all_sources && !sources.all) {
      return std::optional<std::string>(u.username + " (has all sources)");
    }
    if (u.all_channels && !channels.all) {
      return std::optional<std::string>(u.username + " (has all sales channels)");
    }
    for (int64_t id : u.sources) {
      if (!sources.contains(id)) {
        const Source* src = source_by_id(id);
        return std::optional<std::string>(
            fmt::format("{} (has source {})", u.username, src ? src->external_id : "?"));
      }
    }
    for (int64_t id : u.channels) {
      if (!channels.contains(id)) {
        const SalesChannel* c = channel_by_id(id);
        return std::optional<std::string>(
            fmt::format("{} (has sales channel {})", u.username, c ? c->external_id : "?"));
      }
    }
  }
  if (!s.ok()) return error("checking the users of a role");
  return std::optional<std::string>();
}

Status Directory::for_each_user(const std::function<bool(User&)>& fn) {
  Stmt s = prepare("SELECT " ROSTER_USER_FIELDS "FROM users u ORDER BY u.username");
  User u;
  while (s.step()) {
    load_user_fields(s, u);
    if (!load_links(u)) return error("reading users");
    if (!fn(u)) return Status::ok();
  }
  if (!s.ok()) return error("reading users");
  return Status::ok();
}

namespace {

// Appends `v` as a JSON string. Written by hand because this runs once per
// changed record; nlohmann::json reads the entries back.
void append_json_string(std::string& out, std::string_view v) {
  out += '"';
  // Runs of plain characters go in whole; only the rare escapes one by one.
  size_t plain = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c != '"' && c != '\\' && c >= 0x20) continue;
    out.append(v, plain, i - plain);
    plain = i + 1;
    if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += '\\';
      out += v[i];
    }
  }
  out.append(v, plain);
  out += '"';
}

}  // namespace

Status Directory::add_audit(int64_t job_id, std::string_view target_type, std::string_view target,
                            std::string_view action, const std::vector<FieldChange>& changes) {
  std::string& json = audit_buffer_;
  json = "{";
  bool create = action == "create";
  for (const FieldChange& c : changes) {
    if (json.size() > 1) json += ',';
    append_json_string(json, c.field);
    json += ':';
    if (create) {  // a creation has no "before"
      append_json_string(json, c.after);
    } else {
      json += '[';
      append_json_string(json, c.before);
      json += ',';
      append_json_string(json, c.after);
      json += ']';
    }
  }
  json += '}';
  Stmt s = prepare(
      "INSERT INTO audit (job_id, target_type, target, action, changes) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, job_id).bind(2, target_type).bind(3, target).bind(4, action).bind(5, json);
  if (!s.run()) return error("writing the audit trail");
  return Status::ok();
}

Status Directory::for_each_audit(const AuditFilter& filter,
                                 const std::function<void(const AuditEntry&)>& fn) {
  // One job's entries through audit_by_job; the other filters scan the table.
#define ROSTER_AUDIT_QUERY(job_filter)                                                    \
  "SELECT a.job_id, j.started_at, j.actor, a.target_type, a.target, a.action, a.changes " \
  "FROM audit a JOIN jobs j ON j.id = a.job_id WHERE " job_filter                         \
  "(?2 = '' OR (a.target_type = 'user' AND a.target = ?2 COLLATE NOCASE)) "               \
  "AND (?3 = '' OR j.started_at >= ?3) ORDER BY a.id"
  Stmt s = filter.job_id != 0 ? prepare(ROSTER_AUDIT_QUERY("a.job_id = ?1 AND "))
                              : prepare(ROSTER_AUDIT_QUERY(""));
#undef ROSTER_AUDIT_QUERY
  s.bind(1, filter.job_id).bind(2, filter.user).bind(3, filter.since);
  AuditEntry e;
  while (s.step()) {
    e.job_id = s.int64(0);
    e.at = s.text(1);
    e.actor = s.text(2);
    e.target_type = s.text(3);
    e.target = s.text(4);
    std::string action = s.text(5);
    // Ordered: the fields come back in the order they were written.
    auto fields = nlohmann::ordered_json::parse(s.text(6), nullptr, false);
    if (!fields.is_object()) {
      return Status::database("the audit entry of " + e.target + " is damaged");
    }
    for (const auto& [field, value] : fields.items()) {
      if (value.is_string()) {
        e.change = {field, "", value.get<std::string>()};
      } else if (value.is_array() && value.size() == 2 && value[0].is_string() &&
                 value[1].is_string()) {
        e.change = {field, value[0].get<std::string>(), value[1].get<std::string>()};
      } else {
        return Status::database("the audit entry of " + e.target + " is damaged");
      }
      // Within an update, only the Enabled field is an enable or a disable.
      e.action = action == "create"                                     ? action
                 : e.change.field == "Enabled" && e.change.after == "0" ? "disable"
                 : e.change.field == "Enabled" && e.change.after == "1" ? "enable"
                                                                        : "update";
      fn(e);
    }
  }
  if (!s.ok()) return error("reading the audit trail");
  return Status::ok();
}

Result<int64_t> Directory::start_job(const Job& job) {
  Stmt s = prepare(
      "INSERT INTO jobs (kind, file, sha256, actor, mode, dry_run, started_at, outcome, pid) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running', ?8)");
  s.bind(1, job.kind).bind(2, job.file).bind(3, job.sha256).bind(4, job.actor);
  s.bind(5, job.mode).bind(6, job.dry_run).bind(7, job.started_at);
  s.bind(8, static_cast<int64_t>(::getpid()));
  if (!s.run()) return error("recording the job");
  return sqlite3_last_insert_rowid(db_);
}

Status Directory::finish_job(const Job& job) {
  Stmt s = prepare(
      "UPDATE jobs SET sha256 = ?2, finished_at = ?3, rows_read = ?4, created = ?5, "
      "updated = ?6, unchanged = ?7, rejected = ?8, outcome = ?9, exit_code = ?10 "
      "WHERE id = ?1");
  s.bind(1, job.id).bind(2, job.sha256).bind(3, job.finished_at).bind(4, job.rows_read);
  s.bind(5, job.created).bind(6, job.updated).bind(7, job.unchanged).bind(8, job.rejected);
  s.bind(9, job.outcome).bind(10, job.exit_code);
  if (!s.run()) return error("finishing the job record");
  return Status::ok();
}

#define ROSTER_JOB_COLUMNS                                                                \
  "id, kind, file, sha256, actor, mode, dry_run, started_at, coalesce(finished_at, ''), " \
  "rows_read, created, updated, unchanged, rejected, outcome, coalesce(exit_code, -1), "  \
  "coalesce(pid, 0) "

namespace {

template <class S>
Job read_job(const S& s) {
  Job j;
  j.id = s.int64(0);
  j.kind = s.text(1);
  j.file = s.text(2);
  j.sha256 = s.text(3);
  j.actor = s.text(4);
  j.mode = s.text(5);
  j.dry_run = s.flag(6);
  j.started_at = s.text(7);
  j.finished_at = s.text(8);
  j.rows_read = s.int64(9);
  j.created = s.int64(10);
  j.updated = s.int64(11);
  j.unchanged = s.int64(12);
  j.rejected = s.int64(13);
  j.outcome = s.text(14);
  j.exit_code = static_cast<int>(s.int64(15));
  // A job still marked running whose process is gone was killed (or the machine
  // stopped): its transaction never committed, so nothing of it was applied.
  auto pid = static_cast<pid_t>(s.int64(16));
  if (j.outcome == "running" && pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) {
    j.outcome = "interrupted";
  }
  return j;
}

}  // namespace

Result<std::optional<Job>> Directory::find_job(int64_t id) {
  Stmt s = prepare("SELECT " ROSTER_JOB_COLUMNS "FROM jobs WHERE id = ?1");
  s.bind(1, id);
  if (s.step()) return std::optional<Job>(read_job(s));
  if (!s.ok()) return error("reading a job");
  return std::optional<Job>();
}

Result<std::vector<Job>> Directory::list_jobs(int64_t limit) {
  Stmt s = prepare("SELECT " ROSTER_JOB_COLUMNS "FROM jobs ORDER BY id DESC LIMIT ?1");
  s.bind(1, limit);
  std::vector<Job> jobs;
  while (s.step()) jobs.push_back(read_job(s));
  if (!s.ok()) return error("listing jobs");
  return jobs;
}

Result<std::optional<Job>> Directory::running_job(int64_t except_id) {
  Stmt s = prepare("SELECT " ROSTER_JOB_COLUMNS
                   "FROM jobs WHERE outcome = 'running' "
                   "AND id != ?1 ORDER BY id DESC LIMIT 1");
  s.bind(1, except_id);
  if (s.step()) return std::optional<Job>(read_job(s));
  if (!s.ok()) return error("reading running jobs");
  return std::optional<Job>();
}

Result<std::optional<Job>> Directory::committed_job_with_sha(std::string_view kind,
                                                             std::string_view sha256) {
  Stmt s = prepare("SELECT " ROSTER_JOB_COLUMNS
                   "FROM jobs WHERE kind = ?1 AND sha256 = ?2 "
                   "AND outcome = 'committed' AND created + updated > 0 "
                   "ORDER BY id DESC LIMIT 1");
  s.bind(1, kind).bind(2, sha256);
  if (s.step()) return std::optional<Job>(read_job(s));
  if (!s.ok()) return error("looking up earlier jobs");
  return std::optional<Job>();
}

}  // namespace roster

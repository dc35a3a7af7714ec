// The SQLite file's schema: numbered migrations, applied on open.

#include <fmt/format.h>

#include "store/sqlite/sqlite_store.h"

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
    // 9: the invitations outbox: a row per user created or re-enabled by an
    // import (unless --no-invite), until it is marked sent.
    R"sql(
CREATE TABLE invitations (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  username TEXT NOT NULL,
  email TEXT NOT NULL,
  application TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason = 'created' OR reason = 'enabled'),
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX invitations_by_job ON invitations(job_id);
)sql",
    // 10: applications, each with roles of its own; a user holds its back-office
    // role in users.role_id and its roles in the other applications in
    // user_roles. A user of other applications only has no back-office role
    // and may have no e-mail, so both columns become nullable: SQLite changes
    // a column's constraints only by rebuilding the table (foreign keys are
    // off meanwhile: see migrate()).
    R"sql(
CREATE TABLE applications (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL
);
INSERT INTO applications (id, key, name) VALUES (1, 'backoffice', 'Back office');
ALTER TABLE roles ADD COLUMN application_id INTEGER NOT NULL DEFAULT 1 REFERENCES applications(id);
CREATE TABLE users_v10 (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  email TEXT UNIQUE COLLATE NOCASE,
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  all_sales_channels INTEGER NOT NULL CHECK (all_sales_channels IN (0, 1)),
  all_sources INTEGER NOT NULL CHECK (all_sources IN (0, 1)),
  timezone TEXT NOT NULL,
  role_id INTEGER REFERENCES roles(id),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
INSERT INTO users_v10 SELECT id, username, email, enabled, all_sales_channels, all_sources,
  timezone, role_id, created_at, created_by, updated_at, updated_by FROM users ORDER BY id;
DROP TABLE users;
ALTER TABLE users_v10 RENAME TO users;
CREATE INDEX users_by_role ON users(role_id);
CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users(id),
  role_id INTEGER NOT NULL REFERENCES roles(id),
  PRIMARY KEY (user_id, role_id)
) WITHOUT ROWID;
)sql",
    // 11: an invitation is withdrawn, by the job that took the user's access
    // away, while it is still pending: it is then never sent.
    R"sql(
ALTER TABLE invitations ADD COLUMN withdrawn_by INTEGER REFERENCES jobs(id);
CREATE INDEX invitations_pending_by_user ON invitations(user_id)
  WHERE sent_at IS NULL AND withdrawn_by IS NULL;
)sql",
    // 12: feeds (SPEC §11). The feed that manages a user, indexed with the
    // flag so that a --sync run reads a feed's enabled users from the index
    // alone; a job's feed, --sync and the counts of users it enabled and
    // disabled; the audit's new actions (claim and release by a feed, and
    // activate and expire for start and end dates) and the reason of a change
    // no row asked for. SQLite changes a CHECK only by rebuilding the table.
    R"sql(
ALTER TABLE users ADD COLUMN feed TEXT;
CREATE INDEX users_by_feed ON users(feed, enabled) WHERE feed IS NOT NULL;
ALTER TABLE jobs ADD COLUMN enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN disabled_missing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN feed TEXT;
ALTER TABLE jobs ADD COLUMN sync INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_by_feed ON jobs(feed) WHERE feed IS NOT NULL;
CREATE TABLE audit_v12 (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  target_type TEXT NOT NULL,
  target TEXT NOT NULL,
  action TEXT NOT NULL
    CHECK (action = 'create' OR action = 'update' OR action = 'enable' OR action = 'disable'
           OR action = 'claim' OR action = 'release' OR action = 'activate'
           OR action = 'expire'),
  changes TEXT NOT NULL,
  reason TEXT
);
INSERT INTO audit_v12 (id, job_id, target_type, target, action, changes)
  SELECT id, job_id, target_type, target, action, changes FROM audit ORDER BY id;
DROP TABLE audit;
ALTER TABLE audit_v12 RENAME TO audit;
CREATE INDEX audit_by_job ON audit(job_id);
)sql",
    // 13: logins (SPEC §14): which authenticated identity may act as which
    // user. A login may be bound to several users (a scheduler account that
    // runs two feeds), a user to several logins (a laptop and the server).
    R"sql(
CREATE TABLE logins (
  login TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (login, user_id)
) WITHOUT ROWID;
)sql",
    // 14: start and end dates (SPEC §12). The dates as written, whether the
    // user may log in now, and the next instant that changes by date alone,
    // indexed so that `roster lifecycle run` reads only the users due.
    R"sql(
ALTER TABLE users ADD COLUMN start_date TEXT;
ALTER TABLE users ADD COLUMN end_date TEXT;
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN next_change TEXT;
UPDATE users SET active = 0 WHERE enabled = 0;
CREATE INDEX users_by_next_change ON users(next_change) WHERE next_change IS NOT NULL;
)sql",
};
// The first version whose migration rebuilds a table that others refer to.
constexpr int kRebuildsReferencedTable = 10;
static_assert(std::size(kMigrations) == kSchemaVersion, "a migration for every version");

}  // namespace

Result<int> SqliteStore::schema_version() {
  SqliteStmt s = prepare("PRAGMA user_version");
  if (!s.step()) return error("reading the schema version");
  return static_cast<int>(s.int64(0));
}

Status SqliteStore::migrate(int target_version, const std::vector<Permission>* catalog) {
  Result<int> version = schema_version();
  if (!version.is_ok()) return version.status();
  Status newer = refuse_newer_schema(path_, *version);
  if (!newer.is_ok()) return newer;
  if (*version >= target_version) return Status::ok();
  // Rebuilding a table that others refer to needs foreign keys off (SQLite
  // ignores the pragma inside a transaction); the check before the commit
  // makes sure the rebuilt tables still satisfy every reference.
  bool rebuilds = *version < kRebuildsReferencedTable && target_version >= kRebuildsReferencedTable;
  if (rebuilds) {
    Status off = exec("PRAGMA foreign_keys = OFF");
    if (!off.is_ok()) return off;
  }
  Status s = migrate_steps(target_version, catalog);
  if (rebuilds) {
    Status on = exec("PRAGMA foreign_keys = ON");
    if (s.is_ok()) s = on;
  }
  return s;
}

Status SqliteStore::migrate_steps(int target_version, const std::vector<Permission>* catalog) {
  SchemaSteps steps;
  steps.version = [&] { return schema_version(); };
  steps.step = [&](int v) -> Result<int> {
    Status s = exec(kMigrations[v]);
    if (s.is_ok()) s = exec(fmt::format("PRAGMA user_version = {}", v + 1));
    if (!s.is_ok()) return s;
    return v + 1;
  };
  steps.check = [&] {
    SqliteStmt check = prepare("PRAGMA foreign_key_check");
    if (!check.step()) return Status::ok();
    return error(
        fmt::format("migrating: table {} would refer to a row that does not exist", check.text(0)));
  };
  return migrate_in_steps(*this, steps, target_version, catalog);
}

}  // namespace roster

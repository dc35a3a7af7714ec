#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace roster {

// The records of the user directory (SPEC §1), as every stage and every storage
// backend sees them. Plain data: the rules over them are in access.h.

// The back office's application id: created with the schema, so every
// directory has it, and every role of a roles file without an Application
// column belongs to it.
inline constexpr int64_t kBackOfficeApplicationId = 1;

// A set of ids that is either everything, or the listed ids (sorted, unique).
struct Scope {
  bool all = false;
  std::vector<int64_t> ids;

  bool contains(int64_t id) const;
  // Whether every id of `other` (or everything, when other.all) lies inside.
  bool covers(const Scope& other) const;
};

struct Source {
  int64_t id = 0;
  std::string external_id;
  std::string name;
  std::string type;  // store, warehouse, other
  bool enabled = true;
};

struct SalesChannel {
  int64_t id = 0;
  std::string external_id;
  std::string name;
};

struct Permission {
  std::string key;
  std::string area;
  std::string description;
};

// An application a user is given access to, each with roles of its own: the
// back office (order management center) always, the store app and the API
// once imported (roster applications import).
struct Application {
  int64_t id = 0;
  std::string key;  // backoffice, store-app or api
  std::string name;
};

inline constexpr std::string_view kBackOfficeKey = "backoffice";

struct Role {
  int64_t id = 0;
  int64_t application_id = kBackOfficeApplicationId;
  std::string name;
  std::string key;  // empty when the role has none
  int hierarchy = 0;
  std::vector<std::string> permissions;  // sorted, unique
  Scope sources;
  Scope channels;
};

struct User {
  int64_t id = 0;
  std::string username;
  std::string email;  // empty only for a user with no back-office role
  bool enabled = true;
  bool all_channels = false;
  bool all_sources = false;
  std::string timezone;
  int64_t role_id = 0;  // the back-office role; 0 for a user of other applications only
  // The user's roles in the other applications, at most one per application,
  // sorted by id. Empty for every user of a directory with the back office only.
  std::vector<int64_t> app_roles;
  std::vector<int64_t> sources;   // sorted, unique
  std::vector<int64_t> channels;  // sorted, unique
  std::string created_at, created_by, updated_at, updated_by;
  // The feed that manages the user (SPEC §11): the one whose runs created or
  // claimed it, and whose --sync disables it when it is missing. Empty: none.
  std::string feed;
  // SPEC §12: the first day with access and the first day without, ISO dates
  // in the user's time zone; empty: none.
  std::string start_date, end_date;
  // Enabled and within its dates when last settled (dates.h): who may log in
  // today, for anything that reads the directory.
  bool active = true;
  // The UTC instant at which `active` next changes by date alone
  // ("2026-12-24T05:00:00Z"), indexed for `roster lifecycle run`; empty: never.
  std::string next_change;
};

// One field of an audit entry.
struct FieldChange {
  std::string field;
  std::string before;
  std::string after;
};

// One audited change of one field.
struct AuditEntry {
  int64_t job_id = 0;
  std::string at;
  std::string actor;
  std::string target_type;  // user, role, source, sales-channel
  std::string target;
  // create, update, enable, disable; claim and release (of a user by a feed)
  std::string action;
  FieldChange change;
  std::string reason;  // why, when the change was not a row's ("missing from feed hr (job 9)")
};

// Which audit entries to read; empty or 0 means any.
struct AuditFilter {
  int64_t job_id = 0;
  std::string user;   // a username (case-insensitive): that user's entries only
  std::string since;  // ISO 8601 UTC: entries at or after it
};

// One run of an import (or of init), as `roster jobs` shows it.
struct Job {
  int64_t id = 0;
  std::string kind;  // users, roles, sources, sales-channels, init
  std::string file;
  std::string sha256;
  std::string actor;
  std::string mode;  // skip or abort
  bool dry_run = false;
  std::string started_at, finished_at;
  int64_t rows_read = 0, created = 0, updated = 0, unchanged = 0, rejected = 0;
  // Of the updated: users re-enabled and users disabled by rows; and the users
  // disabled because a --sync snapshot lacked them.
  int64_t enabled = 0, disabled = 0, disabled_missing = 0;
  std::string feed;  // --feed, or empty
  bool sync = false;
  // running, interrupted (running, but its process is gone), committed,
  // rolled-back, dry-run, refused, duplicate, failed
  std::string outcome;
  int exit_code = 0;
};

// An entry of the invitations outbox: a user created, or re-enabled, by an
// import, to be sent an activation or password-reset mail by whatever sends
// mail (roster invitations export / mark-sent).
struct Invitation {
  int64_t id = 0;
  int64_t job_id = 0;
  int64_t user_id = 0;
  std::string username;
  std::string email;
  std::string application;  // backoffice, store-app or api
  std::string reason;       // created or enabled
  std::string created_at;
  std::string sent_at;       // empty while pending
  int64_t withdrawn_by = 0;  // the job that withdrew it (the user lost access); 0 if none
};

// A feed as `roster feeds` shows it: the users it manages and its last runs.
struct FeedInfo {
  std::string name;
  int64_t enabled_users = 0, disabled_users = 0;
  int64_t last_job = 0;  // the newest job run with --feed NAME, or 0
  // The newest committed --sync run: its job, start and rows read (0 if none).
  int64_t last_sync_job = 0;
  std::string last_sync_at;
  int64_t last_sync_rows = 0;
};

// A login bound to a user (SPEC §14): the identity the system authenticated,
// "os:NAME" (an operating-system account, SQLite) or "pg:NAME" (a PostgreSQL
// session user).
struct LoginBinding {
  std::string login;
  int64_t user_id = 0;
  std::string username;
};

}  // namespace roster

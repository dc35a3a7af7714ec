#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "roster/model.h"
#include "roster/store.h"
#include "roster/text.h"

namespace roster {

// How both stores turn a row of the jobs, invitations and audit tables into
// its record: one decoder each, over the columns in the order the stores'
// SELECTs list them (the comments below). A store hands a row through `Row`,
// anything with int64(col), flag(col) and text(col, std::string&) (SQLite's
// statement; PostgreSQL's result row).

// id, kind, file, sha256, actor, mode, dry_run, started_at, finished_at ('' for
// none), rows_read, created, updated, unchanged, rejected, outcome, exit_code
// (-1 for none), enabled, disabled, disabled_missing, feed ('' for none), sync.
template <class Row>
void decode_job(const Row& r, Job& j) {
  j.id = r.int64(0);
  r.text(1, j.kind);
  r.text(2, j.file);
  r.text(3, j.sha256);
  r.text(4, j.actor);
  r.text(5, j.mode);
  j.dry_run = r.flag(6);
  r.text(7, j.started_at);
  r.text(8, j.finished_at);
  j.rows_read = r.int64(9);
  j.created = r.int64(10);
  j.updated = r.int64(11);
  j.unchanged = r.int64(12);
  j.rejected = r.int64(13);
  r.text(14, j.outcome);
  j.exit_code = static_cast<int>(r.int64(15));
  j.enabled = r.int64(16);
  j.disabled = r.int64(17);
  j.disabled_missing = r.int64(18);
  r.text(19, j.feed);
  j.sync = r.flag(20);
}

// id, job_id, user_id, username, email, application, reason, created_at,
// sent_at ('' while pending), withdrawn_by (0 for none).
template <class Row>
void decode_invitation(const Row& r, Invitation& inv) {
  inv.id = r.int64(0);
  inv.job_id = r.int64(1);
  inv.user_id = r.int64(2);
  r.text(3, inv.username);
  r.text(4, inv.email);
  r.text(5, inv.application);
  r.text(6, inv.reason);
  r.text(7, inv.created_at);
  r.text(8, inv.sent_at);
  inv.withdrawn_by = r.int64(9);
}

// job_id, the job's started_at and actor, target_type, target, action, changes,
// reason ('' for none).
template <class Row>
void decode_audit_row(const Row& r, StoredAudit& e) {
  e.job_id = r.int64(0);
  r.text(1, e.at);
  r.text(2, e.actor);
  r.text(3, e.target_type);
  r.text(4, e.target);
  r.text(5, e.action);
  r.text(6, e.changes);
  r.text(7, e.reason);
}

// Every feed (`roster feeds`), in SQL that both stores run as it is: each
// feed's users counted through users_by_feed, its jobs found through
// jobs_by_feed. Decoded by decode_feed.
inline constexpr const char* kListFeedsSql =
    "WITH names AS (SELECT DISTINCT feed FROM users WHERE feed IS NOT NULL "
    "  UNION SELECT DISTINCT feed FROM jobs WHERE feed IS NOT NULL), "
    "synced AS (SELECT feed, max(id) AS id FROM jobs WHERE feed IS NOT NULL AND sync = 1 "
    "  AND outcome = 'committed' GROUP BY feed) "
    "SELECT n.feed, "
    "  (SELECT count(*) FROM users u WHERE u.feed = n.feed AND u.enabled = 1), "
    "  (SELECT count(*) FROM users u WHERE u.feed = n.feed AND u.enabled = 0), "
    "  coalesce((SELECT max(id) FROM jobs j WHERE j.feed = n.feed), 0), "
    "  coalesce(y.id, 0), coalesce(j.started_at, ''), coalesce(j.rows_read, 0) "
    "FROM names n LEFT JOIN synced y ON y.feed = n.feed LEFT JOIN jobs j ON j.id = y.id "
    "ORDER BY n.feed";

// name, enabled users, disabled users, last job, last sync job, its start and
// its rows read (0 and '' for none).
template <class Row>
void decode_feed(const Row& r, FeedInfo& f) {
  r.text(0, f.name);
  f.enabled_users = r.int64(1);
  f.disabled_users = r.int64(2);
  f.last_job = r.int64(3);
  f.last_sync_job = r.int64(4);
  r.text(5, f.last_sync_at);
  f.last_sync_rows = r.int64(6);
}

// The ids of a comma-separated list as both stores aggregate them
// ("3,1,2"; empty or NULL for none), sorted, into `out`.
void parse_id_list(std::string_view text, std::vector<int64_t>& out);

// The reference data's rows, each as both stores SELECT it:
// permissions: key, area, description.
template <class Row>
Permission decode_permission(const Row& r) {
  Permission p;
  r.text(0, p.key);
  r.text(1, p.area);
  r.text(2, p.description);
  return p;
}

// applications: id, key, name.
template <class Row>
Application decode_application(const Row& r) {
  Application a;
  a.id = r.int64(0);
  r.text(1, a.key);
  r.text(2, a.name);
  return a;
}

// sources: id, external_id, name, type, enabled.
template <class Row>
Source decode_source(const Row& r) {
  Source s;
  s.id = r.int64(0);
  r.text(1, s.external_id);
  r.text(2, s.name);
  r.text(3, s.type);
  s.enabled = r.flag(4);
  return s;
}

// sales_channels: id, external_id, name.
template <class Row>
SalesChannel decode_channel(const Row& r) {
  SalesChannel c;
  c.id = r.int64(0);
  r.text(1, c.external_id);
  r.text(2, c.name);
  return c;
}

// roles: id, name, key ('' for none), hierarchy, all_sources,
// all_sales_channels, the permission keys, source ids and channel ids as
// comma-separated lists, application_id.
template <class Row>
Role decode_role(const Row& r) {
  Role role;
  role.id = r.int64(0);
  r.text(1, role.name);
  r.text(2, role.key);
  role.hierarchy = static_cast<int>(r.int64(3));
  role.sources.all = r.flag(4);
  role.channels.all = r.flag(5);
  std::string list;
  r.text(6, list);
  role.permissions = split_list(list);
  std::sort(role.permissions.begin(), role.permissions.end());
  r.text(7, list);
  parse_id_list(list, role.sources.ids);
  r.text(8, list);
  parse_id_list(list, role.channels.ids);
  role.application_id = r.int64(9);
  return role;
}

}  // namespace roster

// The SQLite store's reference data: permissions, sources, sales channels and
// roles with their permissions and scopes.

#include <fmt/format.h>

#include <algorithm>

#include "roster/text.h"
#include "store/decode.h"
#include "store/sqlite/sqlite_store.h"

namespace roster {

Status SqliteStore::upsert_permission(const Permission& p) {
  SqliteStmt s = prepare(
      "INSERT INTO permissions (key, area, description) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (key) DO UPDATE SET area = excluded.area, "
      "description = excluded.description");
  if (!s.bind(1, p.key).bind(2, p.area).bind(3, p.description).run()) {
    return error("writing the permission catalog");
  }
  return Status::ok();
}

Status SqliteStore::load_reference(ReferenceData& out) {
  out = ReferenceData{};
  {
    SqliteStmt s = prepare("SELECT key, area, description FROM permissions ORDER BY key");
    while (s.step()) out.permissions.push_back(decode_permission(s));
    if (!s.ok()) return error("reading permissions");
  }
  {
    SqliteStmt s = prepare("SELECT id, key, name FROM applications ORDER BY id");
    while (s.step()) out.applications.push_back(decode_application(s));
    if (!s.ok()) return error("reading applications");
  }
  {
    SqliteStmt s = prepare("SELECT id, external_id, name, type, enabled FROM sources");
    while (s.step()) out.sources.push_back(decode_source(s));
    if (!s.ok()) return error("reading sources");
  }
  {
    SqliteStmt s = prepare("SELECT id, external_id, name FROM sales_channels");
    while (s.step()) out.channels.push_back(decode_channel(s));
    if (!s.ok()) return error("reading sales channels");
  }
  SqliteStmt s = prepare(
      "SELECT id, name, coalesce(key, ''), hierarchy, all_sources, all_sales_channels, "
      " (SELECT group_concat(permission_key, ',') FROM role_permissions p "
      "   WHERE p.role_id = r.id),"
      " (SELECT group_concat(source_id, ',') FROM role_sources s WHERE s.role_id = r.id),"
      " (SELECT group_concat(channel_id, ',') FROM role_sales_channels c "
      "   WHERE c.role_id = r.id), "
      " application_id "
      "FROM roles r");
  while (s.step()) out.roles.push_back(decode_role(s));
  if (!s.ok()) return error("reading roles");
  return Status::ok();
}

Status SqliteStore::save_source(Source& source) {
  SqliteStmt s = source.id == 0 ? prepare(
                                      "INSERT INTO sources (external_id, name, type, enabled) "
                                      "VALUES (?1, ?2, ?3, ?4)")
                                : prepare(
                                      "UPDATE sources SET external_id = ?1, name = ?2, type = ?3, "
                                      "enabled = ?4 WHERE id = ?5");
  s.bind(1, source.external_id).bind(2, source.name).bind(3, source.type).bind(4, source.enabled);
  if (source.id != 0) s.bind(5, source.id);
  if (!s.run()) return error(fmt::format("saving source \"{}\"", source.external_id));
  if (source.id == 0) source.id = sqlite3_last_insert_rowid(db_);
  return Status::ok();
}

Status SqliteStore::save_channel(SalesChannel& channel) {
  SqliteStmt s = channel.id == 0
                     ? prepare("INSERT INTO sales_channels (external_id, name) VALUES (?1, ?2)")
                     : prepare(
                           "UPDATE sales_channels SET external_id = ?1, name = ?2 "
                           "WHERE id = ?3");
  s.bind(1, channel.external_id).bind(2, channel.name);
  if (channel.id != 0) s.bind(3, channel.id);
  if (!s.run()) return error(fmt::format("saving sales channel \"{}\"", channel.external_id));
  if (channel.id == 0) channel.id = sqlite3_last_insert_rowid(db_);
  return Status::ok();
}

Status SqliteStore::save_application(Application& app) {
  SqliteStmt s = app.id == 0 ? prepare("INSERT INTO applications (key, name) VALUES (?1, ?2)")
                             : prepare("UPDATE applications SET key = ?1, name = ?2 WHERE id = ?3");
  s.bind(1, app.key).bind(2, app.name);
  if (app.id != 0) s.bind(3, app.id);
  if (!s.run()) return error(fmt::format("saving application \"{}\"", app.key));
  if (app.id == 0) app.id = sqlite3_last_insert_rowid(db_);
  return Status::ok();
}

Status SqliteStore::replace_links(const char* delete_sql, const char* insert_sql, int64_t owner,
                                  const std::vector<int64_t>& ids) {
  {
    SqliteStmt del = prepare(delete_sql);
    if (!del.bind(1, owner).run()) return error("updating links");
  }
  for (int64_t id : ids) {
    SqliteStmt ins = prepare(insert_sql);
    if (!ins.bind(1, owner).bind(2, id).run()) return error("updating links");
  }
  return Status::ok();
}

Status SqliteStore::save_role(Role& role) {
  bool inserting = role.id == 0;
  {
    SqliteStmt s = inserting ? prepare(
                                   "INSERT INTO roles (name, key, hierarchy, all_sources, "
                                   "all_sales_channels, application_id) "
                                   "VALUES (?1, nullif(?2, ''), ?3, ?4, ?5, ?7)")
                             : prepare(
                                   "UPDATE roles SET name = ?1, key = nullif(?2, ''), "
                                   "hierarchy = ?3, all_sources = ?4, all_sales_channels = ?5 "
                                   "WHERE id = ?6");
    s.bind(1, role.name).bind(2, role.key).bind(3, role.hierarchy).bind(4, role.sources.all);
    s.bind(5, role.channels.all);
    if (inserting) s.bind(7, role.application_id);
    if (!inserting) s.bind(6, role.id);
    if (!s.run()) return error(fmt::format("saving role \"{}\"", role.name));
    if (inserting) role.id = sqlite3_last_insert_rowid(db_);
  }
  {
    SqliteStmt del = prepare("DELETE FROM role_permissions WHERE role_id = ?1");
    if (!del.bind(1, role.id).run()) return error("saving role permissions");
  }
  for (const std::string& key : role.permissions) {
    SqliteStmt ins =
        prepare("INSERT INTO role_permissions (role_id, permission_key) VALUES (?1, ?2)");
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
  return st;
}

}  // namespace roster

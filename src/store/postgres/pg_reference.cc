// The PostgreSQL store's reference data: permissions, sources, sales channels
// and roles with their permissions and scopes.

#include <fmt/format.h>

#include <algorithm>

#include "roster/text.h"
#include "store/decode.h"
#include "store/postgres/pg_store.h"

namespace roster {
std::string pg_id_array(const std::vector<int64_t>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  out += '}';
  return out;
}

std::string pg_text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Status PgStore::upsert_permission(const Permission& p) {
  PgResult r = run(
      "INSERT INTO permissions (key, area, description) VALUES ($1, $2, $3) "
      "ON CONFLICT (key) DO UPDATE SET area = excluded.area, description = excluded.description",
      {p.key, p.area, p.description});
  if (!r.ok()) return error("writing the permission catalog", r);
  return Status::ok();
}

Status PgStore::load_reference(ReferenceData& out) {
  out = ReferenceData{};
  PgResult p = run("SELECT key, area, description FROM permissions ORDER BY key");
  if (!p.ok()) return error("reading permissions", p);
  for (int i = 0; i < p.rows(); ++i) out.permissions.push_back(decode_permission(PgRow{p, i}));
  PgResult a = run("SELECT id, key, name FROM applications ORDER BY id");
  if (!a.ok()) return error("reading applications", a);
  for (int i = 0; i < a.rows(); ++i) out.applications.push_back(decode_application(PgRow{a, i}));
  PgResult s = run("SELECT id, external_id, name, type, enabled FROM sources");
  if (!s.ok()) return error("reading sources", s);
  for (int i = 0; i < s.rows(); ++i) out.sources.push_back(decode_source(PgRow{s, i}));
  PgResult c = run("SELECT id, external_id, name FROM sales_channels");
  if (!c.ok()) return error("reading sales channels", c);
  for (int i = 0; i < c.rows(); ++i) out.channels.push_back(decode_channel(PgRow{c, i}));
  PgResult r = run(
      "SELECT id, name, coalesce(key, ''), hierarchy, all_sources, all_sales_channels, "
      " (SELECT string_agg(permission_key, ',') FROM role_permissions p WHERE p.role_id = r.id),"
      " (SELECT string_agg(source_id::text, ',') FROM role_sources s WHERE s.role_id = r.id),"
      " (SELECT string_agg(channel_id::text, ',') FROM role_sales_channels c "
      "   WHERE c.role_id = r.id), "
      " application_id "
      "FROM roles r");
  if (!r.ok()) return error("reading roles", r);
  for (int i = 0; i < r.rows(); ++i) out.roles.push_back(decode_role(PgRow{r, i}));
  return Status::ok();
}

Status PgStore::save_source(Source& source) {
  if (source.id == 0) {
    PgResult r =
        run("INSERT INTO sources (external_id, name, type, enabled) VALUES ($1, $2, $3, $4) "
            "RETURNING id",
            {source.external_id, source.name, source.type, source.enabled});
    if (!r.ok()) return error(fmt::format("saving source \"{}\"", source.external_id), r);
    source.id = r.int64(0, 0);
    return Status::ok();
  }
  PgResult r =
      run("UPDATE sources SET external_id = $1, name = $2, type = $3, enabled = $4 WHERE id = $5",
          {source.external_id, source.name, source.type, source.enabled, source.id});
  if (!r.ok()) return error(fmt::format("saving source \"{}\"", source.external_id), r);
  return Status::ok();
}

Status PgStore::save_channel(SalesChannel& channel) {
  if (channel.id == 0) {
    PgResult r = run("INSERT INTO sales_channels (external_id, name) VALUES ($1, $2) RETURNING id",
                     {channel.external_id, channel.name});
    if (!r.ok()) return error(fmt::format("saving sales channel \"{}\"", channel.external_id), r);
    channel.id = r.int64(0, 0);
    return Status::ok();
  }
  PgResult r = run("UPDATE sales_channels SET external_id = $1, name = $2 WHERE id = $3",
                   {channel.external_id, channel.name, channel.id});
  if (!r.ok()) return error(fmt::format("saving sales channel \"{}\"", channel.external_id), r);
  return Status::ok();
}

Status PgStore::save_application(Application& app) {
  std::string what = fmt::format("saving application \"{}\"", app.key);
  if (app.id == 0) {
    PgResult r = run("INSERT INTO applications (key, name) VALUES ($1, $2) RETURNING id",
                     {app.key, app.name});
    if (!r.ok()) return error(what, r);
    app.id = r.int64(0, 0);
    return Status::ok();
  }
  PgResult r =
      run("UPDATE applications SET key = $1, name = $2 WHERE id = $3", {app.key, app.name, app.id});
  if (!r.ok()) return error(what, r);
  return Status::ok();
}

Status PgStore::save_role(Role& role) {
  std::string what = fmt::format("saving role \"{}\"", role.name);
  if (role.id == 0) {
    PgResult r =
        run("INSERT INTO roles (name, key, hierarchy, all_sources, all_sales_channels, "
            "application_id) VALUES ($1, nullif($2, ''), $3, $4, $5, $6) RETURNING id",
            {role.name, role.key, role.hierarchy, role.sources.all, role.channels.all,
             role.application_id});
    if (!r.ok()) return error(what, r);
    role.id = r.int64(0, 0);
  } else {
    PgResult r =
        run("UPDATE roles SET name = $1, key = nullif($2, ''), hierarchy = $3, all_sources = $4, "
            "all_sales_channels = $5 WHERE id = $6",
            {role.name, role.key, role.hierarchy, role.sources.all, role.channels.all, role.id});
    if (!r.ok()) return error(what, r);
  }
  std::string keys = "{";
  for (size_t i = 0; i < role.permissions.size(); ++i) {
    if (i > 0) keys += ',';
    keys += '"' + role.permissions[i] + '"';  // catalog keys hold no quote or backslash
  }
  keys += '}';
  std::string sources = pg_id_array(role.sources.all ? std::vector<int64_t>{} : role.sources.ids);
  std::string channels =
      pg_id_array(role.channels.all ? std::vector<int64_t>{} : role.channels.ids);
  // Delete, then insert: two statements, because one statement that deletes
  // and re-inserts the same key may meet its own row in the unique index.
  const char* const statements[][2] = {
      {"DELETE FROM role_permissions WHERE role_id = $1",
       "INSERT INTO role_permissions (role_id, permission_key) SELECT $1, unnest($2::text[])"},
      {"DELETE FROM role_sources WHERE role_id = $1",
       "INSERT INTO role_sources (role_id, source_id) SELECT $1, unnest($2::bigint[])"},
      {"DELETE FROM role_sales_channels WHERE role_id = $1",
       "INSERT INTO role_sales_channels (role_id, channel_id) SELECT $1, unnest($2::bigint[])"}};
  const std::string* lists[] = {&keys, &sources, &channels};
  for (size_t i = 0; i < std::size(statements); ++i) {
    PgResult del = run(statements[i][0], {role.id});
    if (!del.ok()) return error(what, del);
    PgResult ins = run(statements[i][1], {role.id, *lists[i]});
    if (!ins.ok()) return error(what, ins);
  }
  return Status::ok();
}

}  // namespace roster

// The PostgreSQL store's users: lookups, writes and the scans for exports.
// Each lookup and each write is one statement, so one round trip to the
// server: a user's links come with its row, and are written with it.

#include <fmt/format.h>

#include "roster/text.h"
#include "store/decode.h"
#include "store/postgres/pg_store.h"

namespace roster {
namespace {

// The columns of a users row with its links, read by read_user. A user with
// access to all sources has no source rows, so none are looked for.
#define ROSTER_PG_USER_COLUMNS                                                                   \
  "u.id, u.username, coalesce(u.email, ''), u.enabled, u.all_sales_channels, u.all_sources, "    \
  "u.timezone, coalesce(u.role_id, 0), u.created_at, u.created_by, u.updated_at, u.updated_by, " \
  "CASE WHEN u.all_sources = 1 THEN '' ELSE (SELECT string_agg(s.source_id::text, ',') "         \
  "  FROM user_sources s WHERE s.user_id = u.id) END, "                                          \
  "CASE WHEN u.all_sales_channels = 1 THEN '' ELSE (SELECT string_agg(c.channel_id::text, ',') " \
  "  FROM user_sales_channels c WHERE c.user_id = u.id) END, "                                   \
  "(SELECT string_agg(r.role_id::text, ',') FROM user_roles r WHERE r.user_id = u.id), "         \
  "coalesce(u.feed, ''), coalesce(u.start_date, ''), coalesce(u.end_date, ''), u.active, "       \
  "coalesce(u.next_change, '') "

// Assigns in place, so that a User reused over a scan keeps its memory.
void read_user(const PgResult& r, int row, User& u) {
  u.id = r.int64(row, 0);
  r.text(row, 1, u.username);
  r.text(row, 2, u.email);
  u.enabled = r.flag(row, 3);
  u.all_channels = r.flag(row, 4);
  u.all_sources = r.flag(row, 5);
  r.text(row, 6, u.timezone);
  u.role_id = r.int64(row, 7);
  r.text(row, 8, u.created_at);
  r.text(row, 9, u.created_by);
  r.text(row, 10, u.updated_at);
  r.text(row, 11, u.updated_by);
  parse_id_list(r.text(row, 12), u.sources);
  parse_id_list(r.text(row, 13), u.channels);
  parse_id_list(r.text(row, 14), u.app_roles);
  r.text(row, 15, u.feed);
  r.text(row, 16, u.start_date);
  r.text(row, 17, u.end_date);
  u.active = r.flag(row, 18);
  r.text(row, 19, u.next_change);
}

}  // namespace

Status PgStore::look_ahead(const std::vector<std::string>& usernames,
                           const std::vector<std::string>& emails) {
  users_ahead_.clear();
  emails_ahead_.clear();
  if (!in_transaction_) return Status::ok();  // nothing keeps the answers true outside
  std::vector<std::string> keys;
  for (const std::string& name : usernames) {
    keys.push_back(to_lower_ascii(name));
    users_ahead_.emplace(keys.back(), std::nullopt);
  }
  // Through run(), so after the deferred writes: the answers include them.
  PgResult r = run("SELECT " ROSTER_PG_USER_COLUMNS
                   "FROM users u WHERE lower(u.username) = ANY ($1::text[])",
                   {pg_text_array(keys)});
  if (!r.ok()) return error("looking up a batch of users", r);
  for (int i = 0; i < r.rows(); ++i) {
    User u;
    read_user(r, i, u);
    users_ahead_[to_lower_ascii(u.username)] = std::move(u);
  }
  keys.clear();
  for (const std::string& email : emails) {
    keys.push_back(to_lower_ascii(email));
    emails_ahead_.emplace(keys.back(), std::nullopt);
  }
  PgResult e = run("SELECT lower(email), username FROM users WHERE lower(email) = ANY ($1::text[])",
                   {pg_text_array(keys)});
  if (!e.ok()) return error("looking up a batch of e-mails", e);
  for (int i = 0; i < e.rows(); ++i)
    emails_ahead_[std::string(e.text(i, 0))] = std::string(e.text(i, 1));
  return Status::ok();
}

Result<bool> PgStore::find_user(std::string_view username, User& user) {
  if (!users_ahead_.empty()) {
    auto it = users_ahead_.find(to_lower_ascii(username));
    if (it != users_ahead_.end()) {
      if (!it->second) return false;
      user = *it->second;
      return true;
    }
  }
  PgResult r = run("SELECT " ROSTER_PG_USER_COLUMNS
                   "FROM users u WHERE lower(u.username) = lower($1::text COLLATE \"C\")",
                   {username});
  if (!r.ok()) return error("looking up a user", r);
  if (r.rows() == 0) return false;
  read_user(r, 0, user);
  return true;
}

Result<std::optional<std::string>> PgStore::email_owner(std::string_view email) {
  if (!emails_ahead_.empty()) {
    auto it = emails_ahead_.find(to_lower_ascii(email));
    if (it != emails_ahead_.end()) return it->second;
  }
  PgResult r =
      run("SELECT username FROM users WHERE lower(email) = lower($1::text COLLATE \"C\")", {email});
  if (!r.ok()) return error("looking up an e-mail", r);
  if (r.rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r.text(0, 0)));
}

Status PgStore::insert_user(User& u) {
  auto id = next_user_id();
  if (!id.is_ok()) return id.status();
  u.id = *id;
  // The row and its links in one statement; the links' foreign keys are
  // checked at its end, when the row exists.
  Status st = defer(
      "WITH n AS (INSERT INTO users (id, username, email, enabled, all_sales_channels, "
      "  all_sources, timezone, role_id, created_at, created_by, updated_at, updated_by, feed, "
      "  start_date, end_date, active, next_change) "
      "  VALUES ($1, $2, nullif($3, ''), $4, $5, $6, $7, nullif($8::bigint, 0), $9, $10, $9, "
      "$10, nullif($14, ''), nullif($15, ''), nullif($16, ''), $17, nullif($18, ''))), "
      "s AS (INSERT INTO user_sources (user_id, source_id) "
      "  SELECT $1::bigint, unnest($11::bigint[])), "
      "r AS (INSERT INTO user_roles (user_id, role_id) "
      "  SELECT $1::bigint, unnest($13::bigint[])) "
      "INSERT INTO user_sales_channels (user_id, channel_id) "
      "  SELECT $1::bigint, unnest($12::bigint[])",
      {u.id, u.username, u.email, u.enabled, u.all_channels, u.all_sources, u.timezone, u.role_id,
       u.created_at, u.created_by, pg_id_array(u.sources), pg_id_array(u.channels),
       pg_id_array(u.app_roles), u.feed, u.start_date, u.end_date, u.active && u.enabled,
       u.next_change},
      fmt::format("creating user \"{}\"", u.username));
  if (!st.is_ok()) return st;
  // What a lookup of the new user would now read back.
  if (!users_ahead_.empty() || !emails_ahead_.empty()) {
    User& stored = users_ahead_[to_lower_ascii(u.username)].emplace(u);
    stored.updated_at = u.created_at;
    stored.updated_by = u.created_by;
    if (!u.email.empty()) emails_ahead_[to_lower_ascii(u.email)] = u.username;
  }
  return Status::ok();
}

Status PgStore::update_user(const User& before, const User& after) {
  std::string what = fmt::format("updating user \"{}\"", before.username);
  Status st = defer(
      "UPDATE users SET email = nullif($2, ''), role_id = nullif($3::bigint, 0), enabled = $4, "
      "all_sales_channels = $5, "
      "all_sources = $6, timezone = $7, updated_at = $8, updated_by = $9, feed = nullif($10, ''), "
      "start_date = nullif($11, ''), end_date = nullif($12, ''), active = $13, "
      "next_change = nullif($14, '') WHERE id = $1",
      {before.id, after.email, after.role_id, after.enabled, after.all_channels, after.all_sources,
       after.timezone, after.updated_at, after.updated_by, after.feed, after.start_date,
       after.end_date, after.active && after.enabled, after.next_change},
      what);
  // Links: drop those no longer listed, add the new ones (the kept ones
  // conflict and stay), so that no key is deleted and re-inserted at once.
  // (Each SQL is a literal: prepared statements are keyed by its address.)
  auto relink = [&](const char* sql, const std::vector<int64_t>& was,
                    const std::vector<int64_t>& is) {
    if (st.is_ok() && was != is) st = defer(sql, {before.id, pg_id_array(is)}, what);
  };
  relink(
      "WITH d AS (DELETE FROM user_sources WHERE user_id = $1 "
      "  AND source_id <> ALL ($2::bigint[])) "
      "INSERT INTO user_sources (user_id, source_id) SELECT $1, unnest($2::bigint[]) "
      "ON CONFLICT DO NOTHING",
      before.sources, after.sources);
  relink(
      "WITH d AS (DELETE FROM user_sales_channels WHERE user_id = $1 "
      "  AND channel_id <> ALL ($2::bigint[])) "
      "INSERT INTO user_sales_channels (user_id, channel_id) SELECT $1, unnest($2::bigint[]) "
      "ON CONFLICT DO NOTHING",
      before.channels, after.channels);
  relink(
      "WITH d AS (DELETE FROM user_roles WHERE user_id = $1 "
      "  AND role_id <> ALL ($2::bigint[])) "
      "INSERT INTO user_roles (user_id, role_id) SELECT $1, unnest($2::bigint[]) "
      "ON CONFLICT DO NOTHING",
      before.app_roles, after.app_roles);
  if (!st.is_ok()) return st;
  if (!users_ahead_.empty() || !emails_ahead_.empty()) {
    User& stored = users_ahead_[to_lower_ascii(before.username)].emplace(after);
    stored.id = before.id;
    stored.username = before.username;  // never changes
    if (to_lower_ascii(before.email) != to_lower_ascii(after.email)) {
      if (!before.email.empty()) emails_ahead_[to_lower_ascii(before.email)] = std::nullopt;
      if (!after.email.empty()) emails_ahead_[to_lower_ascii(after.email)] = before.username;
    }
  }
  return Status::ok();
}

Result<bool> PgStore::any_user_dates() {
  PgResult r = run(
      "SELECT EXISTS (SELECT 1 FROM users WHERE start_date IS NOT NULL OR end_date IS NOT NULL)");
  if (!r.ok()) return error("reading users", r);
  return r.flag(0, 0);
}

Result<std::vector<User>> PgStore::users_due(std::string_view now) {
  PgResult r = run("SELECT " ROSTER_PG_USER_COLUMNS
                   "FROM users u WHERE u.next_change IS NOT NULL AND u.next_change <= $1 "
                   "ORDER BY lower(u.username)",
                   {now});
  if (!r.ok()) return error("reading the users whose dates came", r);
  std::vector<User> out(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) read_user(r, i, out[static_cast<size_t>(i)]);
  return out;
}

Result<int64_t> PgStore::count_enabled_users() {
  PgResult r = run("SELECT count(*) FROM users WHERE active = 1");
  if (!r.ok()) return error("counting users", r);
  return r.int64(0, 0);
}

Result<int64_t> PgStore::max_user_id() {
  PgResult r = run("SELECT coalesce(max(id), 0) FROM users");
  if (!r.ok()) return error("reading the largest user id", r);
  return r.int64(0, 0);
}

Status PgStore::for_each_user(int64_t role_id, const std::function<bool(User&)>& fn) {
  // Ordered by the unique index on lower(username): the order of SQLite's NOCASE.
  User u;
  return scan("SELECT " ROSTER_PG_USER_COLUMNS
              "FROM users u WHERE ($1::bigint = 0 OR u.role_id = $1 OR u.id IN "
              "(SELECT user_id FROM user_roles WHERE role_id = $1)) ORDER BY lower(u.username)",
              {role_id}, "reading users", [&](const PgResult& r, bool& more) {
                read_user(r, 0, u);
                more = fn(u);
                return Status::ok();
              });
}

Status PgStore::for_each_feed_user(std::string_view feed, bool enabled_only,
                                   const std::function<bool(int64_t, const std::string&)>& fn) {
  std::string name;
  return scan(
      "SELECT id, username FROM users WHERE feed = $1 AND ($2::int = 0 OR enabled = 1) "
      "ORDER BY id",
      {feed, enabled_only}, "reading a feed's users", [&](const PgResult& r, bool& more) {
        r.text(0, 1, name);
        more = fn(r.int64(0, 0), name);
        return Status::ok();
      });
}

// The per-run scratch list of names (a temporary table of this connection).
Status PgStore::clear_names() {
  // A temporary table lives as long as the connection, in the server's
  // temp_buffers and then on its disk: memory does not grow with the file.
  PgResult created(PQexec(conn_,
                          "CREATE TEMP TABLE IF NOT EXISTS roster_seen (key text COLLATE \"C\" "
                          "PRIMARY KEY); TRUNCATE roster_seen"));
  if (!created.ok()) return error("preparing the rows met so far", created);
  return Status::ok();
}

Result<bool> PgStore::name_listed(std::string_view username) {
  PgResult r =
      run("SELECT 1 FROM roster_seen WHERE key = lower($1::text COLLATE \"C\")", {username});
  if (!r.ok()) return error("looking up the rows met so far", r);
  return r.rows() > 0;
}

Result<bool> PgStore::list_name(std::string_view username) {
  PgResult r =
      run("INSERT INTO roster_seen (key) VALUES (lower($1::text COLLATE \"C\")) ON CONFLICT DO "
          "NOTHING",
          {username});
  if (!r.ok()) return error("recording the rows met so far", r);
  return r.affected() > 0;
}

}  // namespace roster

// The SQLite store's users: lookups, writes and the scans for exports.

#include <fmt/format.h>

#include "store/sqlite/sqlite_store.h"
#include "store/user_sorter.h"

namespace roster {

// The columns of a users row, read by load_user_fields.
#define ROSTER_USER_FIELDS                                                                       \
  "u.id, u.username, u.email, u.enabled, u.all_sales_channels, u.all_sources, "                  \
  "u.timezone, coalesce(u.role_id, 0), u.created_at, u.created_by, u.updated_at, u.updated_by, " \
  "coalesce(u.feed, ''), coalesce(u.start_date, ''), coalesce(u.end_date, ''), u.active, "       \
  "coalesce(u.next_change, '') "

// Assigns in place, so that a User reused over a scan keeps its strings' memory.
void SqliteStore::load_user_fields(SqliteStmt& s, User& u) {
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
  s.text(12, u.feed);
  s.text(13, u.start_date);
  s.text(14, u.end_date);
  u.active = s.flag(15);
  s.text(16, u.next_change);
}

Result<bool> SqliteStore::find_user(std::string_view username, User& user) {
  // The row, then its links read as integers from their primary keys (cheaper
  // than correlated group_concat sub-queries, whose text must be parsed back).
  SqliteStmt s = prepare("SELECT " ROSTER_USER_FIELDS "FROM users u WHERE u.username = ?1");
  s.bind(1, username);
  if (!s.step()) {
    if (!s.ok()) return error("looking up a user");
    return false;
  }
  load_user_fields(s, user);
  if (!load_links(user)) return error("looking up a user");
  user.app_roles.clear();
  auto any = any_app_roles();
  if (!any.is_ok()) return any.status();
  if (*any) {
    SqliteStmt r = prepare("SELECT role_id FROM user_roles WHERE user_id = ?1 ORDER BY role_id");
    r.bind(1, user.id);
    while (r.step()) user.app_roles.push_back(r.int64(0));
    if (!r.ok()) return error("looking up a user");
  }
  return true;
}

Result<bool> SqliteStore::any_app_roles() {
  if (in_transaction_ && app_roles_known_ >= 0) return app_roles_known_ == 1;
  SqliteStmt s = prepare("SELECT EXISTS (SELECT 1 FROM user_roles)");
  if (!s.step()) return error("reading users");
  bool any = s.flag(0);
  if (in_transaction_) app_roles_known_ = any ? 1 : 0;
  return any;
}

bool SqliteStore::load_links(User& u) {
  u.sources.clear();
  u.channels.clear();
  // A user with access to all sources (or channels) is stored with no list
  // (insert_user and update_user write none): no statement to run.
  if (!u.all_sources) {
    SqliteStmt src =
        prepare("SELECT source_id FROM user_sources WHERE user_id = ?1 ORDER BY source_id");
    src.bind(1, u.id);
    while (src.step()) u.sources.push_back(src.int64(0));
    if (!src.ok()) return false;
  }
  if (!u.all_channels) {
    SqliteStmt ch = prepare(
        "SELECT channel_id FROM user_sales_channels WHERE user_id = ?1 ORDER BY channel_id");
    ch.bind(1, u.id);
    while (ch.step()) u.channels.push_back(ch.int64(0));
    if (!ch.ok()) return false;
  }
  return true;
}

Result<std::optional<std::string>> SqliteStore::email_owner(std::string_view email) {
  SqliteStmt s = prepare("SELECT username FROM users WHERE email = ?1");
  s.bind(1, email);
  if (s.step()) return std::optional<std::string>(s.text(0));
  if (!s.ok()) return error("looking up an e-mail");
  return std::optional<std::string>();
}

Status SqliteStore::insert_user(User& u) {
  auto inserted = insert_user_if_free(u);
  if (!inserted.is_ok()) return inserted.status();
  if (!*inserted) return error(fmt::format("creating user \"{}\"", u.username));
  return Status::ok();
}

// A unique index refuses a taken username or e-mail before anything is
// written (the statement is undone, the transaction goes on), so the insert
// is itself the check that the two lookups would otherwise make.
Result<bool> SqliteStore::insert_user_if_free(User& u) {
  SqliteStmt s = prepare(
      "INSERT INTO users (username, email, enabled, all_sales_channels, all_sources, "
      "timezone, role_id, created_at, created_by, updated_at, updated_by, feed, start_date, "
      "end_date, active, next_change) "
      "VALUES (?1, nullif(?2, ''), ?3, ?4, ?5, ?6, nullif(?7, 0), ?8, ?9, ?8, ?9, "
      "nullif(?10, ''), nullif(?11, ''), nullif(?12, ''), ?13, nullif(?14, ''))");
  s.bind(1, u.username).bind(2, u.email).bind(3, u.enabled).bind(4, u.all_channels);
  s.bind(5, u.all_sources).bind(6, u.timezone).bind(7, u.role_id).bind(8, u.created_at);
  s.bind(9, u.created_by).bind(10, u.feed).bind(11, u.start_date).bind(12, u.end_date);
  s.bind(13, u.active && u.enabled).bind(14, u.next_change);  // never active when disabled
  if (!s.run()) {
    if (s.rc() == SQLITE_CONSTRAINT_UNIQUE) return false;
    return error(fmt::format("creating user \"{}\"", u.username));
  }
  u.id = sqlite3_last_insert_rowid(db_);
  for (int64_t id : u.sources) {
    SqliteStmt ins = prepare("INSERT INTO user_sources (user_id, source_id) VALUES (?1, ?2)");
    if (!ins.bind(1, u.id).bind(2, id).run()) return error("saving user sources");
  }
  for (int64_t id : u.channels) {
    SqliteStmt ins =
        prepare("INSERT INTO user_sales_channels (user_id, channel_id) VALUES (?1, ?2)");
    if (!ins.bind(1, u.id).bind(2, id).run()) return error("saving user sales channels");
  }
  for (int64_t id : u.app_roles) {
    SqliteStmt ins = prepare("INSERT INTO user_roles (user_id, role_id) VALUES (?1, ?2)");
    if (!ins.bind(1, u.id).bind(2, id).run()) return error("saving user roles");
    app_roles_known_ = 1;
  }
  return true;
}

Status SqliteStore::update_user(const User& before, const User& after) {
  // The e-mail, the role, the feed and the enabled flag are indexed (the last
  // two together), and so is next_change: rewrite them only when they change.
  if (before.email != after.email || before.role_id != after.role_id) {
    SqliteStmt s =
        prepare("UPDATE users SET email = nullif(?2, ''), role_id = nullif(?3, 0) WHERE id = ?1");
    if (!s.bind(1, before.id).bind(2, after.email).bind(3, after.role_id).run()) {
      return error(fmt::format("updating user \"{}\"", before.username));
    }
  }
  if (before.feed != after.feed || before.enabled != after.enabled) {
    SqliteStmt s = prepare("UPDATE users SET feed = nullif(?2, ''), enabled = ?3 WHERE id = ?1");
    if (!s.bind(1, before.id).bind(2, after.feed).bind(3, after.enabled).run()) {
      return error(fmt::format("updating user \"{}\"", before.username));
    }
  }
  bool active = after.active && after.enabled;  // never active when disabled
  if (before.start_date != after.start_date || before.end_date != after.end_date ||
      before.active != active || before.next_change != after.next_change) {
    SqliteStmt s = prepare(
        "UPDATE users SET start_date = nullif(?2, ''), end_date = nullif(?3, ''), active = ?4, "
        "next_change = nullif(?5, '') WHERE id = ?1");
    s.bind(1, before.id).bind(2, after.start_date).bind(3, after.end_date).bind(4, active);
    if (!s.bind(5, after.next_change).run()) {
      return error(fmt::format("updating user \"{}\"", before.username));
    }
  }
  SqliteStmt s = prepare(
      "UPDATE users SET all_sales_channels = ?2, all_sources = ?3, "
      "timezone = ?4, updated_at = ?5, updated_by = ?6 WHERE id = ?1");
  s.bind(1, before.id).bind(2, after.all_channels).bind(3, after.all_sources);
  s.bind(4, after.timezone).bind(5, after.updated_at).bind(6, after.updated_by);
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
  if (st.is_ok() && before.app_roles != after.app_roles) {
    st = replace_links("DELETE FROM user_roles WHERE user_id = ?1",
                       "INSERT INTO user_roles (user_id, role_id) VALUES (?1, ?2)", before.id,
                       after.app_roles);
    if (!after.app_roles.empty()) app_roles_known_ = 1;
  }
  return st;
}

Status SqliteStore::for_each_feed_user(std::string_view feed, bool enabled_only,
                                       const std::function<bool(int64_t, const std::string&)>& fn) {
  // Through users_by_feed, whose entries for (feed, 1) are in id order: one
  // pass over the table's pages, front to back.
  SqliteStmt s = enabled_only
                     ? prepare(
                           "SELECT id, username FROM users WHERE feed = ?1 AND enabled = 1 "
                           "ORDER BY id")
                     : prepare("SELECT id, username FROM users WHERE feed = ?1 ORDER BY id");
  s.bind(1, feed);
  std::string name;
  while (s.step()) {
    s.text(1, name);
    if (!fn(s.int64(0), name)) return Status::ok();
  }
  if (!s.ok()) return error("reading a feed's users");
  return Status::ok();
}

Result<bool> SqliteStore::any_user_dates() {
  SqliteStmt s = prepare(
      "SELECT EXISTS (SELECT 1 FROM users WHERE start_date IS NOT NULL OR end_date IS NOT NULL)");
  if (!s.step()) return error("reading users");
  return s.flag(0);
}

Result<std::vector<User>> SqliteStore::users_due(std::string_view now) {
  SqliteStmt s = prepare("SELECT " ROSTER_USER_FIELDS
                         "FROM users u WHERE u.next_change IS NOT NULL AND u.next_change <= ?1 "
                         "ORDER BY u.username");
  s.bind(1, now);
  std::vector<User> out;
  while (s.step()) load_user_fields(s, out.emplace_back());
  if (!s.ok()) return error("reading the users whose dates came");
  return out;
}

Result<int64_t> SqliteStore::count_enabled_users() {
  SqliteStmt s = prepare("SELECT count(*) FROM users WHERE active = 1");
  if (!s.step()) return error("counting users");
  return s.int64(0);
}

Result<int64_t> SqliteStore::max_user_id() {
  SqliteStmt s = prepare("SELECT coalesce(max(id), 0) FROM users");
  if (!s.step()) return error("reading the largest user id");
  return s.int64(0);
}

Status SqliteStore::for_each_user(int64_t role_id, const std::function<bool(User&)>& fn) {
  if (role_id == 0) return for_each_user_sorted(fn);
  // One role's users: through the role's index (or user_roles, for a role of
  // another application), ordered by the username's NOCASE collation.
  SqliteStmt s = prepare("SELECT " ROSTER_USER_FIELDS
                         "FROM users u WHERE u.role_id = ?1 OR u.id IN "
                         "(SELECT user_id FROM user_roles WHERE role_id = ?1) ORDER BY u.username");
  s.bind(1, role_id);
  User u;
  while (s.step()) {
    load_user_fields(s, u);
    if (!load_links(u)) return error("reading users");
    u.app_roles.clear();
    SqliteStmt r = prepare("SELECT role_id FROM user_roles WHERE user_id = ?1 ORDER BY role_id");
    r.bind(1, u.id);
    while (r.step()) u.app_roles.push_back(r.int64(0));
    if (!r.ok()) return error("reading users");
    if (!fn(u)) return Status::ok();
  }
  if (!s.ok()) return error("reading users");
  return Status::ok();
}

// Every user in username order, read in storage order and sorted here. Read
// through the username index instead, each user is a seek into the table and
// into its link tables wherever its id put it: a page read per user once the
// directory outgrows the page cache, unless users were created in username
// order. Here the three tables are each read once, front to back, and joined
// on the user id as they go.
Status SqliteStore::for_each_user_sorted(const std::function<bool(User&)>& fn) {
  SqliteStmt users = prepare("SELECT " ROSTER_USER_FIELDS "FROM users u ORDER BY u.id");
  SqliteStmt sources =
      prepare("SELECT user_id, source_id FROM user_sources ORDER BY user_id, source_id");
  SqliteStmt channels =
      prepare("SELECT user_id, channel_id FROM user_sales_channels ORDER BY user_id, channel_id");
  SqliteStmt roles = prepare("SELECT user_id, role_id FROM user_roles ORDER BY user_id, role_id");
  // Each link cursor stands on its first row whose user id is not yet passed.
  bool more_sources = sources.step(), more_channels = channels.step(), more_roles = roles.step();
  auto take_links = [](SqliteStmt& links, bool& more, int64_t user_id, std::vector<int64_t>& ids) {
    ids.clear();
    while (more && links.int64(0) < user_id) more = links.step();
    while (more && links.int64(0) == user_id) {
      ids.push_back(links.int64(1));
      more = links.step();
    }
  };
  UserSorter sorter;
  User u;
  while (users.step()) {
    load_user_fields(users, u);
    take_links(sources, more_sources, u.id, u.sources);
    take_links(channels, more_channels, u.id, u.channels);
    take_links(roles, more_roles, u.id, u.app_roles);
    if (Status st = sorter.add(u); !st.is_ok()) return st;
  }
  if (!users.ok() || !sources.ok() || !channels.ok() || !roles.ok()) {
    return error("reading users");
  }
  return sorter.for_each(fn);
}

}  // namespace roster

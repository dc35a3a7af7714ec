// The SQLite store's side of moving a whole directory (roster migrate).

#include <fmt/format.h>

#include "roster/text.h"
#include "store/sqlite/sqlite_store.h"

namespace roster {
namespace {

// A statement used once, finalized when it goes out of scope (the cache of
// prepare() keys statements by the address of a constant SQL text).
struct OneShot {
  sqlite3_stmt* stmt = nullptr;
  ~OneShot() { sqlite3_finalize(stmt); }
};

}  // namespace

Result<int64_t> SqliteStore::count_rows(const TableSpec& table) {
  OneShot s;
  std::string sql = "SELECT count(*) FROM " + table.name;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s.stmt, nullptr) != SQLITE_OK ||
      sqlite3_step(s.stmt) != SQLITE_ROW) {
    return error("counting " + table.name);
  }
  return sqlite3_column_int64(s.stmt, 0);
}

Status SqliteStore::scan_table(const TableSpec& table,
                               const std::function<Status(const TableRow&)>& fn) {
  OneShot s;
  const std::vector<std::string>& columns = table.columns;
  std::string sql =
      fmt::format("SELECT {} FROM {} ORDER BY {}", join(columns, ", "), table.name, table.order_by);
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s.stmt, nullptr) != SQLITE_OK) {
    return error("reading " + table.name);
  }
  TableRow row(columns.size());
  int rc;
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    for (size_t i = 0; i < columns.size(); ++i) {
      int col = static_cast<int>(i);
      if (sqlite3_column_type(s.stmt, col) == SQLITE_NULL) {
        row[i].reset();
      } else {
        row[i].emplace(reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, col)),
                       static_cast<size_t>(sqlite3_column_bytes(s.stmt, col)));
      }
    }
    Status st = fn(row);
    if (!st.is_ok()) return st;
  }
  if (rc != SQLITE_DONE) return error("reading " + table.name);
  return Status::ok();
}

Status SqliteStore::clear_table(const TableSpec& table) {
  return exec("DELETE FROM " + table.name);
}

Status SqliteStore::append_rows(const TableSpec& table, const std::vector<TableRow>& rows) {
  std::string marks;
  for (size_t i = 0; i < table.columns.size(); ++i) marks += i == 0 ? "?" : ", ?";
  OneShot s;
  std::string sql =
      fmt::format("INSERT INTO {} ({}) VALUES ({})", table.name, join(table.columns, ", "), marks);
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s.stmt, nullptr) != SQLITE_OK) {
    return error("writing " + table.name);
  }
  for (const TableRow& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      int col = static_cast<int>(i) + 1;
      // Text into an INTEGER column is stored as the integer (column affinity).
      int rc = row[i] ? sqlite3_bind_text(s.stmt, col, row[i]->data(),
                                          static_cast<int>(row[i]->size()), SQLITE_STATIC)
                      : sqlite3_bind_null(s.stmt, col);
      if (rc != SQLITE_OK) return error("writing " + table.name);
    }
    if (sqlite3_step(s.stmt) != SQLITE_DONE) return error("writing " + table.name);
    sqlite3_reset(s.stmt);
  }
  return Status::ok();
}

Status SqliteStore::finish_appends() {
  return Status::ok();  // a rowid goes on from the largest one in its table
}

}  // namespace roster

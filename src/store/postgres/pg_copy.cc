// The PostgreSQL store's side of moving a whole directory (roster migrate):
// rows read in single-row mode, written with COPY.

#include <fmt/format.h>

#include "roster/text.h"
#include "store/postgres/pg_store.h"

namespace roster {
namespace {

// Appends `v` as one field of COPY's text format.
void append_copy_field(std::string& out, const std::optional<std::string>& v) {
  if (!v) {
    out += "\\N";
    return;
  }
  for (char c : *v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

Result<int64_t> PgStore::count_rows(const TableSpec& table) {
  PgResult r(PQexec(conn_, ("SELECT count(*) FROM " + table.name).c_str()));
  if (!r.ok()) return error("counting " + table.name, r);
  return r.int64(0, 0);
}

Status PgStore::scan_table(const TableSpec& table,
                           const std::function<Status(const TableRow&)>& fn) {
  const std::vector<std::string>& columns = table.columns;
  std::string sql =
      fmt::format("SELECT {} FROM {} ORDER BY {}", join(columns, ", "), table.name, table.order_by);
  if (PQsendQuery(conn_, sql.c_str()) != 1) return error("reading " + table.name, PgResult());
  PQsetSingleRowMode(conn_);
  TableRow row(columns.size());
  Status st;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    if (PQresultStatus(raw) == PGRES_SINGLE_TUPLE) {
      if (!st.is_ok()) continue;  // drain the rest
      for (size_t i = 0; i < columns.size(); ++i) {
        int col = static_cast<int>(i);
        if (PQgetisnull(raw, 0, col)) {
          row[i].reset();
        } else {
          row[i].emplace(r.text(0, col));
        }
      }
      st = fn(row);
    } else if (PQresultStatus(raw) != PGRES_TUPLES_OK && st.is_ok()) {
      st = error("reading " + table.name, r);
    }
  }
  return st;
}

Status PgStore::clear_table(const TableSpec& table) { return exec("DELETE FROM " + table.name); }

Status PgStore::append_rows(const TableSpec& table, const std::vector<TableRow>& rows) {
  std::string what = "writing " + table.name;
  std::string sql = fmt::format("COPY {} ({}) FROM STDIN", table.name, join(table.columns, ", "));
  PgResult started(PQexec(conn_, sql.c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_IN) return error(what, started);
  std::string data;
  for (const TableRow& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) data += '\t';
      append_copy_field(data, row[i]);
    }
    data += '\n';
  }
  bool sent = PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) == 1;
  PQputCopyEnd(conn_, sent ? nullptr : "roster could not send the rows");
  Status st;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    if (!r.ok() && st.is_ok()) st = error(what, r);
  }
  return st;
}

Status PgStore::finish_appends() {
  for (const TableSpec& spec : schema_tables()) {
    if (!spec.has_id) continue;
    const std::string& table = spec.name;
    std::string sql = fmt::format(
        "SELECT setval(pg_get_serial_sequence('{0}', 'id'), coalesce(max(id), 0) + 1, false) "
        "FROM {0}",
        table);
    PgResult r(PQexec(conn_, sql.c_str()));
    if (!r.ok()) return error("continuing the ids of " + table, r);
  }
  return Status::ok();
}

}  // namespace roster

// roster migrate's work: copies a whole directory, jobs and audit included, into
// an empty one, through the storage seam, so that any backend moves to any
// other (the usual move: a file to a database server that several machines
// share).

#include <fmt/format.h>

#include "roster/store.h"

namespace roster {
namespace {

constexpr size_t kBatch = 5000;

// The source is locked for writing while it is copied, so a job still marked
// running there was interrupted; its process id means nothing in the target.
void settle_job(const TableSpec& jobs, TableRow& row) {
  static const size_t kOutcome = jobs.column("outcome"), kPid = jobs.column("pid");
  if (row[kOutcome] == "running") row[kOutcome] = "interrupted";
  row[kPid].reset();
}

Status copy_table(Store& from, Store& to, const TableSpec& t, int64_t& copied) {
  std::vector<TableRow> batch;
  bool jobs = t.name == "jobs";
  Status st = from.scan_table(t, [&](const TableRow& row) {
    batch.push_back(row);
    if (jobs) settle_job(t, batch.back());
    if (batch.size() < kBatch) return Status::ok();
    copied += static_cast<int64_t>(batch.size());
    Status appended = to.append_rows(t, batch);
    batch.clear();
    return appended;
  });
  if (st.is_ok() && !batch.empty()) {
    copied += static_cast<int64_t>(batch.size());
    st = to.append_rows(t, batch);
  }
  return st;
}

// Everything inside both transactions: the target commits all or nothing.
Result<std::string> copy_tables(Store& from, Store& to) {
  std::string counts;
  for (const TableSpec& t : schema_tables()) {
    int64_t copied = 0;
    Status st = t.seeded ? to.clear_table(t) : Status::ok();
    if (st.is_ok()) st = copy_table(from, to, t, copied);
    if (!st.is_ok()) return st;
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", copied, t.name);
  }
  Status st = to.finish_appends();
  if (st.is_ok()) st = to.commit();
  if (!st.is_ok()) return st;
  return counts;
}

}  // namespace

Result<std::string> copy_directory(Store& from, Store& to) {
  for (const TableSpec& t : schema_tables()) {
    if (t.seeded) continue;
    auto n = to.count_rows(t);
    if (!n.is_ok()) return n.status();
    if (*n > 0) {
      return Status::database(
          fmt::format("\"{}\" is not empty ({} rows in {}); roster migrate "
                      "copies only into an empty directory",
                      to.address(), *n, t.name));
    }
  }
  // Both locked for writing: no import changes the source while it is read,
  // and none starts on the target before it is whole.
  Status st = from.begin();
  if (st.is_ok()) st = to.begin();
  Result<std::string> counts = st.is_ok() ? copy_tables(from, to) : Result<std::string>(st);
  to.rollback();    // nothing to undo once committed
  from.rollback();  // the source was only read
  return counts;
}

}  // namespace roster

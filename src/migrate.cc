// roster migrate: copies a whole directory, jobs and audit included, into an
// empty one, through the storage seam, so that any backend moves to any other
// (the usual move: a file to a database server that several machines share).

#include <fmt/format.h>

#include <ostream>

#include "commands.h"
#include "roster/directory.h"

namespace roster {
namespace {

// The tables of the schema with every column, parents before the rows that
// refer to them. A migration that changes a table changes this list.
struct Table {
  const char* name;
  std::vector<std::string> columns;
  const char* order_by;
  bool has_id;
  // Rows the schema itself creates (the back office): the target's are
  // replaced by the source's, and do not make the target non-empty.
  bool seeded = false;
};
static_assert(kSchemaVersion == 10, "migrate.cc lists the tables of schema version 10");

const std::vector<Table>& tables() {
  static const std::vector<Table> kTables = {
      {"permissions", {"key", "area", "description"}, "key", false},
      {"applications", {"id", "key", "name"}, "id", true, true},
      {"sources", {"id", "external_id", "name", "type", "enabled"}, "id", true},
      {"sales_channels", {"id", "external_id", "name"}, "id", true},
      {"roles",
       {"id", "name", "key", "hierarchy", "all_sources", "all_sales_channels", "application_id"},
       "id",
       true},
      {"role_permissions", {"role_id", "permission_key"}, "role_id, permission_key", false},
      {"role_sources", {"role_id", "source_id"}, "role_id, source_id", false},
      {"role_sales_channels", {"role_id", "channel_id"}, "role_id, channel_id", false},
      {"users",
       {"id", "username", "email", "enabled", "all_sales_channels", "all_sources", "timezone",
        "role_id", "created_at", "created_by", "updated_at", "updated_by"},
       "id",
       true},
      {"user_sources", {"user_id", "source_id"}, "user_id, source_id", false},
      {"user_sales_channels", {"user_id", "channel_id"}, "user_id, channel_id", false},
      {"user_roles", {"user_id", "role_id"}, "user_id, role_id", false},
      {"jobs",
       {"id", "kind", "file", "sha256", "actor", "mode", "dry_run", "started_at", "finished_at",
        "rows_read", "created", "updated", "unchanged", "rejected", "outcome", "exit_code", "pid"},
       "id",
       true},
      {"audit", {"id", "job_id", "target_type", "target", "action", "changes"}, "id", true},
      {"invitations",
       {"id", "job_id", "user_id", "username", "email", "application", "reason", "created_at",
        "sent_at"},
       "id",
       true},
  };
  return kTables;
}

constexpr size_t kBatch = 5000;

// The source is locked for writing while it is copied, so a job still marked
// running there was interrupted; its process id means nothing in the target.
void settle_job(TableRow& row) {
  constexpr size_t kOutcome = 14, kPid = 16;
  if (row[kOutcome] == "running") row[kOutcome] = "interrupted";
  row[kPid].reset();
}

Status copy_table(Store& from, Store& to, const Table& t, int64_t& copied) {
  std::vector<TableRow> batch;
  bool jobs = std::string_view(t.name) == "jobs";
  Status st = from.scan_table(t.name, t.columns, t.order_by, [&](const TableRow& row) {
    batch.push_back(row);
    if (jobs) settle_job(batch.back());
    if (batch.size() < kBatch) return Status::ok();
    copied += static_cast<int64_t>(batch.size());
    Status appended = to.append_rows(t.name, t.columns, batch);
    batch.clear();
    return appended;
  });
  if (st.is_ok() && !batch.empty()) {
    copied += static_cast<int64_t>(batch.size());
    st = to.append_rows(t.name, t.columns, batch);
  }
  return st;
}

// Everything inside both transactions: the target commits all or nothing.
Status copy_directory(Store& from, Store& to, std::ostream& out, bool quiet) {
  std::vector<std::string> with_ids;
  std::string counts;
  for (const Table& t : tables()) {
    int64_t copied = 0;
    Status st = t.seeded ? to.exec(fmt::format("DELETE FROM {}", t.name)) : Status::ok();
    if (st.is_ok()) st = copy_table(from, to, t, copied);
    if (!st.is_ok()) return st;
    if (t.has_id) with_ids.push_back(t.name);
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", copied, t.name);
  }
  Status st = to.finish_appends(with_ids);
  if (!st.is_ok()) return st;
  st = to.commit();
  if (!st.is_ok()) return st;
  if (!quiet)
    out << fmt::format("moved {} from \"{}\" to \"{}\"\n", counts, from.address(), to.address());
  return Status::ok();
}

}  // namespace

ExitCode cmd_migrate(const CommandContext& ctx) {
  std::string from = option_text(ctx.vm, "from"), to = option_text(ctx.vm, "to");
  if (from == to)
    return report_failure(ctx, Status::usage("--from and --to name the same directory"));
  int lock_timeout = ctx.vm["lock-timeout"].as<int>();
  if (lock_timeout < 0) return report_failure(ctx, Status::usage("--lock-timeout takes 0 or more"));
  CommandContext source_ctx{ctx.vm, ctx.out, ctx.err, from, ctx.quiet};
  auto source = open_directory(source_ctx, false, lock_timeout);
  if (!source.is_ok()) return report_failure(ctx, source.status());
  // The target gets the schema and nothing else: its catalog, like every
  // other row, comes from the source.
  Directory::Options options;
  options.create = true;
  options.busy_timeout_ms = lock_timeout * 1000;
  auto target = Directory::open(to, options);
  if (!target.is_ok()) return report_failure(ctx, target.status());
  Store& src = (*source)->store();
  Store& dst = (*target)->store();
  for (const Table& t : tables()) {
    if (t.seeded) continue;
    auto n = dst.count_rows(t.name);
    if (!n.is_ok()) return report_failure(ctx, n.status());
    if (*n > 0) {
      return report_failure(
          ctx, Status::database(fmt::format("\"{}\" is not empty ({} rows in {}); roster migrate "
                                            "copies only into an empty directory",
                                            dst.address(), *n, t.name)));
    }
  }
  // Both locked for writing: no import changes the source while it is read,
  // and none starts on the target before it is whole.
  Status st = src.begin();
  if (st.is_ok()) st = dst.begin();
  if (st.is_ok()) st = copy_directory(src, dst, ctx.out, ctx.quiet);
  dst.rollback();  // nothing to undo once committed
  src.rollback();  // the source was only read
  if (!st.is_ok()) return report_failure(ctx, st);
  return ExitCode::kOk;
}

}  // namespace roster

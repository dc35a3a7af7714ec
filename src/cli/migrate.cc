// roster migrate: opens both directories and hands them to copy_directory.

#include <ostream>

#include "cli/commands.h"
#include "roster/open_store.h"

namespace roster {

ExitCode cmd_migrate(const CommandContext& ctx, const MigrateCommand& c) {
  const std::string &from = c.from, &to = c.to;
  if (from == to)
    return report_failure(ctx, Status::usage("--from and --to name the same directory"));
  int lock_timeout = c.lock_timeout;
  if (lock_timeout < 0) return report_failure(ctx, Status::usage("--lock-timeout takes 0 or more"));
  static const std::vector<Permission> catalog = permission_catalog();
  StoreOptions options;
  options.lock_timeout_ms = lock_timeout * 1000;
  auto source = open_current_store(from, options, &catalog);
  if (!source.is_ok()) return report_failure(ctx, source.status());
  // The target gets the schema and nothing else: its catalog, like every
  // other row, comes from the source.
  options.create = true;
  auto target = open_current_store(to, options, nullptr);
  if (!target.is_ok()) return report_failure(ctx, target.status());
  auto counts = copy_directory(**source, **target);
  if (!counts.is_ok()) return report_failure(ctx, counts.status());
  if (!ctx.quiet) {
    ctx.out << "moved " << *counts << " from \"" << (*source)->address() << "\" to \""
            << (*target)->address() << "\"\n";
  }
  return ExitCode::kOk;
}

}  // namespace roster

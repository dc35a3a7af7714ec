#pragma once

#include <iosfwd>
#include <string>

#include "roster/directory.h"
#include "roster/error_code.h"

namespace roster {

// roster lifecycle run (SPEC §12): users whose Start date came become active,
// users whose End date came lose access, as a job of its own.
struct LifecycleOptions {
  std::string actor;  // --as
  bool dry_run = false;
  double max_disable_percent = 10;
  std::string report_dir = ".";
  bool invite = true;
  bool quiet = false;
};

// One transaction. Reads only the users due (the index on next_change), so
// that a day with nothing to do costs no scan. Each change is audited
// (activate, expire); an activation records the invitations an import would,
// an expiry withdraws pending ones. Expiries count for the blast-radius guard
// (exit 6, nothing applied). Writes lifecycle-<job>.summary.json and
// lifecycle-<job>.changes.csv in the report folder. Exit codes as an import's.
ExitCode run_lifecycle(Directory& dir, const LifecycleOptions& options, std::ostream& out,
                       std::ostream& err);

}  // namespace roster

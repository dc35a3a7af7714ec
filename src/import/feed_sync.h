#pragma once

// The missing-user step of a --sync run (SPEC §11): after the rows, inside the
// run's transaction, every enabled user that the feed manages and that no row
// of the snapshot named is disabled, as a row that disables it would be.

#include <cstdint>

#include "roster/access.h"
#include "roster/directory.h"
#include "roster/import_job.h"
#include "roster/report.h"
#include "roster/run_tracker.h"

namespace roster {

struct SyncCounts {
  int64_t disabled = 0;     // disabled-missing
  int64_t not_allowed = 0;  // SYNC_NOT_ALLOWED: missing, but the actor may not change them
};

// Disables the missing users of `context.feed`, each audited as a disable whose
// reason names the feed and the job, with its pending invitations withdrawn
// and a `disabled-missing` line in `changes`. Never the actor. A database
// Status stops the run.
Status disable_missing(Directory& dir, const Actor& actor, const JobContext& context,
                       const RunTracker& tracker, ChangesReport& changes, SyncCounts& counts);

}  // namespace roster

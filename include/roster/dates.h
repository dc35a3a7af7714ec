#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "roster/model.h"

namespace roster {

// Start and end dates (SPEC §12). A date is a calendar day in the user's own
// time zone; instants are UTC, written "YYYY-MM-DDTHH:MM:SSZ", so that they
// compare as text.

// Whether `text` is an ISO 8601 calendar date (YYYY-MM-DD) that exists.
bool is_iso_date(std::string_view text);

// The instant at which day `date` begins in time zone `tz`: 00:00 local, or
// the first instant of the day when a clock change skips midnight. nullopt
// for a bad date or an unknown zone.
std::optional<std::string> day_start_utc(std::string_view date, std::string_view tz);

// Whether `user` may log in at `now` (enabled, and now within its dates:
// from 00:00 on the Start date, until 00:00 on the End date), and the next
// instant at which that changes by date alone (empty: never). Sets
// user.active and user.next_change.
void settle_dates(User& user, std::string_view now);

}  // namespace roster

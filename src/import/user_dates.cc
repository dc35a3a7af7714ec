#include <date/tz.h>

#include <cstdio>

#include "roster/dates.h"

namespace roster {
namespace {

std::optional<date::year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  auto number = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  date::year_month_day ymd{date::year{number(0, 4)},
                           date::month{static_cast<unsigned>(number(5, 2))},
                           date::day{static_cast<unsigned>(number(8, 2))}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

}  // namespace

bool is_iso_date(std::string_view text) { return parse_date(text).has_value(); }

std::optional<std::string> day_start_utc(std::string_view text, std::string_view tz) {
  auto ymd = parse_date(text);
  if (!ymd) return std::nullopt;
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(tz);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  // choose::earliest also settles a midnight that a clock change skips: the
  // day then begins at the change.
  date::sys_seconds t =
      zone->to_sys(date::local_seconds{date::local_days{*ymd}}, date::choose::earliest);
  return date::format("%Y-%m-%dT%H:%M:%SZ", t);
}

void settle_dates(User& user, std::string_view now) {
  user.active = user.enabled;
  user.next_change.clear();
  if (!user.enabled) return;
  std::optional<std::string> from, until;
  if (!user.start_date.empty()) from = day_start_utc(user.start_date, user.timezone);
  if (!user.end_date.empty()) until = day_start_utc(user.end_date, user.timezone);
  bool started = !from || *from <= now;
  bool ended = until && *until <= now;
  user.active = started && !ended;
  if (!started) {
    user.next_change = *from;
  } else if (until && !ended) {
    user.next_change = *until;
  }
}

}  // namespace roster

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roster {

// Small pure helpers over text shared by the stages. None of them throws.

// `s` without leading and trailing spaces (only ' ': a TAB is a control
// character and must reach the TEXT_INVALID check).
std::string_view trim_spaces(std::string_view s);

// ASCII lower-case copy. Identifiers that compare case-insensitively (usernames,
// e-mails, role names, header names) fold ASCII only, as the stores' unique indexes do.
std::string to_lower_ascii(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// <0, 0 or >0 as SQLite's NOCASE orders: ASCII letters folded, then unsigned
// bytes, a prefix first.
int compare_nocase(std::string_view a, std::string_view b);

// Whether `s` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Why `cell` may not be stored: a control character (TAB included), invalid
// UTF-8, or a leading spreadsheet formula character (= + - @). nullopt when fine.
std::optional<std::string> cell_text_problem(std::string_view cell);

// Splits a comma-separated list cell ("WAREHOUSE, test-store") into trimmed,
// non-empty entries, keeping their order and any repeats.
std::vector<std::string> split_list(std::string_view cell);

// The candidate closest to `value` (case-insensitive edit distance), if it is
// close enough to be a plausible typo; used for "did you mean" hints.
std::optional<std::string> closest_match(std::string_view value,
                                         const std::vector<std::string>& candidates);

// One CSV cell, quoted only where RFC 4180 needs it (comma, quote, CR, LF) or
// where leading/trailing spaces would otherwise be trimmed on re-import.
std::string csv_cell(std::string_view value);
// Appends `value` to `out` as csv_cell() would write it, without allocating.
void append_csv_cell(std::string& out, std::string_view value);
// Cells joined by commas, with a CRLF-free "\n" line end.
std::string csv_line(const std::vector<std::string>& cells);

// Joins `items` with `sep`.
std::string join(const std::vector<std::string>& items, std::string_view sep);

// The current time as ISO 8601 UTC with seconds: 2026-01-31T08:00:00Z.
std::string now_utc_iso8601();

// Whether `s` is "YYYY-MM-DDTHH:MM:SSZ" (or a date "YYYY-MM-DD") naming a real
// instant; returns it normalised to the full form, or nullopt.
std::optional<std::string> normalize_utc_time(std::string_view s);

}  // namespace roster

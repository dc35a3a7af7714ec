#pragma once

#include <spdlog/common.h>

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <string_view>
#include <variant>

namespace roster {

// How roster logs: spdlog to standard error, and optionally to a size-rotated
// file and to syslog (journald), as text or as one JSON object per line.
struct LogOptions {
  std::string level = "warn";        // for standard error: trace ... off
  bool level_given = false;          // --log-level was set explicitly
  bool quiet = false;                // -q: only errors on standard error
  std::string file;                  // --log-file
  size_t max_size_bytes = 10 << 20;  // rotate the file past this size
  size_t max_files = 5;              // keep this many rotated files
  bool syslog = false;
  bool json = false;  // --log-format json
};

// Installs the default logger. The file and syslog sinks log at info or finer
// (so every run's job line reaches them); standard error uses `level`. Throws
// std::invalid_argument for an unknown level or format.
void setup_logging(const LogOptions& options, std::ostream& err);

// A named value of a log event: a count or a text.
struct LogField {
  std::string_view key;
  std::variant<int64_t, std::string_view> value;
};

// Logs `message` with `fields`: the text log shows them after the message as
// key=value, the JSON log as keys of their own beside "message", so that a
// log shipper reads a job's counts without parsing prose. Keys other than
// time, level, pid and message; an empty text is left out.
void log_event(spdlog::level::level_enum level, std::string_view message,
               std::initializer_list<LogField> fields);

// Puts back a plain standard-error logger at warn, so that nothing keeps
// writing to the stream given to setup_logging once its caller is gone.
void reset_logging();

}  // namespace roster

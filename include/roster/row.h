#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "roster/error_code.h"

namespace roster {

// One data line of a template file, split into cells (quotes removed, leading
// and trailing spaces trimmed). `line` is the physical line number, the header
// being line 1.
struct RawRow {
  uint64_t line = 0;
  std::vector<std::string> cells;
  // Set when the line could not be split into the header's number of cells.
  // `cells` then holds what could be recovered, so that nothing is lost.
  bool malformed = false;
  std::string malformed_reason;
};

// A problem with one row: an error rejects the row, a warning does not.
// Every message names the line, the column and the value, and says what would
// be accepted.
struct RowError {
  uint64_t line = 0;
  std::string column;
  std::string value;
  Code code = Code::kRowMalformed;
  std::string message;
};

// Errors and warnings found for one row.
struct RowIssues {
  std::vector<RowError> errors;
  std::vector<RowError> warnings;

  bool ok() const { return errors.empty(); }
};

// Formats one issue the way reports and the terminal show it: "CODE: message".
std::string format_issue(const RowError& issue);

}  // namespace roster

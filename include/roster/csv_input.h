#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roster/result.h"
#include "roster/row.h"

namespace roster {

// The columns of one template: all `required` ones must be in the header;
// `optional` ones are used when present. Any other column is ignored with a
// COLUMN_UNKNOWN warning.
struct TemplateColumns {
  std::vector<std::string> required;
  std::vector<std::string> optional;
};

// How a file's bytes are read (SPEC §15): its separator (',', ';' or TAB), and
// the encoding it is converted to UTF-8 from ("utf-8": none; "windows-1252",
// "iso-8859-1"), before any check.
struct ReadOptions {
  char delimiter = ',';
  std::string encoding = "utf-8";
};
// The encodings --encoding takes, and the separator names --delimiter takes
// (",", ";", "tab", any case): the character, or nullopt.
bool is_known_encoding(std::string_view name);
std::optional<char> parse_delimiter(std::string_view name);

// Streams one template file: checks the header, then yields RawRow after RawRow.
// Reads the file exactly once, in constant memory, and computes its SHA-256 on
// the way. Header names match after trimming spaces, case-insensitively, in any
// order; a UTF-8 BOM and CRLF line ends are accepted.
class CsvInput {
 public:
  // Opens `path` ("-" is standard input) and reads its header. Fails with a
  // file-level Status (FILE_UNREADABLE, FILE_EMPTY, FILE_NOT_TEXT, LINE_TOO_LONG,
  // HEADER_MISSING_COLUMN, HEADER_DUPLICATE_COLUMN).
  static Result<std::unique_ptr<CsvInput>> open(const std::string& path,
                                                const TemplateColumns& columns,
                                                const ReadOptions& read = {});
  ~CsvInput();
  CsvInput(const CsvInput&) = delete;
  CsvInput& operator=(const CsvInput&) = delete;

  // The header cells as written (trimmed, unquoted), in file order.
  const std::vector<std::string>& header() const { return header_; }
  // The header cells byte for byte (spaces kept; quotes removed), for reports
  // that hand the file back to the operator.
  const std::vector<std::string>& verbatim_header() const { return verbatim_header_; }
  // The cell index of template column `name` in every row, or -1 when the
  // column is optional and absent.
  int index_of(std::string_view name) const;
  // COLUMN_UNKNOWN warnings for the header (line 1).
  const std::vector<RowError>& header_warnings() const { return header_warnings_; }

  // Fills `row` with the next non-blank data line and returns true; returns false
  // at end of file or when the file must be refused, which status() then says.
  // A line that cannot be split into the header's cells comes back with
  // row.malformed set. Never throws.
  bool next(RawRow& row);
  const Status& status() const { return status_; }

  // Bytes read from the file so far (the reader reads ahead), the bytes of the
  // lines handed out so far, and the file's size when known (0 otherwise).
  uint64_t bytes_read() const;
  uint64_t bytes_consumed() const { return consumed_; }
  uint64_t total_bytes() const { return total_bytes_; }
  // Lowercase hex SHA-256 of every byte read; complete once next() returned false.
  std::string sha256_hex() const;

 private:
  struct Impl;
  explicit CsvInput(std::unique_ptr<Impl> impl);
  Status read_header(const TemplateColumns& columns);
  // The header's line, past blank lines, or the file-level Status that refuses it.
  Status read_header_line(char*& line);
  // Drops the empty cells a spreadsheet pads a row with and marks a row whose
  // cells do not fit the header; false for a row of empty cells only.
  bool fit_to_header(RawRow& row);
  // Finds each template column in the header.
  Status match_columns(const TemplateColumns& columns);
  bool fail(Status status);

  std::unique_ptr<Impl> impl_;
  std::vector<std::string> header_;
  std::vector<std::string> verbatim_header_;
  std::vector<std::pair<std::string, int>> column_index_;  // template's name -> cell
  std::vector<RowError> header_warnings_;
  Status status_;
  uint64_t total_bytes_ = 0;
  uint64_t consumed_ = 0;
};

// Splits one CSV line into cells with RFC 4180 quoting, trimming spaces around
// each cell. Returns false (with `cells` holding what could be recovered, the
// unparsable remainder as the last cell) when a quote is not closed.
bool split_csv_line(std::string_view line, std::vector<std::string>& cells, char delimiter = ',');
// The same without trimming: an unquoted cell keeps its spaces, a quoted one
// the spaces inside its quotes.
bool split_csv_line_verbatim(std::string_view line, std::vector<std::string>& cells,
                             char delimiter = ',');

}  // namespace roster

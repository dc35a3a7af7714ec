#include "roster/csv_input.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <libfccp/csv.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "import/byte_source.h"
#include "roster/text.h"

namespace roster {
namespace {

bool is_blank(const char* line) {
  for (; *line; ++line) {
    if (*line != ' ') return false;
  }
  return true;
}

std::string describe_missing(const std::vector<std::string>& missing,
                             const std::vector<std::string>& header,
                             const std::vector<std::string>& all_columns) {
  std::string msg = fmt::format("the header lacks the column{} {}", missing.size() > 1 ? "s" : "",
                                "\"" + join(missing, "\", \"") + "\"");
  for (const std::string& name : header) {
    bool known = false;
    for (const std::string& c : all_columns) known = known || iequals(c, name);
    if (known) continue;
    if (auto hint = closest_match(name, missing)) {
      msg += fmt::format("; found \"{}\": did you mean \"{}\"?", name, *hint);
    }
  }
  msg += fmt::format("; a template header is: {}", join(all_columns, ","));
  return msg;
}

// Splits the NUL-terminated `line` in place (unquoting rewrites it). The cells'
// strings are assigned, not rebuilt, so that a row reused for every line of a
// file keeps their memory. With `trim`, spaces around each cell (inside its
// quotes too) are dropped; without, an unquoted cell keeps every byte and a
// quoted one its content, spaces included, only those outside the quotes going.
template <char Delimiter>
bool split_with(char* line, std::vector<std::string>& cells, bool trim) {
  using QuotePolicy = io::double_quote_escape<Delimiter, '"'>;
  size_t count = 0;
  auto put = [&](std::string_view cell) {
    if (count < cells.size()) {
      cells[count].assign(cell);
    } else {
      cells.emplace_back(cell);
    }
    ++count;
  };
  bool closed = true;
  char* rest = line;
  while (rest != nullptr) {
    char* start = rest;
    char *begin, *end;
    try {
      io::detail::chop_next_column<QuotePolicy>(rest, begin, end);
    } catch (const io::error::escaped_string_not_closed&) {
      put(trim ? trim_spaces(start) : std::string_view(start));
      closed = false;
      break;
    }
    std::string_view cell(begin, static_cast<size_t>(end - begin));
    std::string_view stripped = trim_spaces(cell);
    if (!trim && (stripped.empty() || stripped.front() != '"')) {
      put(cell);
      continue;
    }
    begin = const_cast<char*>(stripped.data());
    end = begin + stripped.size();
    QuotePolicy::unescape(begin, end);
    std::string_view content(begin, static_cast<size_t>(end - begin));
    put(trim ? trim_spaces(content) : content);
  }
  cells.resize(count);
  return closed;
}

bool split_in_place(char* line, std::vector<std::string>& cells, char delimiter, bool trim = true) {
  switch (delimiter) {
    case ';':
      return split_with<';'>(line, cells, trim);
    case '\t':
      return split_with<'\t'>(line, cells, trim);
    default:
      return split_with<','>(line, cells, trim);
  }
}

}  // namespace

bool split_csv_line(std::string_view line, std::vector<std::string>& cells, char delimiter) {
  std::string buf(line);
  return split_in_place(buf.data(), cells, delimiter);
}

bool split_csv_line_verbatim(std::string_view line, std::vector<std::string>& cells,
                             char delimiter) {
  std::string buf(line);
  return split_in_place(buf.data(), cells, delimiter, false);
}

bool is_known_encoding(std::string_view name) {
  return iequals(name, "utf-8") || iequals(name, "windows-1252") || iequals(name, "iso-8859-1");
}

std::optional<char> parse_delimiter(std::string_view name) {
  if (name == ",") return ',';
  if (name == ";") return ';';
  if (iequals(name, "tab") || name == "\t") return '\t';
  return std::nullopt;
}

struct CsvInput::Impl {
  std::unique_ptr<HashingSource> source;
  std::unique_ptr<io::LineReader> reader;
  std::string path;
  char delimiter = ',';
};

CsvInput::CsvInput(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvInput::~CsvInput() = default;

Result<std::unique_ptr<CsvInput>> CsvInput::open(const std::string& path,
                                                 const TemplateColumns& columns,
                                                 const ReadOptions& read) {
  int fd = 0;
  bool owned = false;
  uint64_t size = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Status::file(Code::kFileUnreadable,
                          fmt::format("cannot open \"{}\": {}", path, std::strerror(errno)));
    }
    owned = true;
    struct stat st;
    if (::fstat(fd, &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return Status::file(Code::kFileUnreadable,
                            fmt::format("\"{}\" is a directory, not a CSV file", path));
      }
      if (S_ISREG(st.st_mode)) size = static_cast<uint64_t>(st.st_size);
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path == "-" ? "(standard input)" : path;
  impl->source = std::make_unique<HashingSource>(fd, owned);
  impl->delimiter = read.delimiter;
  if (!iequals(read.encoding, "utf-8") && !impl->source->convert_from(read.encoding.c_str())) {
    return Status::usage(fmt::format("--encoding {} is not known here", read.encoding));
  }
  try {
    impl->reader =
        std::make_unique<io::LineReader>(impl->path, std::make_unique<SourceProxy>(*impl->source));
  } catch (const std::exception& e) {
    return Status::file(Code::kFileUnreadable,
                        fmt::format("cannot read \"{}\": {}", impl->path, e.what()));
  }
  std::unique_ptr<CsvInput> input(new CsvInput(std::move(impl)));
  input->total_bytes_ = size;
  Status st = input->read_header(columns);
  if (!st.is_ok()) return st;
  return input;
}

Status CsvInput::read_header(const TemplateColumns& columns) {
  char* line = nullptr;
  Status st = read_header_line(line);
  if (!st.is_ok()) return st;
  split_csv_line_verbatim(line, verbatim_header_, impl_->delimiter);
  split_csv_line(line, header_, impl_->delimiter);
  // A header of one cell holding another separator is a file saved with it
  // (a spreadsheet in a locale whose decimal mark is a comma).
  if (header_.size() == 1) {
    for (auto [c, name, option] :
         {std::tuple{';', "semicolons", "';'"}, std::tuple{'\t', "TABs", "tab"},
          std::tuple{',', "commas", "','"}}) {
      if (c != impl_->delimiter && header_[0].find(c) != std::string::npos) {
        return Status::file(
            Code::kHeaderMissingColumn,
            fmt::format("line 1: the header is one cell holding {}: the file is separated by "
                        "{}, not by {}; run with --delimiter {}",
                        name, name,
                        impl_->delimiter == ','   ? "commas"
                        : impl_->delimiter == ';' ? "semicolons"
                                                  : "TABs",
                        option));
      }
    }
  }
  return match_columns(columns);
}

Status CsvInput::read_header_line(char*& line) {
  HashingSource& src = *impl_->source;
  if (src.read_errno() != 0) {
    return Status::file(Code::kFileUnreadable, fmt::format("cannot read \"{}\": {}", impl_->path,
                                                           std::strerror(src.read_errno())));
  }
  try {
    do {
      line = impl_->reader->next_line();
    } while (line != nullptr && is_blank(line) && !src.saw_nul());
  } catch (const io::error::line_length_limit_exceeded&) {
    return Status::file(Code::kLineTooLong,
                        "line 1 is longer than 16 MiB; this is not a template file");
  }
  if (src.saw_nul()) {
    bool utf16 = line != nullptr && (static_cast<unsigned char>(line[0]) == 0xFF ||
                                     static_cast<unsigned char>(line[0]) == 0xFE);
    return Status::file(Code::kFileNotText,
                        fmt::format("line {} holds a NUL byte: this is not a UTF-8 text "
                                    "file{}; save it as \"CSV UTF-8\"",
                                    src.nul_line(), utf16 ? " (it looks like UTF-16)" : ""));
  }
  if (line == nullptr) {
    return Status::file(Code::kFileEmpty,
                        fmt::format("\"{}\" is empty; a template file starts with its "
                                    "header line",
                                    impl_->path));
  }
  if (std::strchr(line, '\r') != nullptr) {
    return Status::file(Code::kFileNotText,
                        "line 1 holds a carriage return inside the line: the file uses "
                        "lone CR line ends; save it with LF or CRLF line ends");
  }
  return Status::ok();
}

Status CsvInput::match_columns(const TemplateColumns& columns) {
  std::vector<std::string> all = columns.required;
  all.insert(all.end(), columns.optional.begin(), columns.optional.end());
  for (size_t i = 0; i < header_.size(); ++i) {
    const std::string& name = header_[i];
    const std::string* match = nullptr;
    for (const std::string& c : all) {
      if (iequals(c, name)) match = &c;
    }
    if (match == nullptr) {
      if (!name.empty()) {
        header_warnings_.push_back(
            {1, name, name, Code::kColumnUnknown,
             fmt::format("line 1: column \"{}\" is not part of the template and is "
                         "ignored",
                         name)});
      }
      continue;
    }
    if (index_of(*match) >= 0) {
      return Status::file(Code::kHeaderDuplicateColumn,
                          fmt::format("line 1: the column \"{}\" appears twice (cells {} "
                                      "and {}); keep one",
                                      *match, index_of(*match) + 1, i + 1));
    }
    column_index_.emplace_back(*match, static_cast<int>(i));
  }
  std::vector<std::string> missing;
  for (const std::string& c : columns.required) {
    if (index_of(c) < 0) missing.push_back(c);
  }
  if (!missing.empty()) {
    return Status::file(Code::kHeaderMissingColumn,
                        "line 1: " + describe_missing(missing, header_, all));
  }
  return Status::ok();
}

int CsvInput::index_of(std::string_view name) const {
  // Called for every cell of every row, nearly always with the template's own
  // spelling of the name: try that first, then ignore case. Allocates nothing.
  for (const auto& [n, i] : column_index_) {
    if (n == name) return i;
  }
  for (const auto& [n, i] : column_index_) {
    if (iequals(n, name)) return i;
  }
  return -1;
}

bool CsvInput::fail(Status status) {
  status_ = std::move(status);
  return false;
}

bool CsvInput::next(RawRow& row) {
  if (!status_.is_ok()) return false;
  HashingSource& src = *impl_->source;
  for (;;) {
    char* line = nullptr;
    try {
      line = impl_->reader->next_line();
    } catch (const io::error::line_length_limit_exceeded&) {
      return fail(
          Status::file(Code::kLineTooLong,
                       fmt::format("line {} is longer than 16 MiB; no template row is that long",
                                   impl_->reader->get_file_line())));
    }
    if (src.saw_nul()) {
      return fail(
          Status::file(Code::kFileNotText,
                       fmt::format("line {} holds a NUL byte: this is not a UTF-8 text file; save "
                                   "it as \"CSV UTF-8\"",
                                   src.nul_line())));
    }
    if (src.read_errno() != 0) {
      return fail(Status::file(
          Code::kFileUnreadable,
          fmt::format("reading \"{}\" failed: {}", impl_->path, std::strerror(src.read_errno()))));
    }
    if (line == nullptr) return false;
    consumed_ += std::strlen(line) + 1;
    if (is_blank(line)) continue;

    row.line = impl_->reader->get_file_line();
    row.malformed = false;
    row.malformed_reason.clear();
    // fccp's line buffer is ours to rewrite until the next line is read.
    if (!split_in_place(line, row.cells, impl_->delimiter)) {
      row.malformed = true;
      row.malformed_reason = fmt::format(
          "a quoted cell is not closed (cell {}); a quoted cell must end with \" on "
          "the same line, and a quote inside it is written \"\"",
          row.cells.size());
    } else if (!fit_to_header(row)) {
      continue;
    }
    return true;
  }
}

bool CsvInput::fit_to_header(RawRow& row) {
  // Spreadsheets pad rows (and headers) with empty trailing cells; they
  // carry nothing. Drop extra empty cells, and fill in cells that only
  // unnamed header columns would hold.
  while (row.cells.size() > header_.size() && row.cells.back().empty()) {
    row.cells.pop_back();
  }
  while (row.cells.size() < header_.size() && header_[row.cells.size()].empty() &&
         std::all_of(header_.begin() + static_cast<std::ptrdiff_t>(row.cells.size()), header_.end(),
                     [](const std::string& h) { return h.empty(); })) {
    row.cells.emplace_back();
  }
  bool all_empty = true;
  for (const std::string& c : row.cells) all_empty = all_empty && c.empty();
  if (all_empty) return false;
  if (row.cells.size() != header_.size()) {
    row.malformed = true;
    row.malformed_reason = fmt::format(
        "the line has {} cells but the header has {}; a cell holding a "
        "comma must be quoted",
        row.cells.size(), header_.size());
  }
  return true;
}

uint64_t CsvInput::bytes_read() const { return impl_->source->bytes(); }

std::string CsvInput::sha256_hex() const { return impl_->source->hex_digest(); }

}  // namespace roster

// libFuzzer target: arbitrary bytes through the reader and the pure validators
// of all four templates. Any crash, sanitizer report or exception is a bug.

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "roster/csv_input.h"
#include "roster/validate.h"

namespace {

// The input as a file that needs no disk: a memfd, opened by its /proc path.
std::string as_file(const uint8_t* data, size_t size) {
  static int fd = memfd_create("roster-fuzz", 0);
  ftruncate(fd, 0);
  pwrite(fd, data, size, 0);
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace roster;
  std::string path = as_file(data, size);
  const TemplateColumns* templates[] = {&user_columns(), &role_columns(), &source_columns(),
                                        &channel_columns()};
  // The first byte picks the template, so that every validator gets exercised.
  const TemplateColumns& columns = *templates[size > 0 ? data[0] % 4 : 0];
  auto input = CsvInput::open(path, columns);
  if (!input.is_ok()) return 0;
  RawRow raw;
  ValidateOptions options;
  options.default_timezone = "UTC";
  while ((*input)->next(raw)) {
    RowIssues issues;
    if (!check_well_formed(raw, issues)) continue;
    RowView row(raw, **input);
    if (&columns == &user_columns()) {
      UserRow u;
      parse_user_row(row, options, u, issues);
    } else if (&columns == &role_columns()) {
      RoleRow r;
      parse_role_row(row, r, issues);
    } else if (&columns == &source_columns()) {
      SourceRow s;
      parse_source_row(row, s, issues);
    } else {
      ChannelRow c;
      parse_channel_row(row, c, issues);
    }
    for (const RowError& e : issues.errors) (void)format_issue(e);
  }
  (void)(*input)->sha256_hex();
  return 0;
}

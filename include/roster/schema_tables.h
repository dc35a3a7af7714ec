#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace roster {

// The tables of the directory's schema, each with every column, parents before
// the rows that refer to them: the one list that `roster migrate`, both
// stores' copy code and the tests share. A migration that changes a table
// changes this list (schema_tables.cc checks the version it describes).
struct TableSpec {
  std::string name;
  std::vector<std::string> columns;
  std::string order_by;
  bool has_id = false;  // an `id` column that the database numbers
  // Rows the schema itself creates (the back office): a copy replaces the
  // target's with the source's, and they do not make a directory non-empty.
  bool seeded = false;

  // The position of `column` in `columns`; the column must be there.
  size_t column(std::string_view column) const;
};

const std::vector<TableSpec>& schema_tables();

}  // namespace roster

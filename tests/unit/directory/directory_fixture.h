#pragma once

// The fixture of the directory's tests (directory_test.cc, migration_test.cc):
// a SQLite file in a temporary folder, opened new or left at an older schema.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "roster/directory.h"
#include "test_util.h"

namespace roster::testing {

// The opcodes of the program SQLite compiles for `sql`, space-separated. On a
// writable connection: a read-only one leaves out the CHECK constraints.
inline std::string opcodes(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(h, ("EXPLAIN " + sql).c_str(), -1, &s, nullptr) == SQLITE_OK) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      out += reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
      out += ' ';
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return out;
}

class DirectoryTest : public ::testing::Test {
 protected:
  std::unique_ptr<Directory> open_new() {
    Directory::Options o;
    o.create = true;
    o.catalog = &catalog_;
    auto d = Directory::open(db_, o);
    EXPECT_TRUE(d.is_ok()) << (d.is_ok() ? "" : d.status().message());
    return std::move(*d);
  }
  // Leaves a file at schema `version` holding job 1 (alice's, committed) and
  // whatever `sql` then inserts: what an older roster left behind.
  void make_old_file(int version, const std::string& sql) {
    auto old = Directory::open_at_version(db_, version);
    ASSERT_TRUE(old.is_ok());
    testing::exec(db_,
                  "INSERT INTO jobs (kind, file, sha256, actor, mode, dry_run, "
                  "started_at, outcome) VALUES ('users', 'f.csv', '', 'alice', 'skip', "
                  "0, '2026-01-01T00:00:00Z', 'committed');" +
                      sql);
  }
  TempDir dir_;
  std::string db_ = dir_ / "roster.db";
  std::vector<Permission> catalog_ = permission_catalog();
};

}  // namespace roster::testing

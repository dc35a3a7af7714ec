#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "roster/directory.h"

namespace roster::testing {

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);
bool file_exists(const std::string& path);
std::string source_dir();                     // the repository root
std::string sample(const std::string& name);  // path of samples/<name>
// The Errors cell of the row of a rejected report (its text) whose Line cell
// is `line`, found through the report's header; "<no line N>" when none is.
std::string rejected_errors(const std::string& report, uint64_t line);

// Rows of `sql` run on the directory `db` (a SQLite file, or a postgresql://
// URI): cells joined by '|', rows by '\n'. Throws on a bad statement.
std::string query(const std::string& db, const std::string& sql);
// Runs `sql` (statements, no rows wanted) on `db`; throws when it fails.
void exec(const std::string& db, const std::string& sql);
// "ok" when the database's structures check out: SQLite's integrity_check, or
// on PostgreSQL amcheck's bt_index_check over every index of the directory.
std::string integrity(const std::string& db);

// --- The backend the end-to-end tests run on. ctest runs them twice: as they
// are, on SQLite files, and prefixed "pg:" with ROSTER_TEST_BACKEND=postgresql,
// on databases of the server that ROSTER_TEST_PG names (scripts/test.sh starts
// one; by hand: scripts/pg-server.sh start DIR).
bool on_postgres();
// The test server's URI for database `name`.
std::string pg_uri(const std::string& name);
// On PostgreSQL, waits (up to 30 s) until no other session is connected to
// `db`: a killed roster's server process ends a moment after the kill, and
// only then is its transaction rolled back and its job shown as interrupted.
// Does nothing on SQLite.
void wait_for_other_sessions_to_end(const std::string& db);

// Holds the directory's write lock from another connection, as a running
// import would, with a job row marked running by a live process (on SQLite
// this process, on PostgreSQL the lock's own server session).
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& db);
  ~WriteLockHolder();
  WriteLockHolder(const WriteLockHolder&) = delete;
  WriteLockHolder& operator=(const WriteLockHolder&) = delete;
  void release();

 private:
  void* sqlite_ = nullptr;
  void* pg_ = nullptr;
};

// Runs roster in-process (the library's run_cli) and returns its exit code,
// with what it printed.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CliResult cli(const std::vector<std::string>& args);

// A process run: exit code (or 128 + signal), standard output and error.
struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::map<std::string, std::string>& env = {},
                          const std::string& stdin_data = "");

// Creates the sample retailer's directory at `db`: init with admin "alice",
// then sources, sales channels, roles and the onboarding users, all as alice.
void make_sample_directory(const std::string& db, const std::string& report_dir);

// The users template's header line.
extern const std::string kUsersHeader;
// A users file of `n` Viewer rows named <prefix>.<i>, with all scopes.
std::string viewers(const std::string& prefix, int n, const std::string& action = "Create");

// Each test gets its own copy (db_) of the sample retailer's directory, built
// once per suite, and a fresh folder (tmp_).
class SampleDirectoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;
  // Rows of `sql` on db_ (see query()).
  std::string q(const std::string& sql) const { return query(db_, sql); }
  // db_ again as the suite's pristine copy (a fresh copy of the file without
  // its WAL files, or a fresh database cloned from the suite's template).
  void restore_sample() const;

  TempDir tmp_;
  // A SQLite file in tmp_, or on PostgreSQL a database of the test server.
  std::string db_ = tmp_ / "roster.db";

 private:
  static TempDir* master_;
  static std::string pg_master_;    // the suite's template database
  static std::string setup_error_;  // why the suite's sample could not be made
  std::string pg_name_;             // this test's database
};

// A SampleDirectoryTest that also holds db_ open in-process (dir_), with the
// permission catalog, for tests that call the library directly.
class OpenSampleDirectoryTest : public SampleDirectoryTest {
 protected:
  void SetUp() override;

  std::vector<Permission> catalog_;
  std::unique_ptr<Directory> dir_;
};

}  // namespace roster::testing

#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

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

// Rows of `sql` run on the SQLite file `db`: cells joined by '|', rows by '\n'.
std::string query(const std::string& db, const std::string& sql);

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
  // Rows of `sql` on db_ (see query()).
  std::string q(const std::string& sql) const { return query(db_, sql); }
  // db_ again as the suite's pristine copy (and its WAL files removed).
  void restore_sample() const;

  TempDir tmp_;
  std::string db_ = tmp_ / "roster.db";

 private:
  static TempDir* master_;
};

}  // namespace roster::testing

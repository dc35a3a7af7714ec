// The sample directory the tests share: made once per suite from samples/,
// then copied (SQLite) or cloned (PostgreSQL) for each test.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "roster/cli.h"
#include "test_util.h"

namespace roster::testing {

void make_sample_directory(const std::string& db, const std::string& report_dir) {
  auto must = [](const CliResult& r, const std::string& what) {
    if (r.exit_code != 0) {
      throw std::runtime_error("sample setup failed at " + what + ": " + r.out + r.err);
    }
  };
  must(cli({"--db", db, "-q", "init", "--admin", "alice", "--email", "alice@northwind-retail.com"}),
       "init");
  for (const auto& [cmd, file] :
       std::vector<std::pair<std::string, std::string>>{{"sources", "sources.csv"},
                                                        {"sales-channels", "sales-channels.csv"},
                                                        {"roles", "roles.csv"}}) {
    must(cli({"--db", db, "-q", cmd, "import", sample(file), "--as", "alice", "--report-dir",
              report_dir}),
         file);
  }
  must(cli({"--db", db, "-q", "import", sample("users-onboarding.csv"), "--as", "alice",
            "--report-dir", report_dir}),
       "users-onboarding.csv");
}

const std::string kUsersHeader =
    "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
    "Sources,Action\n";

std::string viewers(const std::string& prefix, int n, const std::string& action) {
  std::string out = kUsersHeader;
  const char* zones[] = {"UTC", "Europe/Paris", "America/Chicago", "Asia/Tokyo"};
  for (int i = 0; i < n; ++i) {
    std::string u = prefix + "." + std::to_string(i);
    out += u + "," + u + "@load.example,1,1,1," + zones[i % 4] + ",Viewer,," + action + "\n";
  }
  return out;
}

TempDir* SampleDirectoryTest::master_ = nullptr;
std::string SampleDirectoryTest::pg_master_;
std::string SampleDirectoryTest::setup_error_;

namespace {

// Names unique to this process: several test processes share one server.
std::string pg_database_name(const std::string& what) {
  static std::atomic<int> counter{0};
  return "rt_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" + what;
}

void pg_drop(const std::string& name) {
  exec(pg_uri("postgres"), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

}  // namespace

void SampleDirectoryTest::SetUpTestSuite() {
  master_ = new TempDir;
  setup_error_.clear();
  // An exception here would make GoogleTest skip the suite's tests, which
  // ctest counts as passed: keep the message, and SetUp fails every test.
  try {
    if (!on_postgres()) {
      make_sample_directory(*master_ / "sample.db", master_->path());
      return;
    }
    pg_master_ = pg_database_name("sample");
    exec(pg_uri("postgres"), "CREATE DATABASE " + pg_master_);
    make_sample_directory(pg_uri(pg_master_), master_->path());
    // Test-only helpers, after roster made the directory: amcheck for
    // integrity(), and SQLite's group_concat, so that one test query reads both.
    exec(pg_uri(pg_master_),
         "CREATE EXTENSION amcheck;"
         "CREATE FUNCTION roster_test_concat(acc text, v anyelement) RETURNS text "
         "LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN v IS NULL THEN acc "
         "WHEN acc IS NULL THEN v::text ELSE acc || ',' || v::text END $$;"
         "CREATE AGGREGATE group_concat(anyelement) (SFUNC = roster_test_concat, "
         "STYPE = text);");
  } catch (const std::exception& e) {
    setup_error_ = e.what();
  }
}

void SampleDirectoryTest::TearDownTestSuite() {
  if (!pg_master_.empty()) pg_drop(pg_master_);
  pg_master_.clear();
  delete master_;
  master_ = nullptr;
}

void SampleDirectoryTest::SetUp() {
  ASSERT_TRUE(setup_error_.empty()) << "the suite's sample directory: " << setup_error_;
  if (on_postgres()) {
    pg_name_ = pg_database_name("test");
    db_ = pg_uri(pg_name_);
  }
  restore_sample();
}

void SampleDirectoryTest::TearDown() {
  if (!pg_name_.empty()) pg_drop(pg_name_);
}

void SampleDirectoryTest::restore_sample() const {
  if (!pg_name_.empty()) {
    pg_drop(pg_name_);
    exec(pg_uri("postgres"), "CREATE DATABASE " + pg_name_ + " TEMPLATE " + pg_master_);
    return;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_ + suffix);
  std::filesystem::copy_file(*master_ / "sample.db", db_);
}

void OpenSampleDirectoryTest::SetUp() {
  SampleDirectoryTest::SetUp();
  if (HasFatalFailure()) return;
  catalog_ = permission_catalog();
  Directory::Options o;
  o.catalog = &catalog_;
  auto d = Directory::open(db_, o);
  ASSERT_TRUE(d.is_ok()) << d.status().message();
  dir_ = std::move(*d);
}

}  // namespace roster::testing

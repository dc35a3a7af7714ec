#include "test_util.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "roster/cli.h"
#include "roster/csv_input.h"

namespace roster::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "roster-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<missing " + path + ">";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool file_exists(const std::string& path) { return std::filesystem::exists(path); }

std::string rejected_errors(const std::string& report, uint64_t line) {
  std::istringstream in(report);
  std::string text;
  std::vector<std::string> header, cells;
  std::getline(in, text);
  split_csv_line(text, header);
  auto column = [&](const char* name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  size_t line_at = column("Line"), errors_at = column("Errors");
  while (std::getline(in, text)) {
    split_csv_line(text, cells);
    if (line_at < cells.size() && errors_at < cells.size() &&
        cells[line_at] == std::to_string(line)) {
      return cells[errors_at];
    }
  }
  return "<no line " + std::to_string(line) + ">";
}

std::string source_dir() { return ROSTER_SOURCE_DIR; }

std::string sample(const std::string& name) { return source_dir() + "/samples/" + name; }

namespace {

bool is_pg(const std::string& db) { return db.rfind("postgresql://", 0) == 0; }

void ignore_notice(void*, const char*) {}

PGconn* pg_connect(const std::string& uri) {
  PGconn* c = PQconnectdb(uri.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string m = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to " + uri + ": " + m);
  }
  PQsetNoticeProcessor(c, ignore_notice, nullptr);
  return c;
}

// Runs `sql` on an open connection; rows formatted as query() promises.
std::string pg_run(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::string m = PQresultErrorMessage(r);
    PQclear(r);
    throw std::runtime_error("bad test SQL: " + m + " in: " + sql);
  }
  std::string out;
  for (int row = 0; row < PQntuples(r); ++row) {
    if (row > 0) out += '\n';
    for (int col = 0; col < PQnfields(r); ++col) {
      if (col > 0) out += '|';
      out += PQgetvalue(r, row, col);
    }
  }
  PQclear(r);
  return out;
}

std::string pg_query(const std::string& uri, const std::string& sql) {
  PGconn* c = pg_connect(uri);
  try {
    std::string out = pg_run(c, sql);
    PQfinish(c);
    return out;
  } catch (...) {
    PQfinish(c);
    throw;
  }
}

}  // namespace

std::string query(const std::string& db, const std::string& sql) {
  if (is_pg(db)) return pg_query(db, sql);
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    throw std::runtime_error("cannot open " + db);
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(h);
    sqlite3_close(h);
    throw std::runtime_error("bad test SQL: " + msg);
  }
  std::string out;
  bool first_row = true;
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (!first_row) out += '\n';
    first_row = false;
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      if (i > 0) out += '|';
      const unsigned char* t = sqlite3_column_text(s, i);
      out += t ? reinterpret_cast<const char*>(t) : "";
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return out;
}

void exec(const std::string& db, const std::string& sql) {
  if (is_pg(db)) {
    pg_query(db, sql);
    return;
  }
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK ||
      sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(h);
    sqlite3_close(h);
    throw std::runtime_error("bad test SQL: " + msg);
  }
  sqlite3_close(h);
}

std::string integrity(const std::string& db) {
  if (!is_pg(db)) return query(db, "PRAGMA integrity_check");
  // bt_index_check raises an error on a damaged index, which query() throws.
  exec(db, "CREATE EXTENSION IF NOT EXISTS amcheck");
  query(db,
        "SELECT count(bt_index_check(c.oid)) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
        "WHERE am.amname = 'btree' AND c.relnamespace = 'public'::regnamespace");
  return "ok";
}

bool on_postgres() {
  const char* backend = std::getenv("ROSTER_TEST_BACKEND");
  return backend != nullptr && std::string(backend) == "postgresql";
}

std::string pg_uri(const std::string& name) {
  const char* base = std::getenv("ROSTER_TEST_PG");
  if (base == nullptr || *base == '\0') {
    throw std::runtime_error(
        "ROSTER_TEST_BACKEND=postgresql needs ROSTER_TEST_PG, the URI of a test server's "
        "postgres database (scripts/test.sh starts one; by hand: scripts/pg-server.sh start DIR)");
  }
  std::string uri = base;
  size_t params = uri.find('?');
  size_t slash = uri.rfind('/', params == std::string::npos ? std::string::npos : params);
  return uri.substr(0, slash + 1) + name + (params == std::string::npos ? "" : uri.substr(params));
}

void wait_for_other_sessions_to_end(const std::string& db) {
  if (!is_pg(db)) return;
  for (int i = 0; i < 3000; ++i) {
    if (query(db,
              "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
              "AND pid <> pg_backend_pid()") == "0") {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

WriteLockHolder::WriteLockHolder(const std::string& db) {
  const std::string job =
      "INSERT INTO jobs (kind, file, sha256, actor, mode, dry_run, started_at, outcome, pid) "
      "VALUES ('users', 'nightly-hr.csv', '', 'hq.it', 'skip', 0, '2026-11-24T03:00:00Z', "
      "'running', ";
  if (is_pg(db)) {
    auto* c = pg_connect(db);
    pg_ = c;
    // The job is committed first (others must see it), then the lock is taken
    // for a transaction left open: the key is the PostgreSQL store's
    // kWriterLock, 0x726f73746572 ("roster").
    pg_run(c, job + "pg_backend_pid())");
    pg_run(c, "BEGIN; SELECT pg_advisory_xact_lock(125823003944306)");
    return;
  }
  sqlite3* h = nullptr;
  int rc = sqlite3_open(db.c_str(), &h);
  sqlite_ = h;  // closed by release() even when opening failed
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + db);
  std::string sql = job + std::to_string(::getpid()) + "); BEGIN IMMEDIATE;";
  if (sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("cannot take the lock: ") + sqlite3_errmsg(h));
  }
}

void WriteLockHolder::release() {
  if (sqlite_ != nullptr) {
    auto* h = static_cast<sqlite3*>(sqlite_);
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    sqlite_ = nullptr;
  }
  if (pg_ != nullptr) {
    PQfinish(static_cast<PGconn*>(pg_));
    pg_ = nullptr;
  }
}

WriteLockHolder::~WriteLockHolder() { release(); }

CliResult cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliResult r;
  r.exit_code = run_cli(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

namespace {

std::string drain(int fd) {
  std::string data;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return data;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::map<std::string, std::string>& env,
                          const std::string& stdin_data) {
  // Output goes to temporary files, so that a large output can never dead-lock
  // the pipe while we write standard input.
  char out_tmpl[] = "/tmp/roster-out-XXXXXX";
  char err_tmpl[] = "/tmp/roster-err-XXXXXX";
  char in_tmpl[] = "/tmp/roster-in-XXXXXX";
  int out_fd = ::mkstemp(out_tmpl), err_fd = ::mkstemp(err_tmpl), in_fd = ::mkstemp(in_tmpl);
  write_file(in_tmpl, stdin_data);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::lseek(in_fd, 0, SEEK_SET);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::lseek(out_fd, 0, SEEK_SET);
  ::lseek(err_fd, 0, SEEK_SET);
  r.out = drain(out_fd);
  r.err = drain(err_fd);
  ::close(in_fd);
  ::unlink(out_tmpl);
  ::unlink(err_tmpl);
  ::unlink(in_tmpl);
  return r;
}

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
  pg_query(pg_uri("postgres"), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
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
    pg_query(pg_uri("postgres"), "CREATE DATABASE " + pg_master_);
    make_sample_directory(pg_uri(pg_master_), master_->path());
    // Test-only helpers, after roster made the directory: amcheck for
    // integrity(), and SQLite's group_concat, so that one test query reads both.
    pg_query(pg_uri(pg_master_),
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
    pg_query(pg_uri("postgres"), "CREATE DATABASE " + pg_name_ + " TEMPLATE " + pg_master_);
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

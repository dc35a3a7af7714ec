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

}  // namespace roster::testing

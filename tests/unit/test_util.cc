#include "test_util.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "roster/cli.h"

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

std::string source_dir() { return ROSTER_SOURCE_DIR; }

std::string sample(const std::string& name) { return source_dir() + "/samples/" + name; }

std::string query(const std::string& db, const std::string& sql) {
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

void SampleDirectoryTest::SetUpTestSuite() {
  master_ = new TempDir;
  make_sample_directory(*master_ / "sample.db", master_->path());
}

void SampleDirectoryTest::TearDownTestSuite() {
  delete master_;
  master_ = nullptr;
}

void SampleDirectoryTest::SetUp() { restore_sample(); }

void SampleDirectoryTest::restore_sample() const {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_ + suffix);
  std::filesystem::copy_file(*master_ / "sample.db", db_);
}

}  // namespace roster::testing

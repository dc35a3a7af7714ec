// libFuzzer target: arbitrary bytes as a users file, imported (dry run) by a
// Retail Director into the sample retailer's directory, through the whole
// pipeline: reader, validation, access rules, SQLite, reports. The directory
// lives in a temporary folder and is never changed (a dry run rolls back).

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "roster/cli.h"
#include "roster/import_job.h"

namespace {

struct Fixture {
  std::string dir;
  std::unique_ptr<roster::Directory> directory;
  std::vector<roster::Permission> catalog = roster::permission_catalog();

  Fixture() {
    // On tmpfs when there is one: the reports' and SQLite's fsyncs cost nothing
    // there, and they are not what this target is about.
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/roster-fuzz-XXXXXX";
    dir = mkdtemp(tmpl.data());
    std::string db = dir + "/fuzz.db";
    std::string samples = ROSTER_SOURCE_DIR "/samples/";
    std::ostringstream out, err;
    auto run = [&](std::vector<std::string> args) {
      args.insert(args.begin(), {"--db", db, "-q"});
      if (roster::run_cli(args, out, err) != 0) {
        fprintf(stderr, "fuzz setup failed: %s\n", err.str().c_str());
        std::abort();
      }
    };
    run({"init", "--admin", "alice", "--email", "alice@northwind-retail.com"});
    for (const char* kind : {"sources", "sales-channels", "roles"}) {
      run({kind, "import", samples + kind + ".csv", "--as", "alice", "--report-dir", dir});
    }
    run({"import", samples + "users-onboarding.csv", "--as", "alice", "--report-dir", dir});
    roster::Directory::Options o;
    o.catalog = &catalog;
    directory = std::move(*roster::Directory::open(db, o));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  static int fd = memfd_create("roster-fuzz", 0);
  ftruncate(fd, 0);
  pwrite(fd, data, size, 0);
  roster::ImportOptions options;
  options.file = "/proc/self/fd/" + std::to_string(fd);
  options.actor = "d.chen";
  options.dry_run = true;
  options.quiet = true;
  options.report_dir = fixture.dir;
  std::ostringstream out;
  roster::ExitCode code = roster::run_import(*fixture.directory, options, out);
  // A dry run never commits: the directory must still hold exactly the sample.
  if (code == roster::ExitCode::kDatabase) {
    fprintf(stderr, "database failure on fuzz input: %s\n", out.str().c_str());
    std::abort();
  }
  return 0;
}

#include "roster/inbox.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <ostream>
#include <thread>

#include "roster/text.h"

namespace roster {
namespace {

namespace fs = std::filesystem;

// Holds the inbox's lock file for the life of the run.
class InboxLock {
 public:
  explicit InboxLock(const fs::path& inbox)
      : fd_(::open((inbox / ".roster-inbox.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {}
  ~InboxLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool acquire(int timeout_seconds) {
    if (fd_ < 0) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
  }

 private:
  int fd_;
};

// The files ready to import, in name order.
std::vector<fs::path> ready_files(const fs::path& inbox, int min_age_seconds) {
  std::vector<fs::path> out;
  auto now = fs::file_time_type::clock::now();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(inbox, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || entry.path().extension() != ".csv") continue;
    if (!entry.is_regular_file(ec)) continue;
    auto age = now - entry.last_write_time(ec);
    if (ec || age < std::chrono::seconds(min_age_seconds)) continue;  // still being written?
    out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A name no earlier file used: <UTC time>-<name>, with a counter if needed.
fs::path claim_name(const fs::path& folder, const fs::path& file) {
  std::string stamp = now_utc_iso8601();
  stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
  stamp.erase(std::remove(stamp.begin(), stamp.end(), '-'), stamp.end());
  fs::path candidate = folder / (stamp + "-" + file.filename().string());
  for (int n = 2; fs::exists(candidate); ++n) {
    candidate = folder / fmt::format("{}-{}-{}", stamp, n, file.filename().string());
  }
  return candidate;
}

// Moves one file, copying it when `to` is on another file system.
bool move_file(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (!ec) return true;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    spdlog::error("inbox: cannot move \"{}\" to \"{}\": {}", from.string(), to.string(),
                  ec.message());
    return false;
  }
  fs::remove(from, ec);
  return true;
}

// Moves `file` and the reports written beside it (<stem>.*) into `folder`.
void move_with_reports(const fs::path& file, const fs::path& folder) {
  std::string stem = file.stem().string();
  std::vector<fs::path> moving;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(file.parent_path(), ec)) {
    std::string name = entry.path().filename().string();
    if (name == file.filename().string() || name.rfind(stem + ".", 0) == 0) {
      moving.push_back(entry.path());
    }
  }
  for (const fs::path& path : moving) move_file(path, folder / path.filename());
}

// Nothing was wrong with the file: it goes back where it was for the next run,
// and what its run wrote beside it goes away.
void put_back(const fs::path& claimed, const fs::path& file, const fs::path& processing) {
  std::error_code ec;
  fs::rename(claimed, file, ec);
  for (const auto& entry : fs::directory_iterator(processing, ec)) {
    if (entry.path().filename().string().rfind(claimed.stem().string() + ".", 0) == 0) {
      fs::remove(entry.path(), ec);
    }
  }
}

}  // namespace

ExitCode run_inbox(Directory& dir, const InboxOptions& options, std::ostream& out) {
  fs::path inbox = options.inbox;
  fs::path archive = options.archive.empty() ? inbox / "archive" : fs::path(options.archive);
  fs::path failed = options.failed.empty() ? inbox / "failed" : fs::path(options.failed);
  fs::path processing = inbox / ".processing";
  // What stops the inbox goes where an import's reasons go (standard error).
  std::ostream& err = options.import.errors ? *options.import.errors : out;
  std::error_code ec;
  if (!fs::is_directory(inbox, ec)) {
    err << fmt::format("roster: the inbox \"{}\" is not a folder\n", inbox.string());
    return ExitCode::kUsage;
  }
  for (const fs::path& folder : {archive, failed, processing}) {
    fs::create_directories(folder, ec);
    if (ec) {
      err << fmt::format("roster: cannot create \"{}\": {}\n", folder.string(), ec.message());
      return ExitCode::kDatabase;
    }
  }
  InboxLock lock(inbox);
  if (!lock.acquire(options.lock_timeout_seconds)) {
    err << fmt::format(
        "roster: another roster run is processing the inbox \"{}\"; gave up "
        "after {} s (--lock-timeout)\n",
        inbox.string(), options.lock_timeout_seconds);
    return ExitCode::kDatabase;
  }

  ExitCode worst = ExitCode::kOk;
  std::vector<fs::path> files = ready_files(inbox, options.min_age_seconds);
  if (files.empty() && !options.import.quiet) {
    out << fmt::format("inbox {}: nothing to import\n", inbox.string());
  }
  for (const fs::path& file : files) {
    fs::path claimed = claim_name(processing, file);
    fs::rename(file, claimed, ec);
    if (ec) continue;  // gone since the listing: another process took it
    ImportOptions o = options.import;
    o.file = claimed.string();
    o.report_dir = processing.string();
    ExitCode code = run_import(dir, o, out);
    worst = std::max(worst, code);
    if (code == ExitCode::kActor || code == ExitCode::kDatabase) {
      put_back(claimed, file, processing);
      err << fmt::format(
          "roster: inbox: stopped at {} (exit {}); it stays in the inbox for "
          "the next run\n",
          file.string(), static_cast<int>(code));
      break;
    }
    bool refused = code == ExitCode::kFileRefused || code == ExitCode::kGuard;
    move_with_reports(claimed, refused ? failed : archive);
    spdlog::info("inbox: {} -> {}", file.string(), (refused ? failed : archive).string());
  }
  return worst;
}

}  // namespace roster

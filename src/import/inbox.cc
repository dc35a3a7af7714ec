#include "roster/inbox.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <thread>

#include "import/import_kinds.h"
#include "roster/text.h"
#include "util/logging.h"

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

// What the inbox holds: the files ready to import, in name order, and those
// left for a later run, each with why. Hidden files (the lock, .processing)
// and folders (the archive) are no one's business.
struct Listing {
  std::vector<fs::path> ready;
  std::vector<std::string> left;  // "name: why"
};

Listing list_inbox(const fs::path& inbox, int min_age_seconds) {
  Listing out;
  auto now = fs::file_time_type::clock::now();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(inbox, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || !entry.is_regular_file(ec)) continue;
    std::string ext = to_lower_ascii(entry.path().extension().string());
    if (ext != ".csv") {
      out.left.push_back(name + (ext == ".part" ? ": still being written (.part)"
                                                : ": not a .csv file, left alone"));
      continue;
    }
    auto age = std::chrono::duration_cast<std::chrono::seconds>(now - entry.last_write_time(ec));
    if (!ec && age < std::chrono::seconds(min_age_seconds)) {  // still being written?
      out.left.push_back(fmt::format("{}: modified {} s ago, younger than --min-age {}", name,
                                     std::max<int64_t>(age.count(), 0), min_age_seconds));
      continue;
    }
    out.ready.push_back(entry.path());
  }
  std::sort(out.ready.begin(), out.ready.end());
  std::sort(out.left.begin(), out.left.end());
  return out;
}

// The template a file's header names: the importable one whose every required
// column (Action aside, which --upsert may leave out) the header holds, the
// largest when several do (a sources header also holds a sales channel's
// columns); users when none does, whose checks then say what is missing.
ImportKind kind_of(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> header;
  for (std::string cell : split_list(line)) {
    cell.erase(std::remove(cell.begin(), cell.end(), '"'), cell.end());
    header.push_back(to_lower_ascii(trim_spaces(cell)));
  }
  ImportKind best = ImportKind::kUsers;
  size_t best_size = 0;
  for (const TemplateKind& t : template_kinds()) {
    if (!t.import) continue;
    size_t size = 0;
    bool all = true;
    for (const std::string& column : columns_of(*t.import).required) {
      if (iequals(column, "Action")) continue;
      all = all && std::find(header.begin(), header.end(), to_lower_ascii(column)) != header.end();
      ++size;
    }
    if (all && size > best_size) {
      best = *t.import;
      best_size = size;
    }
  }
  return best;
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

// The inbox must be a folder; its other folders are made when missing. The
// exit code that stops the run, with its reason on `err`, or nullopt.
std::optional<ExitCode> make_folders(const fs::path& inbox, std::initializer_list<fs::path> folders,
                                     std::ostream& err) {
  std::error_code ec;
  if (!fs::is_directory(inbox, ec)) {
    err << fmt::format("roster: the inbox \"{}\" is not a folder\n", inbox.string());
    return ExitCode::kUsage;
  }
  for (const fs::path& folder : folders) {
    fs::create_directories(folder, ec);
    if (ec) {
      err << fmt::format("roster: cannot create \"{}\": {}\n", folder.string(), ec.message());
      return ExitCode::kDatabase;
    }
  }
  return std::nullopt;
}

// Names each file left for a later run, with why: in the log at info, and on
// the terminal unless quiet.
void tell_left(const Listing& listing, const fs::path& inbox, bool quiet, std::ostream& out) {
  for (const std::string& left : listing.left) {
    log_event(spdlog::level::info, fmt::format("inbox: left {}", left),
              {{"inbox", inbox.string()}, {"left", left}});
    if (!quiet) out << fmt::format("inbox {}: left {}\n", inbox.string(), left);
  }
  if (listing.ready.empty() && !quiet) {
    out << fmt::format("inbox {}: nothing to import\n", inbox.string());
  }
}

// The import of one file, claimed into .processing as `claimed`: as what its
// header says it is, its reports beside it, the paths it ends up at told.
ImportOptions file_options(const ImportOptions& base, const fs::path& claimed,
                           const fs::path& file) {
  ImportOptions o = base;
  o.kind = kind_of(claimed);
  if (o.kind != ImportKind::kUsers) {  // a feed is a users file's
    o.feed.clear();
    o.sync = false;
  }
  o.file = claimed.string();
  o.report_dir = claimed.parent_path().string();
  o.inbox_file = file.string();
  return o;
}

}  // namespace

ExitCode run_inbox(Directory& dir, const InboxOptions& options, std::ostream& out) {
  fs::path inbox = options.inbox;
  fs::path archive = options.archive.empty() ? inbox / "archive" : fs::path(options.archive);
  fs::path failed = options.failed.empty() ? inbox / "failed" : fs::path(options.failed);
  fs::path processing = inbox / ".processing";
  // What stops the inbox goes where an import's reasons go (standard error).
  std::ostream& err = options.import.errors ? *options.import.errors : out;
  if (auto refused = make_folders(inbox, {archive, failed, processing}, err)) return *refused;
  InboxLock lock(inbox);
  if (!lock.acquire(options.lock_timeout_seconds)) {
    err << fmt::format(
        "roster: another roster run is processing the inbox \"{}\"; gave up "
        "after {} s (--lock-timeout)\n",
        inbox.string(), options.lock_timeout_seconds);
    return ExitCode::kDatabase;
  }

  ExitCode worst = ExitCode::kOk;
  Listing listing = list_inbox(inbox, options.min_age_seconds);
  tell_left(listing, inbox, options.import.quiet, out);
  // Where a file ends up, by its run's exit code: back in the inbox (nullopt)
  // when the actor or the database failed, else archived or failed.
  auto destination = [&](ExitCode code) -> std::optional<std::string> {
    if (code == ExitCode::kActor || code == ExitCode::kDatabase) return std::nullopt;
    bool refused = code == ExitCode::kFileRefused || code == ExitCode::kGuard;
    return (refused ? failed : archive).string();
  };
  int imported = 0;
  for (const fs::path& file : listing.ready) {
    fs::path claimed = claim_name(processing, file);
    std::error_code ec;
    fs::rename(file, claimed, ec);
    if (ec) continue;  // gone since the listing: another process took it
    ImportOptions o = file_options(options.import, claimed, file);
    o.final_folder = destination;
    ExitCode code = run_import(dir, o, out);
    worst = std::max(worst, code);
    if (!destination(code)) {
      put_back(claimed, file, processing);
      err << fmt::format(
          "roster: inbox: stopped at {} (exit {}); it stays in the inbox for "
          "the next run\n",
          file.string(), static_cast<int>(code));
      break;
    }
    move_with_reports(claimed, *destination(code));
    log_event(spdlog::level::info,
              fmt::format("inbox: {} -> {}", file.string(), *destination(code)),
              {{"file", file.string()},
               {"moved_to", *destination(code)},
               {"exit_code", int64_t{static_cast<int>(code)}}});
    ++imported;
  }
  if (!options.import.quiet && !listing.ready.empty()) {
    out << fmt::format(
        "inbox {}: {} of {} file{} run{}\n", inbox.string(), imported, listing.ready.size(),
        listing.ready.size() == 1 ? "" : "s",
        listing.left.empty() ? "" : fmt::format(", {} left for a later run", listing.left.size()));
  }
  return worst;
}

}  // namespace roster

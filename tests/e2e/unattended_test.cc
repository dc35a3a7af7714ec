// Running from cron (SPEC §15): -q silences everything but the reason for a
// non-zero exit, which always reaches standard error, so that cron mails it.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e_util.h"

namespace roster {
namespace {

using testing::viewers;
using testing::write_file;

class UnattendedTest : public testing::BinaryTest {
 protected:
  testing::ProcessResult quiet_import(const std::string& file, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"-q", "import", file, "--as", "alice"};
    args.insert(args.end(), more.begin(), more.end());
    return roster(args);
  }
};

TEST_F(UnattendedTest, QuietRunsSayWhyOnStandardErrorForEveryFailingExitAndNothingElse) {
  write_file(tmp_ / "ok.csv", viewers("quiet", 12));
  auto ok = quiet_import("ok.csv");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out, "");
  EXPECT_EQ(ok.err, "");  // nothing to mail

  // 1: rejected rows, naming how many and where they are.
  write_file(tmp_ / "bad.csv",
             viewers("quiet.more", 2) + "quiet.bad,quiet.bad@x.example,1,1,1,UTC,Nope,,Create\n");
  auto bad = quiet_import("bad.csv");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.out, "");
  EXPECT_NE(bad.err.find("bad.csv: 1 row rejected; 2 applied; rejected rows: "), std::string::npos)
      << bad.err;
  // ...and when the run applied nothing (the same file again: its two new
  // users now exist).
  auto aborted = quiet_import("bad.csv", {"--on-error", "abort", "--force"});
  EXPECT_EQ(aborted.exit_code, 1);
  EXPECT_NE(aborted.err.find("3 rows rejected; --on-error abort"), std::string::npos)
      << aborted.err;

  // 3: the file refused, with its code.
  write_file(tmp_ / "empty.csv", "");
  auto empty = quiet_import("empty.csv");
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_NE(empty.err.find("FILE_EMPTY"), std::string::npos) << empty.err;

  // 4: the actor.
  auto nobody = roster({"-q", "import", "ok.csv", "--as", "nobody.here"});
  EXPECT_EQ(nobody.exit_code, 4);
  EXPECT_NE(nobody.err.find("\"nobody.here\" is not a user"), std::string::npos) << nobody.err;

  // 5: the lock, naming the job that holds it.
  {
    testing::WriteLockHolder lock(db_);
    auto locked = quiet_import("ok.csv", {"--lock-timeout", "0", "--force"});
    EXPECT_EQ(locked.exit_code, 5);
    EXPECT_NE(locked.err.find("nightly-hr.csv"), std::string::npos) << locked.err;
  }

  // 6: the guard, with the count.
  std::string leavers = viewers("x", 0);
  for (int i = 0; i < 12; ++i) {
    std::string u = "quiet." + std::to_string(i);
    leavers += u + "," + u + "@load.example,0,1,1,UTC,Viewer,,Update\n";
  }
  write_file(tmp_ / "leavers.csv", leavers);
  auto guard = quiet_import("leavers.csv", {"--max-disable", "1"});
  EXPECT_EQ(guard.exit_code, 6);
  EXPECT_EQ(guard.out, "");
  EXPECT_NE(guard.err.find("would disable 12 of the"), std::string::npos) << guard.err;
}

TEST_F(UnattendedTest, AQuietInboxStoppedByTheLockSaysWhyAndWhere) {
  std::string inbox = tmp_ / "inbox";
  ASSERT_EQ(::mkdir(inbox.c_str(), 0755), 0);
  write_file(inbox + "/hr.csv", viewers("inb", 2));
  testing::WriteLockHolder lock(db_);
  auto r = roster(
      {"-q", "import", "--inbox", inbox, "--as", "alice", "--min-age", "0", "--lock-timeout", "0"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("nightly-hr.csv"), std::string::npos) << r.err;                   // why
  EXPECT_NE(r.err.find("stopped at " + inbox + "/hr.csv"), std::string::npos) << r.err;  // where
}

// HR feeds made to fit needlessly (issue 31, item 8): --default-timezone stands
// in for a missing Timezone column, and --upsert for a blank or missing Action.
TEST_F(UnattendedTest, AnHrFeedNeedsNoTimezoneColumnWithADefaultNorActionsWithUpsert) {
  write_file(tmp_ / "hr.csv",
             "Username,E-mail,Enabled,Access all sales channels,Access all sources,Role,Sources\n"
             "hr.1,hr.1@load.example,1,1,1,Viewer,\n"
             "hr.2,hr.2@load.example,1,1,1,Viewer,\n");
  auto refused = roster({"import", "hr.csv", "--as", "alice", "--upsert"});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_NE((refused.out + refused.err).find("Timezone"), std::string::npos);
  auto r = roster(
      {"import", "hr.csv", "--as", "alice", "--upsert", "--default-timezone", "Europe/Paris"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(q("SELECT username || ':' || timezone FROM users WHERE username LIKE 'hr.%' ORDER BY "
              "username"),
            "hr.1:Europe/Paris\nhr.2:Europe/Paris");

  // A blank Action: an error without --upsert, what exists decides with it.
  std::string header = viewers("x", 0);
  write_file(tmp_ / "blank.csv", header + "hr.1,hr.1@load.example,0,1,1,UTC,Viewer,,\n" +
                                     "hr.3,hr.3@load.example,1,1,1,UTC,Viewer,,\n");
  auto strict = roster({"import", "blank.csv", "--as", "alice"});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.out.find("ACTION_INVALID"), std::string::npos) << strict.out;
  auto upsert = roster({"import", "blank.csv", "--as", "alice", "--upsert", "--force"});
  EXPECT_EQ(upsert.exit_code, 0) << upsert.out << upsert.err;
  EXPECT_EQ(q("SELECT username || ':' || enabled FROM users WHERE username IN ('hr.1', 'hr.3') "
              "ORDER BY username"),
            "hr.1:0\nhr.3:1");

  // Reference data too: a sources file without an Action column.
  write_file(tmp_ / "sources.csv", "External ID,Name,Type,Enabled\nHR-1,HR shop,store,1\n");
  EXPECT_EQ(roster({"sources", "import", "sources.csv", "--as", "alice"}).exit_code, 3);
  auto sources = roster({"sources", "import", "sources.csv", "--as", "alice", "--upsert"});
  EXPECT_EQ(sources.exit_code, 0) << sources.out << sources.err;
  EXPECT_EQ(q("SELECT name FROM sources WHERE external_id = 'HR-1'"), "HR shop");
}

// Issue 31, item 11: a file that is not there records no job and writes no
// report; its one line still names the code and the path.
TEST_F(UnattendedTest, AMissingFileRecordsNoJobAndWritesNoReport) {
  std::string jobs = q("SELECT count(*) FROM jobs");
  auto r = roster({"-q", "import", "nowhere.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("FILE_UNREADABLE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nowhere.csv"), std::string::npos) << r.err;
  EXPECT_EQ(q("SELECT count(*) FROM jobs"), jobs);
  EXPECT_FALSE(testing::file_exists(tmp_ / "nowhere.summary.json"));
  // A file that is there but refused is still a job, with its summary.
  write_file(tmp_ / "empty.csv", "");
  EXPECT_EQ(roster({"-q", "import", "empty.csv", "--as", "alice"}).exit_code, 3);
  EXPECT_EQ(q("SELECT count(*) FROM jobs WHERE file = 'empty.csv' AND outcome = 'refused'"), "1");
  EXPECT_TRUE(testing::file_exists(tmp_ / "empty.summary.json"));
}

// Issue 31, item 5: access taken away or given back shows on the terminal and
// in `roster jobs`, not only in summary.json.
TEST_F(UnattendedTest, DisablingAndEnablingShowOnTheTerminalAndInTheJobs) {
  write_file(tmp_ / "two.csv", viewers("show", 2));
  ASSERT_EQ(roster({"import", "two.csv", "--as", "alice"}).exit_code, 0);
  write_file(tmp_ / "off.csv",
             testing::kUsersHeader + "show.0,show.0@load.example,0,1,1,UTC,Viewer,,Update\n");
  auto off = roster({"import", "off.csv", "--as", "alice"});
  EXPECT_EQ(off.exit_code, 0) << off.out << off.err;
  EXPECT_NE(off.out.find("0 rejected; 0 enabled, 1 disabled; committed"), std::string::npos)
      << off.out;
  auto jobs = roster({"jobs", "--limit", "1"});
  EXPECT_NE(jobs.out.find("DISABLED"), std::string::npos) << jobs.out;
  EXPECT_NE(jobs.out.find("       0        1       0  committed    off.csv"), std::string::npos)
      << jobs.out;
  auto show = roster({"jobs", "show", std::to_string(int64_t{summary("off")["job_id"]})});
  EXPECT_NE(show.out.find("users: 0 enabled, 1 disabled by rows"), std::string::npos) << show.out;
}

// Issue 31, item 6: a file already imported prints no row lines and leaves
// the earlier job's reports as they were.
TEST_F(UnattendedTest, AFileAlreadyImportedPrintsNoRowsAndKeepsTheEarlierReports) {
  write_file(tmp_ / "some.csv",
             viewers("again", 2) + "again.bad,again.bad@x.example,1,1,1,UTC,Nope,,Create\n");
  auto first = roster({"import", "some.csv", "--as", "alice"});
  ASSERT_EQ(first.exit_code, 1) << first.out << first.err;
  std::string summary_before = testing::read_file(tmp_ / "some.summary.json");
  std::string plan_before = testing::read_file(tmp_ / "some.changes.csv");
  std::string rejected_before = testing::read_file(tmp_ / "some.rejected.csv");
  auto again = roster({"import", "some.csv", "--as", "alice"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(again.out.find("line "), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("already imported by job"), std::string::npos) << again.out;
  EXPECT_EQ(testing::read_file(tmp_ / "some.summary.json"), summary_before);
  EXPECT_EQ(testing::read_file(tmp_ / "some.changes.csv"), plan_before);
  EXPECT_EQ(testing::read_file(tmp_ / "some.rejected.csv"), rejected_before);
  EXPECT_EQ(q("SELECT count(*) FROM jobs WHERE file = 'some.csv' AND outcome = 'duplicate'"), "1");
}

// Issue 31, item 13 (SPEC §15): a job undone by a file that puts back what it
// changed; a user it created comes back disabled.
TEST_F(UnattendedTest, AJobIsUndoneByTheFileItsReverseWrites) {
  ASSERT_EQ(roster({"export", "--as", "alice", "--out", "before.csv"}).exit_code, 0);
  write_file(tmp_ / "change.csv",
             testing::kUsersHeader +
                 "hq.it,hq.it@northwind-retail.com,0,1,1,Europe/Paris,Headquarters,,Update\n"
                 "tom.reilly,tom.reilly@northwind-retail.com,1,1,0,UTC,Store Manager,"
                 "\"EAST-001,EAST-002\",Update\n"
                 "undo.new,undo.new@x.example,1,1,1,UTC,Viewer,,Create\n");
  auto change = roster({"import", "change.csv", "--as", "alice"});
  ASSERT_EQ(change.exit_code, 0) << change.out << change.err;
  std::string job = std::to_string(int64_t{summary("change")["job_id"]});

  auto rev = roster({"audit", "--job", job, "--reverse", "--out", "undo.csv", "--as", "alice"});
  EXPECT_EQ(rev.exit_code, 0) << rev.out << rev.err;
  EXPECT_NE(rev.out.find("job " + job + " (users import of change.csv by alice"), std::string::npos)
      << rev.out;
  EXPECT_NE(rev.out.find("reversed into undo.csv: 3 users (1 created by the job"),
            std::string::npos)
      << rev.out;
  auto undo = roster({"import", "undo.csv", "--as", "alice"});
  EXPECT_EQ(undo.exit_code, 0) << undo.out << undo.err;
  EXPECT_EQ(summary("undo")["rows"]["updated"], 3);
  ASSERT_EQ(roster({"export", "--as", "alice", "--out", "after.csv"}).exit_code, 0);
  std::string after = testing::read_file(tmp_ / "after.csv");
  std::string created = "undo.new,undo.new@x.example,0,1,1,UTC,Viewer,,Update,\n";
  size_t at = after.find(created);
  ASSERT_NE(at, std::string::npos) << after;
  EXPECT_EQ(after.erase(at, created.size()), testing::read_file(tmp_ / "before.csv"));

  // Refusals: no such job, a job that changed no user, an actor without the
  // permission, --reverse without --as.
  EXPECT_EQ(
      roster({"audit", "--job", "999", "--reverse", "--out", "x.csv", "--as", "alice"}).exit_code,
      2);
  std::string sources_job = q("SELECT min(id) FROM jobs WHERE kind = 'sources'");
  EXPECT_EQ(roster({"audit", "--job", sources_job, "--reverse", "--out", "x.csv", "--as", "alice"})
                .exit_code,
            2);
  EXPECT_EQ(
      roster({"audit", "--job", job, "--reverse", "--out", "x.csv", "--as", "mallory"}).exit_code,
      4);
  EXPECT_EQ(roster({"audit", "--job", job, "--reverse", "--out", "x.csv"}).exit_code, 2);
  EXPECT_FALSE(testing::file_exists(tmp_ / "x.csv"));
}

// Issue 31, item 2 (SPEC §15): European Excel files: a semicolon header is
// refused naming the separator, and read with --delimiter; a Windows-1252 file
// is read with --encoding, its SHA-256 that of the file as given.
TEST_F(UnattendedTest, SemicolonsAndWindows1252AreReadWhenNamed) {
  write_file(tmp_ / "eu.csv",
             "\xEF\xBB\xBFUsername;E-mail;Enabled;Access all sales channels;Access all sources;"
             "Timezone;Role;Sources;Action\r\neu.one;eu.one@x.example;1;1;1;Europe/Paris;Viewer;;"
             "Create\r\n");
  auto plain = roster({"-q", "import", "eu.csv", "--as", "alice"});
  EXPECT_EQ(plain.exit_code, 3);
  EXPECT_NE(plain.err.find("separated by semicolons, not by commas; run with --delimiter ';'"),
            std::string::npos)
      << plain.err;
  auto semi = roster({"import", "eu.csv", "--as", "alice", "--delimiter", ";"});
  EXPECT_EQ(semi.exit_code, 0) << semi.out << semi.err;
  EXPECT_EQ(q("SELECT timezone FROM users WHERE username = 'eu.one'"), "Europe/Paris");
  // TAB-separated, with the option's word.
  write_file(tmp_ / "tabs.csv",
             "Username\tE-mail\tEnabled\tAccess all sales channels\tAccess all sources\t"
             "Timezone\tRole\tSources\tAction\ntab.one\ttab.one@x.example\t1\t1\t1\tUTC\t"
             "Viewer\t\tCreate\n");
  EXPECT_EQ(roster({"import", "tabs.csv", "--as", "alice", "--delimiter", "TAB"}).exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username = 'tab.one'"), "1");
  EXPECT_EQ(roster({"import", "tabs.csv", "--as", "alice", "--delimiter", "|"}).exit_code, 2);

  std::string cp1252 =
      "External ID,Name,Type,Enabled,Action\nLYON-1,Caf\xE9 Lyon \x80,store,1,"
      "Create\n";
  write_file(tmp_ / "shops.csv", cp1252);
  auto raw = roster({"sources", "import", "shops.csv", "--as", "alice"});
  EXPECT_EQ(raw.exit_code, 1);
  EXPECT_NE(testing::read_file(tmp_ / "shops.rejected.csv").find("--encoding windows-1252"),
            std::string::npos);
  auto named = roster(
      {"sources", "import", "shops.csv", "--as", "alice", "--encoding", "windows-1252", "--force"});
  EXPECT_EQ(named.exit_code, 0) << named.out << named.err;
  EXPECT_EQ(q("SELECT name FROM sources WHERE external_id = 'LYON-1'"),
            "Caf\xC3\xA9 Lyon \xE2\x82\xAC");
  auto sum = testing::run_process({"/usr/bin/sha256sum", tmp_ / "shops.csv"}, tmp_.path());
  EXPECT_EQ(sum.out.substr(0, 64), summary("shops")["sha256"]);
  EXPECT_EQ(
      roster({"sources", "import", "shops.csv", "--as", "alice", "--encoding", "latin9"}).exit_code,
      2);
}

// Issue 31, item 12: a warning on the terminal looks like the errors
// ("roster: ..."), not like a log line; -q keeps a clean run silent.
TEST_F(UnattendedTest, WarningsPrintInTheErrorsStyle) {
  write_file(tmp_ / "notes.csv",
             "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
             "Sources,Action,Notes\nnote.one,note.one@x.example,1,1,1,UTC,Viewer,,Create,hi\n");
  auto r = roster({"import", "notes.csv", "--as", "alice"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err,
            "roster: warning: line 1: column \"Notes\" is not part of the template and is "
            "ignored\n");
  write_file(tmp_ / "notes2.csv",
             "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
             "Sources,Action,Notes\nnote.two,note.two@x.example,1,1,1,UTC,Viewer,,Create,hi\n");
  auto quiet = roster({"-q", "import", "notes2.csv", "--as", "alice"});
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.err, "");
}

TEST_F(UnattendedTest, HelpOffersWhatACommandUsesAndBreaksNoWord) {
  // Item 10: validate commits nothing, so it takes no option that decides
  // what a run commits; reference data has no guard and no time zones.
  std::string validate = roster({"validate", "--help"}).out;
  for (const char* option : {"--force", "--on-error", "--max-errors", "--dry-run"}) {
    EXPECT_EQ(validate.find(std::string("\n  ") + option), std::string::npos) << option << "\n"
                                                                              << validate;
  }
  EXPECT_NE(validate.find("\n  --max-disable"), std::string::npos) << validate;
  for (const char* kind : {"sources", "sales-channels", "roles", "applications"}) {
    std::string help = roster({kind, "import", "--help"}).out;
    EXPECT_EQ(help.find("\n  --max-disable"), std::string::npos) << kind;
    EXPECT_EQ(help.find("\n  --default-timezone"), std::string::npos) << kind;
    EXPECT_NE(help.find("\n  --on-error"), std::string::npos) << kind;
  }
  auto forced = roster({"validate", "x.csv", "--as", "alice", "--force"});
  EXPECT_EQ(forced.exit_code, 2);
  // A config file written for imports still serves validate.
  write_file(tmp_ / "roster.ini", "on-error = abort\nmax-errors = 5\nforce = 1\n");
  write_file(tmp_ / "one.csv", testing::kUsersHeader +
                                   "zoe.ng,zoe.ng@northwind-retail.com,1,0,0,UTC,Store "
                                   "Associate,EAST-001,Create\n");
  auto configured = roster({"--config", "roster.ini", "validate", "one.csv", "--as", "alice"});
  EXPECT_EQ(configured.exit_code, 0) << configured.err;
  // Boost breaks a word that starts before the middle of a line; the --db
  // URI once came out as "dbn ame".
  EXPECT_NE(roster({"--help"}).out.find("postgresql://user@host/dbname"), std::string::npos);
}

TEST_F(UnattendedTest, TheLogCarriesEachRunsFiguresAsFields) {
  // Item 12: a log shipper reads counts, job, file, code and exit code as
  // keys, for a run that rejects rows, one that refuses its file, and one
  // that never became a job.
  write_file(tmp_ / "some.csv", viewers("some", 2) + "bad name,x@y.com,1,0,0,UTC,Viewer,,Create\n");
  write_file(tmp_ / "refused.csv", "Username,E-mail\nzed,zed@x.com\n");
  std::vector<std::string> log = {"--log-file", "roster.log", "--log-format", "json"};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), log.begin(), log.end());
    return roster(args).exit_code;
  };
  EXPECT_EQ(run({"-q", "import", "some.csv", "--as", "alice"}), 1);
  EXPECT_EQ(run({"-q", "import", "refused.csv", "--as", "alice"}), 3);
  EXPECT_EQ(run({"-q", "import", "some.csv", "--as", "nobody", "--force"}), 4);
  std::vector<nlohmann::json> jobs, ends;
  std::istringstream lines(testing::read_file(tmp_ / "roster.log"));
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("job_id")) jobs.push_back(j);
    if (j.contains("command")) ends.push_back(j);
  }
  ASSERT_EQ(jobs.size(), 2u) << testing::read_file(tmp_ / "roster.log");
  EXPECT_EQ(jobs[0]["job_id"], summary("some")["job_id"]);
  EXPECT_EQ(jobs[0]["file"], "some.csv");
  EXPECT_EQ(jobs[0]["created"], 2);
  EXPECT_EQ(jobs[0]["rejected"], 1);
  EXPECT_EQ(jobs[0]["exit_code"], 1);
  EXPECT_EQ(jobs[1]["code"], "HEADER_MISSING_COLUMN");
  EXPECT_EQ(jobs[1]["exit_code"], 3);
  ASSERT_EQ(ends.size(), 3u);
  EXPECT_EQ(ends[2]["command"], "import");
  EXPECT_EQ(ends[2]["exit_code"], 4);
  EXPECT_NE(ends[2].value("reason", "").find("nobody"), std::string::npos) << ends[2].dump();
  EXPECT_NE(ends[0].value("reason", "").find("1 row rejected"), std::string::npos)
      << ends[0].dump();

  // The text log puts the same fields after the message.
  EXPECT_EQ(
      roster({"--log-file", "text.log", "-q", "import", "some.csv", "--as", "alice", "--force"})
          .exit_code,
      1);
  std::string text = testing::read_file(tmp_ / "text.log");
  EXPECT_NE(text.find(" file=some.csv actor=alice"), std::string::npos) << text;
  EXPECT_NE(text.find(" rejected=3 "), std::string::npos) << text;  // two exist by now
}

}  // namespace
}  // namespace roster

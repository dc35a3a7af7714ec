// The invitations outbox: what imports record in it, and the commands that
// hand it to whatever sends the mails.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e_util.h"

namespace roster {
namespace {

using testing::read_file;
using testing::write_file;

class InvitationsTest : public testing::BinaryTest {
 protected:
  std::string pending(const std::string& prefix) {
    return q(
        "SELECT username || ':' || reason FROM invitations WHERE sent_at IS NULL AND "
        "withdrawn_by IS NULL AND username LIKE '" +
        prefix + "%' ORDER BY id");
  }
  int64_t job_of(const std::string& stem) {
    return nlohmann::json::parse(read_file(tmp_ / (stem + ".summary.json")))["job_id"];
  }
};

TEST_F(InvitationsTest, CreatesAndReEnablesOnlyAndNoneInADryRunOrAnAbortedRun) {
  write_file(tmp_ / "hires.csv", testing::viewers("inv", 3));
  // A dry run and a run that commits nothing record none.
  EXPECT_EQ(roster({"import", "hires.csv", "--as", "alice", "--dry-run"}).exit_code, 0);
  EXPECT_EQ(pending("inv."), "");
  write_file(tmp_ / "aborted.csv",
             testing::viewers("inv", 3) + "inv.bad,inv.bad@load.example,1,1,1,UTC,Nope,,Create\n");
  EXPECT_EQ(roster({"import", "aborted.csv", "--as", "alice", "--on-error", "abort"}).exit_code, 1);
  EXPECT_EQ(pending("inv."), "");
  EXPECT_EQ(q("SELECT count(*) FROM users WHERE username LIKE 'inv.%'"), "0");

  auto r = roster({"import", "hires.csv", "--as", "alice"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pending("inv."), "inv.0:created\ninv.1:created\ninv.2:created");

  // Disabling withdraws what was pending (SPEC §10) and updating records
  // nothing; enabling again records one.
  std::string header = testing::viewers("x", 0);
  write_file(tmp_ / "off.csv", header + "inv.0,inv.0@load.example,0,1,1,UTC,Viewer,,Update\n" +
                                   "inv.1,inv.1@load.example,1,1,1,Asia/Tokyo,Viewer,,Update\n");
  ASSERT_EQ(roster({"import", "off.csv", "--as", "alice"}).exit_code, 0);
  write_file(tmp_ / "on.csv", header + "inv.0,inv.0@load.example,1,1,1,UTC,Viewer,,Update\n");
  ASSERT_EQ(roster({"import", "on.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(pending("inv."), "inv.1:created\ninv.2:created\ninv.0:enabled");

  // --no-invite, and a user created disabled: none.
  write_file(tmp_ / "quiet.csv", header + "inv.3,inv.3@load.example,1,1,1,UTC,Viewer,,Create\n" +
                                     "inv.4,inv.4@load.example,0,1,1,UTC,Viewer,,Create\n");
  ASSERT_EQ(roster({"import", "quiet.csv", "--as", "alice", "--no-invite"}).exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM invitations WHERE username IN ('inv.3', 'inv.4')"), "0");
}

TEST_F(InvitationsTest, ExportListAndMarkSentByJobOrByFile) {
  write_file(tmp_ / "a.csv", testing::viewers("inva", 2));
  write_file(tmp_ / "b.csv", testing::viewers("invb", 2));
  ASSERT_EQ(roster({"import", "a.csv", "--as", "alice"}).exit_code, 0);
  ASSERT_EQ(roster({"import", "b.csv", "--as", "alice"}).exit_code, 0);

  // Whatever was pending before these (the sample's own hires) is sent first.
  ASSERT_EQ(roster({"invitations", "export", "--out", "before.csv"}).exit_code, 0);
  std::string before = read_file(tmp_ / "before.csv");
  EXPECT_EQ(before.substr(0, before.find('\n')),
            "Id,Job,Created,Username,E-mail,Application,Reason,Sent");
  EXPECT_NE(before.find(",inva.0,inva.0@load.example,backoffice,created,\n"), std::string::npos)
      << before;

  auto by_job = roster({"invitations", "mark-sent", "--job", std::to_string(job_of("a"))});
  EXPECT_EQ(by_job.exit_code, 0) << by_job.out << by_job.err;
  EXPECT_NE(by_job.out.find("marked 2 invitations sent"), std::string::npos) << by_job.out;
  EXPECT_EQ(pending("inv"), "invb.0:created\ninvb.1:created");

  // The export of what is pending now, handed back once sent.
  ASSERT_EQ(roster({"invitations", "export", "--out", "now.csv"}).exit_code, 0);
  auto by_file = roster({"invitations", "mark-sent", "--file", "now.csv"});
  EXPECT_EQ(by_file.exit_code, 0) << by_file.out << by_file.err;
  EXPECT_EQ(pending(""), "");
  auto list = roster({"invitations", "list", "--pending"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("0 invitations"), std::string::npos) << list.out;
  auto all = roster({"invitations", "list"});
  EXPECT_NE(all.out.find("invb.1"), std::string::npos) << all.out;

  // A file whose Id cell is not an id is refused, naming line, column and value.
  write_file(tmp_ / "bad.csv", "Id,Username\n12,x\nabc,y\n");
  auto bad = roster({"invitations", "mark-sent", "--file", "bad.csv"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("line 3, column Id: \"abc\""), std::string::npos) << bad.err;
  EXPECT_EQ(roster({"invitations", "mark-sent"}).exit_code, 2);
}

// SPEC §10: a user who loses access has its pending invitations withdrawn in
// the transaction that disables it; an operator following the docs never mails
// an activation link to a leaver.
TEST_F(InvitationsTest, ADisabledUsersPendingInvitationsAreWithdrawn) {
  write_file(tmp_ / "hires.csv", testing::viewers("wd", 2));
  ASSERT_EQ(roster({"import", "hires.csv", "--as", "alice"}).exit_code, 0);
  std::string header = testing::viewers("x", 0);
  write_file(tmp_ / "leaver.csv", header + "wd.0,wd.0@load.example,0,1,1,UTC,Viewer,,Update\n");
  // A dry run withdraws nothing.
  ASSERT_EQ(roster({"import", "leaver.csv", "--as", "alice", "--dry-run"}).exit_code, 0);
  EXPECT_EQ(q("SELECT count(*) FROM invitations WHERE withdrawn_by IS NOT NULL"), "0");
  auto r = roster({"import", "leaver.csv", "--as", "alice"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  int64_t job = job_of("leaver");
  EXPECT_EQ(q("SELECT username || ':' || withdrawn_by FROM invitations WHERE withdrawn_by IS "
              "NOT NULL"),
            "wd.0:" + std::to_string(job));

  // The pending export no longer lists it; --all does, with the job that withdrew it.
  ASSERT_EQ(roster({"invitations", "export", "--out", "pending.csv"}).exit_code, 0);
  std::string pending_csv = read_file(tmp_ / "pending.csv");
  EXPECT_EQ(pending_csv.substr(0, pending_csv.find('\n')),
            "Id,Job,Created,Username,E-mail,Application,Reason,Sent");
  EXPECT_EQ(pending_csv.find(",wd.0,"), std::string::npos) << pending_csv;
  EXPECT_NE(pending_csv.find(",wd.1,"), std::string::npos) << pending_csv;
  ASSERT_EQ(roster({"invitations", "export", "--all", "--out", "all.csv"}).exit_code, 0);
  std::string all = read_file(tmp_ / "all.csv");
  EXPECT_EQ(all.substr(0, all.find('\n')),
            "Id,Job,Created,Username,E-mail,Application,Reason,Sent,Withdrawn");
  EXPECT_NE(all.find(",wd.0,wd.0@load.example,backoffice,created,," + std::to_string(job) + "\n"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(",wd.1,wd.1@load.example,backoffice,created,,\n"), std::string::npos) << all;
  auto list = roster({"invitations", "list"});
  EXPECT_NE(list.out.find("withdrawn by job " + std::to_string(job)), std::string::npos)
      << list.out;

  // Marking the hires' job sent marks only what is still pending; enabling the
  // user again records a new invitation.
  auto marked = roster({"invitations", "mark-sent", "--job", std::to_string(job_of("hires"))});
  EXPECT_NE(marked.out.find("marked 1 invitation sent"), std::string::npos) << marked.out;
  EXPECT_EQ(q("SELECT count(*) FROM invitations WHERE username = 'wd.0' AND sent_at IS NOT NULL"),
            "0");
  write_file(tmp_ / "back.csv", header + "wd.0,wd.0@load.example,1,1,1,UTC,Viewer,,Update\n");
  ASSERT_EQ(roster({"import", "back.csv", "--as", "alice"}).exit_code, 0);
  EXPECT_EQ(pending("wd."), "wd.0:enabled");
}

}  // namespace
}  // namespace roster

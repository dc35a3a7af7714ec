// Applications: roles per application, a user's store-app and API roles, and
// the files of before them, over the real binary.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e_util.h"

namespace roster {
namespace {

using testing::read_file;
using testing::sample;
using testing::write_file;

const char* const kHeader =
    "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,Sources,"
    "Action,Store app role\n";

class ApplicationsTest : public testing::BinaryTest {
 protected:
  // The sample's applications and store-app roles, as scripts/demo.sh adds them.
  void add_store_app() {
    auto apps = roster({"applications", "import", sample("applications.csv"), "--as", "alice",
                        "--report-dir", "."});
    ASSERT_EQ(apps.exit_code, 0) << apps.out << apps.err;
    auto roles = roster(
        {"roles", "import", sample("roles-store-app.csv"), "--as", "alice", "--report-dir", "."});
    ASSERT_EQ(roles.exit_code, 0) << roles.out << roles.err;
  }
  std::string rejected(const std::string& stem) {
    return read_file(tmp_ / (stem + ".rejected.csv"));
  }
};

TEST_F(ApplicationsTest, OldUsersAndRolesFilesImportUnchangedOnceTheStoreAppIsIn) {
  // Exports made before any application but the back office: no new column.
  ASSERT_EQ(roster({"export", "--as", "alice", "--out", "users-old.csv"}).exit_code, 0);
  ASSERT_EQ(roster({"roles", "export", "--out", "roles-old.csv"}).exit_code, 0);
  std::string users_old = read_file(tmp_ / "users-old.csv");
  std::string roles_old = read_file(tmp_ / "roles-old.csv");
  EXPECT_EQ(users_old.substr(0, users_old.find('\n')),
            "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
            "Sources,Action,Sales channels");
  EXPECT_EQ(roles_old.substr(0, roles_old.find('\n')),
            "Name,Key,Hierarchy,Permissions,Access all sources,Sources,Access all sales "
            "channels,Sales channels,Action");

  ASSERT_NO_FATAL_FAILURE(add_store_app());
  // tom.reilly gets a store-app role too.
  write_file(tmp_ / "grant.csv", std::string(kHeader) +
                                     "tom.reilly,tom.reilly@northwind-retail.com,1,1,0,"
                                     "America/New_York,Store Manager,EAST-001,Update,"
                                     "Store App Manager\n");
  auto grant = roster({"import", "grant.csv", "--as", "alice"});
  ASSERT_EQ(grant.exit_code, 0) << grant.out;
  EXPECT_NE(grant.out.find("0 created, 1 updated"), std::string::npos) << grant.out;

  // The old files change nothing, and leave the store-app role where it is.
  auto users = roster({"import", "users-old.csv", "--as", "alice", "--report-dir", "."});
  EXPECT_EQ(users.exit_code, 0) << users.out;
  EXPECT_EQ(summary("users-old")["rows"]["unchanged"], summary("users-old")["rows"]["read"]);
  EXPECT_EQ(summary("users-old")["rows"]["updated"], 0);
  auto roles = roster({"roles", "import", "roles-old.csv", "--as", "alice", "--report-dir", "."});
  EXPECT_EQ(roles.exit_code, 0) << roles.out;
  EXPECT_EQ(summary("roles-old")["rows"]["unchanged"], 11);
  EXPECT_EQ(summary("roles-old")["rows"]["updated"], 0);
  EXPECT_EQ(q("SELECT r.name FROM user_roles ur JOIN users u ON u.id = ur.user_id "
              "JOIN roles r ON r.id = ur.role_id WHERE u.username = 'tom.reilly'"),
            "Store App Manager");

  // The exports now carry the applications' columns, and re-import unchanged.
  ASSERT_EQ(roster({"export", "--as", "alice", "--out", "users-new.csv"}).exit_code, 0);
  std::string users_new = read_file(tmp_ / "users-new.csv");
  EXPECT_EQ(users_new.substr(0, users_new.find('\n')),
            "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
            "Sources,Action,Sales channels,Store app role,API role");
  EXPECT_NE(users_new.find("\ntom.reilly,tom.reilly@northwind-retail.com,1,1,0,America/New_York,"
                           "Store Manager,EAST-001,Update,,Store App Manager,\n"),
            std::string::npos);
  auto again = roster({"import", "users-new.csv", "--as", "alice", "--report-dir", "."});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(summary("users-new")["rows"]["unchanged"], summary("users-new")["rows"]["read"]);
  ASSERT_EQ(roster({"roles", "export", "--out", "roles-new.csv"}).exit_code, 0);
  std::string roles_new = read_file(tmp_ / "roles-new.csv");
  EXPECT_NE(roles_new.find(",Action,Application\n"), std::string::npos) << roles_new;
  EXPECT_NE(roles_new.find(",Update,store-app\n"), std::string::npos);
  EXPECT_NE(roles_new.find(",Update,backoffice\n"), std::string::npos);
  auto roles_again = roster({"roles", "import", "roles-new.csv", "--as", "alice"});
  EXPECT_EQ(roles_again.exit_code, 0);
  EXPECT_NE(roles_again.out.find("0 created, 0 updated, 14 unchanged"), std::string::npos)
      << roles_again.out;
}

TEST_F(ApplicationsTest, AStoreAppOnlyUserNeedsNoEmailButABackOfficeUserDoes) {
  ASSERT_NO_FATAL_FAILURE(add_store_app());
  write_file(tmp_ / "clerks.csv",
             std::string(kHeader) +
                 "clerk.one,,1,1,0,America/New_York,,EAST-003,Create,Store App Associate\n"
                 "clerk.two,,1,1,0,America/New_York,,EAST-003,Create,store_app_associate\n"
                 "clerk.three,,1,1,0,America/New_York,Viewer,EAST-003,Create,\n"
                 "clerk.four,clerk.four@northwind-retail.com,1,1,0,UTC,,EAST-003,Create,\n"
                 "clerk.five,,1,1,0,UTC,Store App Associate,EAST-003,Create,\n");
  auto r = roster({"import", "clerks.csv", "--as", "alice", "--report-dir", "."});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(summary("clerks")["rows"]["created"], 2);
  std::string report = rejected("clerks");
  EXPECT_EQ(testing::rejected_errors(report, 4),
            "EMAIL_REQUIRED_FOR_BACK_OFFICE: E-mail (empty) is required for a user with a "
            "back-office role (Role); only users of the store app or the API alone may have "
            "none")
      << report;
  EXPECT_EQ(testing::rejected_errors(report, 5),
            "ROLE_REQUIRED: Role (empty) is required when the user has no role in another "
            "application; write a role name or key")
      << report;
  EXPECT_NE(testing::rejected_errors(report, 6).find(
                "ROLE_WRONG_APPLICATION: Role \"Store App Associate\" is a role of the "
                "application \"store-app\""),
            std::string::npos)
      << report;
  // Two users without e-mail: no e-mail is nobody's, so both are stored.
  EXPECT_EQ(q("SELECT username || ':' || coalesce(email, 'NULL') || ':' || "
              "coalesce(role_id, 0) FROM users WHERE username LIKE 'clerk.%' ORDER BY id"),
            "clerk.one:NULL:0\nclerk.two:NULL:0");
  // Exported with blank E-mail and Role, and re-imported unchanged.
  ASSERT_EQ(roster({"export", "--as", "alice", "--role", "Store App Associate", "--out",
                    "clerks-export.csv"})
                .exit_code,
            0);
  std::string exported = read_file(tmp_ / "clerks-export.csv");
  EXPECT_NE(exported.find("\nclerk.one,,1,1,0,America/New_York,,EAST-003,Update,,"
                          "Store App Associate,\n"),
            std::string::npos)
      << exported;
  auto again = roster({"import", "clerks-export.csv", "--as", "alice"});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("2 rows read, 0 created, 0 updated, 2 unchanged"), std::string::npos)
      << again.out;
  // A file without the applications' columns still needs both, as before.
  write_file(tmp_ / "old-style.csv", testing::viewers("x", 0) + "x.0,,1,1,1,UTC,,,Create\n");
  auto old = roster({"import", "old-style.csv", "--as", "alice", "--report-dir", "."});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_EQ(testing::rejected_errors(rejected("old-style"), 2),
            "EMAIL_REQUIRED: E-mail (empty) is required | "
            "ROLE_REQUIRED: Role (empty) is required; write a role name or key");
}

TEST_F(ApplicationsTest, AnActorMayNotAssignAStoreAppRoleRankedAtOrAboveItsOwnThere) {
  ASSERT_NO_FATAL_FAILURE(add_store_app());
  // A store manager who is only an associate in the store app.
  write_file(tmp_ / "mgr.csv", std::string(kHeader) +
                                   "mgr.east,mgr.east@northwind-retail.com,1,1,0,UTC,"
                                   "Store Manager,EAST-005,Create,Store App Associate\n");
  ASSERT_EQ(roster({"import", "mgr.csv", "--as", "alice"}).exit_code, 0);

  write_file(tmp_ / "hires.csv",
             std::string(kHeader) +
                 "hire.a,hire.a@northwind-retail.com,1,1,0,UTC,Viewer,EAST-005,Create,"
                 "Store App Manager\n"
                 "hire.b,hire.b@northwind-retail.com,1,1,0,UTC,Viewer,EAST-005,Create,"
                 "Store App Associate\n"
                 "hire.c,hire.c@northwind-retail.com,1,1,0,UTC,Viewer,EAST-005,Create,\n");
  auto r = roster({"import", "hires.csv", "--as", "mgr.east", "--report-dir", "."});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string report = rejected("hires");
  // The back-office role (Viewer, 5) is below the manager's 3: only the store
  // app refuses, naming its column and the value.
  EXPECT_EQ(testing::rejected_errors(report, 2),
            "ROLE_NOT_ASSIGNABLE: Store app role \"Store App Manager\" has hierarchy 3; you "
            "(hierarchy 4 there) may assign only roles ranked below your own")
      << report;
  EXPECT_EQ(testing::rejected_errors(report, 3),
            "ROLE_NOT_ASSIGNABLE: Store app role \"Store App Associate\" has hierarchy 4; you "
            "(hierarchy 4 there) may assign only roles ranked below your own")
      << report;
  EXPECT_EQ(q("SELECT username FROM users WHERE username LIKE 'hire.%' ORDER BY username"),
            "hire.c");
  // Nor may the manager change a user who holds a store-app role it may not
  // manage, even in the back office alone.
  write_file(tmp_ / "peer.csv", std::string(kHeader) +
                                    "peer.e,peer.e@northwind-retail.com,1,1,0,UTC,Viewer,"
                                    "EAST-005,Create,Store App Manager\n");
  ASSERT_EQ(roster({"import", "peer.csv", "--as", "alice"}).exit_code, 0);
  write_file(tmp_ / "edit.csv", testing::viewers("x", 0) +
                                    "peer.e,peer.e@northwind-retail.com,1,1,0,Asia/Tokyo,Viewer,"
                                    "EAST-005,Update\n");
  auto edit = roster({"import", "edit.csv", "--as", "mgr.east", "--report-dir", "."});
  EXPECT_EQ(edit.exit_code, 1);
  EXPECT_NE(testing::rejected_errors(rejected("edit"), 2)
                .find("TARGET_OUTRANKS_ACTOR: Username \"peer.e\" has the role \"Store App "
                      "Manager\" (hierarchy 3)"),
            std::string::npos)
      << rejected("edit");
  // And the manager's export leaves that user out.
  auto exported = roster({"export", "--as", "mgr.east"});
  EXPECT_EQ(exported.exit_code, 0);
  EXPECT_EQ(exported.out.find("\npeer.e,"), std::string::npos);
  EXPECT_NE(exported.out.find("\nhire.c,"), std::string::npos);
}

TEST_F(ApplicationsTest, RolesOfAnApplicationAreManagedAtTheActorsRankThere) {
  // No store app yet: its roles are refused, naming the Application cell.
  write_file(tmp_ / "early.csv",
             "Name,Key,Hierarchy,Permissions,Access all sources,Sources,Access all sales "
             "channels,Sales channels,Action,Application\n"
             "Till Operator,till,5,sales.orders.view,1,,1,,Create,store-app\n");
  auto early = roster({"roles", "import", "early.csv", "--as", "alice", "--report-dir", "."});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_NE(testing::rejected_errors(rejected("early"), 2)
                .find("APPLICATION_UNKNOWN: Application \"store-app\" is not an application of "
                      "this directory (it has backoffice)"),
            std::string::npos)
      << rejected("early");
  ASSERT_NO_FATAL_FAILURE(add_store_app());
  // A role's application never changes.
  write_file(tmp_ / "move.csv",
             "Name,Key,Hierarchy,Permissions,Access all sources,Sources,Access all sales "
             "channels,Sales channels,Action,Application\n"
             "Viewer,viewer,5,\"sales.orders.view,stock.view,reports.sales.view,"
             "reports.stock.view\",1,,1,,Update,store-app\n");
  auto move = roster({"roles", "import", "move.csv", "--as", "alice", "--report-dir", "."});
  EXPECT_EQ(move.exit_code, 1);
  EXPECT_NE(testing::rejected_errors(rejected("move"), 2).find("ROLE_EXISTS: Application"),
            std::string::npos)
      << rejected("move");
  // d.chen (a retail director, hierarchy 2 in the back office) holds no role
  // in the store app, so manages none of its roles.
  write_file(tmp_ / "director.csv",
             "Name,Key,Hierarchy,Permissions,Access all sources,Sources,Access all sales "
             "channels,Sales channels,Action,Application\n"
             "Till Operator,till,5,sales.orders.view,0,EAST-001,1,,Create,store-app\n"
             "Till Viewer,till_viewer,5,sales.orders.view,0,EAST-001,1,,Create,\n");
  auto director =
      roster({"roles", "import", "director.csv", "--as", "d.chen", "--report-dir", "."});
  EXPECT_EQ(director.exit_code, 1) << director.out;
  EXPECT_NE(testing::rejected_errors(rejected("director"), 2)
                .find("ROLE_NOT_ASSIGNABLE: Name \"Till Operator\" is a role of the application "
                      "\"Store app\", in which you hold no role"),
            std::string::npos)
      << rejected("director");
  EXPECT_EQ(summary("director")["rows"]["created"], 1);  // the back-office one
  EXPECT_EQ(q("SELECT a.key FROM roles r JOIN applications a ON a.id = r.application_id "
              "WHERE r.name = 'Till Viewer'"),
            "backoffice");
}

TEST_F(ApplicationsTest, InvitationsGoToEachApplicationOfANewUserWithAnEmail) {
  ASSERT_NO_FATAL_FAILURE(add_store_app());
  // What the sample's own hires left pending is sent first.
  ASSERT_EQ(roster({"invitations", "export", "--out", "before.csv"}).exit_code, 0);
  ASSERT_EQ(roster({"invitations", "mark-sent", "--file", "before.csv"}).exit_code, 0);
  auto r = roster({"import", sample("users-new-hires.csv"), "--as", "alice", "--report-dir", "."});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(q("SELECT username || ':' || application || ':' || reason FROM invitations "
              "WHERE sent_at IS NULL ORDER BY id"),
            "rita.patel:backoffice:created\nrita.patel:store-app:created\n"
            "sam.ortiz:backoffice:created\nsam.ortiz:store-app:created");
  ASSERT_EQ(roster({"invitations", "mark-sent", "--job",
                    std::to_string(summary("users-new-hires")["job_id"].get<int64_t>())})
                .exit_code,
            0);
  EXPECT_EQ(q("SELECT count(*) FROM invitations WHERE sent_at IS NULL"), "0");
}

}  // namespace
}  // namespace roster

// The export library's calls, in-process, on a copy of the sample retailer.

#include "roster/export.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"
#include "roster/csv_input.h"
#include "roster/text.h"
#include "test_util.h"

namespace roster {
namespace {

class ExportTest : public testing::OpenSampleDirectoryTest {
 protected:
  // The export's lines after the header, or the failure's message.
  std::vector<std::string> users(UserExportOptions o, Status* failure = nullptr) {
    std::ostringstream out;
    Status st = export_users(*dir_, o, out);
    if (failure != nullptr) *failure = st;
    EXPECT_TRUE(failure != nullptr || st.is_ok()) << st.message();
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    if (!lines.empty()) lines.erase(lines.begin());
    return lines;
  }
  std::string username(const std::string& line) { return line.substr(0, line.find(',')); }
};

TEST_F(ExportTest, AnActorSeesItselfAndOnlyTheUsersItOutranks) {
  UserExportOptions o;
  o.actor = "tom.reilly";  // a store manager
  std::vector<std::string> lines = users(o);
  ASSERT_FALSE(lines.empty());
  auto tom = dir_->find_user("tom.reilly");
  ASSERT_TRUE(tom.is_ok() && tom->has_value());
  int own = dir_->role_by_id((*tom)->role_id)->hierarchy;
  bool saw_itself = false;
  for (const std::string& line : lines) {
    auto u = dir_->find_user(username(line));
    ASSERT_TRUE(u.is_ok() && u->has_value()) << line;
    if ((*u)->username == "tom.reilly") {
      saw_itself = true;
      continue;
    }
    EXPECT_GT(dir_->role_by_id((*u)->role_id)->hierarchy, own) << line;
  }
  EXPECT_TRUE(saw_itself);
  // The administrator sees more: every user.
  o.actor = "alice";
  EXPECT_EQ(users(o).size(), std::stoul(q("SELECT count(*) FROM users")));
}

TEST_F(ExportTest, FiltersAndTheirRefusals) {
  UserExportOptions o;
  o.actor = "alice";
  o.roles = {"viewer"};
  size_t viewers = users(o).size();
  o.roles = {"viewer", "Store Manager"};
  EXPECT_EQ(users(o).size(), std::stoul(q("SELECT count(*) FROM users u JOIN roles r ON "
                                          "r.id = u.role_id WHERE r.key = 'viewer' OR "
                                          "r.name = 'Store Manager'")));
  EXPECT_GT(users(o).size(), viewers);
  o.enabled = true;  // AND with the roles
  EXPECT_EQ(users(o).size(), std::stoul(q("SELECT count(*) FROM users u JOIN roles r ON "
                                          "r.id = u.role_id WHERE u.enabled = 1 AND (r.key = "
                                          "'viewer' OR r.name = 'Store Manager')")));

  Status failure;
  o = {};
  o.actor = "alice";
  o.roles = {"Store Manger"};
  EXPECT_TRUE(users(o, &failure).empty());
  EXPECT_EQ(failure.exit_code(), ExitCode::kUsage);
  EXPECT_NE(failure.message().find("did you mean \"Store Manager\""), std::string::npos)
      << failure.message();
  o.roles.clear();
  o.changed_since = "yesterday";
  users(o, &failure);
  EXPECT_EQ(failure.exit_code(), ExitCode::kUsage);
  o.changed_since.clear();
  o.actor = "nobody.here";
  users(o, &failure);
  EXPECT_EQ(failure.exit_code(), ExitCode::kActor);
}

TEST_F(ExportTest, UsersAndReferenceDataReimportAsAllUnchanged) {
  UserExportOptions o;
  o.actor = "alice";
  o.out = tmp_ / "users.csv";
  std::ostringstream ignored;
  ASSERT_TRUE(export_users(*dir_, o, ignored).is_ok());
  std::string sources = export_reference(*dir_, ImportKind::kSources);
  testing::write_file(tmp_ / "sources.csv", sources);
  // Sorted by external ID.
  std::vector<std::string> ids;
  std::istringstream in(sources);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) ids.push_back(line.substr(0, line.find(',')));
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));

  for (auto [file, kind] : {std::pair{std::string("users.csv"), ImportKind::kUsers},
                            std::pair{std::string("sources.csv"), ImportKind::kSources}}) {
    ImportOptions io;
    io.kind = kind;
    io.file = tmp_ / file;
    io.actor = "alice";
    io.dry_run = true;
    io.quiet = true;
    Summary s;
    std::ostringstream out;
    EXPECT_EQ(run_import(*dir_, io, out, &s), ExitCode::kOk) << out.str();
    EXPECT_EQ(s.unchanged, s.rows_read) << file;
    EXPECT_GT(s.rows_read, 0) << file;
  }
}

}  // namespace
}  // namespace roster

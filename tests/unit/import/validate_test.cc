#include "roster/validate.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "roster/text.h"
#include "test_util.h"

namespace roster {
namespace {

using testing::TempDir;
using testing::write_file;

const char* kUserHeader =
    "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
    "Sources,Action";

// Parses one data line under `header` with the real reader.
class ValidateTest : public ::testing::Test {
 protected:
  RowView row(const std::string& header, const TemplateColumns& cols, const std::string& line) {
    write_file(dir_ / "in.csv", header + "\n" + line + "\n");
    auto in = CsvInput::open(dir_ / "in.csv", cols);
    EXPECT_TRUE(in.is_ok()) << in.status().message();
    input_ = std::move(*in);
    EXPECT_TRUE(input_->next(raw_));
    return RowView(raw_, *input_);
  }
  RowIssues user(const std::string& line, UserRow* out = nullptr,
                 const ValidateOptions& options = {}) {
    UserRow u;
    RowIssues issues;
    RowView v = row(kUserHeader, user_columns(), line);
    if (check_well_formed(raw_, issues)) parse_user_row(v, options, u, issues);
    if (out) *out = u;
    return issues;
  }
  static bool has(const std::vector<RowError>& list, Code code) {
    return std::any_of(list.begin(), list.end(), [&](const RowError& e) { return e.code == code; });
  }

  TempDir dir_;
  std::unique_ptr<CsvInput> input_;
  RawRow raw_;
};

// The import reuses one UserRow per row slot: what a row leaves in it must
// never show through the next row's parse.
TEST_F(ValidateTest, AReusedUserRowKeepsNothingOfTheRowBefore) {
  const std::string second = "bob,bob@x.com,0,1,1,UTC,Viewer,,Delete";
  UserRow fresh, reused;
  user(second, &fresh);
  RowIssues issues;
  RowView first =
      row(kUserHeader, user_columns(), "al,al@x.com,1,0,0,Asia/Tokyo,Store Manager,\"A,B\",Update");
  parse_user_row(first, {}, reused, issues);
  ASSERT_TRUE(issues.ok());
  ASSERT_EQ(reused.action, Action::kUpdate);
  issues = {};
  parse_user_row(row(kUserHeader, user_columns(), second), {}, reused, issues);
  EXPECT_TRUE(has(issues.errors, Code::kActionInvalid));
  EXPECT_EQ(reused.username, fresh.username);
  EXPECT_EQ(reused.email, fresh.email);
  EXPECT_EQ(reused.enabled, fresh.enabled);
  EXPECT_EQ(reused.all_channels, fresh.all_channels);
  EXPECT_EQ(reused.all_sources, fresh.all_sources);
  EXPECT_EQ(reused.timezone, fresh.timezone);
  EXPECT_EQ(reused.role, fresh.role);
  EXPECT_EQ(reused.sources, fresh.sources);
  EXPECT_EQ(reused.channels, fresh.channels);
  EXPECT_EQ(reused.action, fresh.action);
}

TEST_F(ValidateTest, AValidUserRow) {
  UserRow u;
  RowIssues issues =
      user("jane.doe,Jane.Doe@Example.com,1,0,0,Europe/Paris,Store Manager,\"B, A\",update", &u);
  EXPECT_TRUE(issues.ok()) << format_issue(issues.errors.at(0));
  EXPECT_EQ(u.username, "jane.doe");
  EXPECT_EQ(u.email, "Jane.Doe@Example.com");
  EXPECT_TRUE(u.enabled);
  EXPECT_EQ(u.timezone, "Europe/Paris");
  EXPECT_EQ(u.sources, (std::vector<std::string>{"B", "A"}));
  EXPECT_EQ(u.action, Action::kUpdate);
  EXPECT_FALSE(u.channels.has_value());
}

TEST_F(ValidateTest, EachRuleHasItsCode) {
  EXPECT_TRUE(has(user(",a@b.co,1,0,0,UTC,R,,Create").errors, Code::kUsernameRequired));
  EXPECT_TRUE(has(user("john smith,a@b.co,1,0,0,UTC,R,,Create").errors, Code::kUsernameInvalid));
  EXPECT_TRUE(has(user(std::string(65, 'a') + ",a@b.co,1,0,0,UTC,R,,Create").errors,
                  Code::kUsernameInvalid));
  EXPECT_TRUE(has(user("a,,1,0,0,UTC,R,,Create").errors, Code::kEmailRequired));
  EXPECT_TRUE(has(user("a,a@@b.co,1,0,0,UTC,R,,Create").errors, Code::kEmailInvalid));
  EXPECT_TRUE(has(user("a,a@b.co,yes,0,0,UTC,R,,Create").errors, Code::kFlagInvalid));
  EXPECT_TRUE(has(user("a,a@b.co,1,2,0,UTC,R,,Create").errors, Code::kFlagInvalid));
  EXPECT_TRUE(has(user("a,a@b.co,1,0,0,,R,,Create").errors, Code::kTimezoneRequired));
  EXPECT_TRUE(has(user("a,a@b.co,1,0,0,Mars/Olympus,R,,Create").errors, Code::kTimezoneUnknown));
  EXPECT_TRUE(has(user("a,a@b.co,1,0,0,UTC,,,Create").errors, Code::kRoleRequired));
  EXPECT_TRUE(has(user("a,a@b.co,1,0,0,UTC,R,,Delete").errors, Code::kActionInvalid));
  EXPECT_TRUE(has(user("a,=cmd|' /C calc'!A0,1,0,0,UTC,R,,Create").errors, Code::kTextInvalid));
  EXPECT_TRUE(has(user("a,\"a@b.co\t\",1,0,0,UTC,R,,Create").errors, Code::kTextInvalid));
  EXPECT_TRUE(has(user("a,a@b.co,1").errors, Code::kRowMalformed));
}

TEST_F(ValidateTest, MessagesNameColumnValueAndWhatIsAccepted) {
  RowIssues issues = user("a,a@b.co,1,0,0,europe/paris,R,,Create");
  ASSERT_EQ(issues.errors.size(), 1u);
  const RowError& e = issues.errors[0];
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.column, "Timezone");
  EXPECT_EQ(e.value, "europe/paris");
  EXPECT_NE(e.message.find("did you mean \"Europe/Paris\""), std::string::npos) << e.message;
}

TEST_F(ValidateTest, DefaultTimezoneFillsEmptyCells) {
  UserRow u;
  ValidateOptions o;
  o.default_timezone = "America/Chicago";
  EXPECT_TRUE(user("a,a@b.co,1,0,0,,R,,Create", &u, o).ok());
  EXPECT_EQ(u.timezone, "America/Chicago");
}

TEST_F(ValidateTest, RepeatedListEntriesWarnAndAreStoredOnce) {
  UserRow u;
  RowIssues issues = user("a,a@b.co,1,0,0,UTC,R,\"S1,S2,S1\",Create", &u);
  EXPECT_TRUE(issues.ok());
  EXPECT_TRUE(has(issues.warnings, Code::kSourceDuplicate));
  EXPECT_EQ(u.sources, (std::vector<std::string>{"S1", "S2"}));
}

TEST_F(ValidateTest, RoleSourceAndChannelRows) {
  RoleRow role;
  RowIssues issues;
  parse_role_row(row("Name,Key,Hierarchy,Permissions,Access all sources,Sources,"
                     "Access all sales channels,Sales channels,Action",
                     role_columns(), "Clerk,clerk,x3,*,1,,1,,Create"),
                 role, issues);
  EXPECT_TRUE(has(issues.errors, Code::kHierarchyInvalid));
  EXPECT_TRUE(role.all_permissions);

  SourceRow src;
  RowIssues s_issues;
  parse_source_row(row("External ID,Name,Type,Enabled,Action", source_columns(),
                       "has space,Shop,kiosk,1,Create"),
                   src, s_issues);
  EXPECT_TRUE(has(s_issues.errors, Code::kExternalIdInvalid));
  EXPECT_TRUE(has(s_issues.errors, Code::kSourceTypeInvalid));

  ChannelRow ch;
  RowIssues c_issues;
  parse_channel_row(row("External ID,Name,Action", channel_columns(), "web,,Create"), ch, c_issues);
  EXPECT_TRUE(has(c_issues.errors, Code::kNameRequired));
}

TEST(FieldRules, EmailSyntax) {
  for (const char* ok : {"a@b.co", "first.last+tag@sub.example.com", "x_y@a-b.fr"}) {
    EXPECT_TRUE(is_valid_email(ok)) << ok;
  }
  for (const char* bad : {"a@b", "@b.co", "a@.co", "a..b@c.co", ".a@b.co", "a@b-.co", "a@b.123",
                          "a b@c.co", "a@b..co", "a@-b.co"}) {
    EXPECT_FALSE(is_valid_email(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_email(std::string(250, 'a') + "@b.co"));
}

}  // namespace
}  // namespace roster

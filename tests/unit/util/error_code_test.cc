#include "roster/error_code.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "test_util.h"

namespace roster {
namespace {

TEST(ErrorCode, NamesAreUniqueAndRoundTrip) {
  std::set<std::string_view> names;
  for (Code c : all_codes()) {
    EXPECT_TRUE(names.insert(code_name(c)).second) << code_name(c);
    EXPECT_EQ(code_from_name(code_name(c)), c);
  }
  EXPECT_EQ(code_from_name("NOT_A_CODE"), std::nullopt);
}

TEST(ErrorCode, EverySpecCodeExistsWithItsClass) {
  // SPEC §6, verbatim.
  for (const char* name : {"FILE_UNREADABLE", "FILE_EMPTY", "HEADER_MISSING_COLUMN",
                           "HEADER_DUPLICATE_COLUMN", "FILE_NOT_TEXT", "LINE_TOO_LONG"}) {
    ASSERT_TRUE(code_from_name(name)) << name;
    EXPECT_EQ(code_class(*code_from_name(name)), CodeClass::kFile) << name;
  }
  for (const char* name : {"ROW_MALFORMED",
                           "TEXT_INVALID",
                           "USERNAME_REQUIRED",
                           "USERNAME_INVALID",
                           "USERNAME_DUPLICATE_IN_FILE",
                           "USER_EXISTS",
                           "USER_NOT_FOUND",
                           "EMAIL_REQUIRED",
                           "EMAIL_INVALID",
                           "EMAIL_TAKEN",
                           "FLAG_INVALID",
                           "TIMEZONE_REQUIRED",
                           "TIMEZONE_UNKNOWN",
                           "ROLE_REQUIRED",
                           "ROLE_UNKNOWN",
                           "ROLE_NOT_ASSIGNABLE",
                           "TARGET_OUTRANKS_ACTOR",
                           "SELF_MODIFICATION",
                           "SOURCE_UNKNOWN",
                           "SOURCE_NOT_IN_ROLE",
                           "SOURCE_NOT_GRANTABLE",
                           "ALL_SOURCES_NOT_IN_ROLE",
                           "ALL_SOURCES_NOT_GRANTABLE",
                           "SALES_CHANNEL_UNKNOWN",
                           "SALES_CHANNEL_NOT_IN_ROLE",
                           "SALES_CHANNEL_NOT_GRANTABLE",
                           "ALL_SALES_CHANNELS_NOT_IN_ROLE",
                           "ALL_SALES_CHANNELS_NOT_GRANTABLE",
                           "ACTION_INVALID"}) {
    ASSERT_TRUE(code_from_name(name)) << name;
    EXPECT_EQ(code_class(*code_from_name(name)), CodeClass::kRow) << name;
  }
  for (const char* name :
       {"SOURCES_IGNORED_WITH_ALL", "SOURCE_DUPLICATE", "NO_SOURCES", "COLUMN_UNKNOWN"}) {
    ASSERT_TRUE(code_from_name(name)) << name;
    EXPECT_EQ(code_class(*code_from_name(name)), CodeClass::kWarning) << name;
  }
}

TEST(ErrorCode, EveryCodeIsExplainedAndTheDocsSayTheSame) {
  // docs/template.md and the man page come from `roster explain` through
  // scripts/gen-code-docs.py; a code added or reworded without running it
  // fails here.
  std::string page = testing::read_file(testing::source_dir() + "/docs/template.md");
  std::string man = testing::read_file(testing::source_dir() + "/docs/roster.1");
  auto plain = [](std::string text,
                  std::initializer_list<std::pair<std::string, std::string>> subs) {
    for (const auto& [from, to] : subs) {
      for (size_t at = text.find(from); at != std::string::npos;
           at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
      }
    }
    return text;
  };
  man = plain(man, {{"\\-", "-"}, {"\\fB", ""}, {"\\fR", ""}, {"\\e", "\\"}});
  for (Code c : all_codes()) {
    CodeHelp help = code_help(c);
    EXPECT_FALSE(help.meaning.empty()) << code_name(c);
    EXPECT_FALSE(help.fix.empty()) << code_name(c);
    std::string row = fmt::format("| `{}` | {} | {} |", code_name(c), help.meaning, help.fix);
    EXPECT_NE(page.find(row), std::string::npos) << "docs/template.md lacks " << row;
    std::string entry =
        plain(fmt::format("{} What to do: {}\n", help.meaning, help.fix), {{"`", ""}});
    EXPECT_NE(man.find(fmt::format(".B {}\n", code_name(c))), std::string::npos)
        << "docs/roster.1 lacks " << code_name(c);
    EXPECT_NE(man.find(entry), std::string::npos) << "docs/roster.1 lacks " << entry;
  }
}

}  // namespace
}  // namespace roster

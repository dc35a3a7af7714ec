#include "roster/text.h"

#include <gtest/gtest.h>

namespace roster {
namespace {

TEST(Text, TrimsOnlySpaces) {
  EXPECT_EQ(trim_spaces("  a b  "), "a b");
  EXPECT_EQ(trim_spaces("   "), "");
  EXPECT_EQ(trim_spaces("\ta\t"), "\ta\t");
}

TEST(Text, CaseFoldingIsAscii) {
  EXPECT_TRUE(iequals("Store Manager", "store manager"));
  EXPECT_FALSE(iequals("abc", "abd"));
  EXPECT_EQ(to_lower_ascii("ÉcoLE"),
            "\xC3\x89"
            "cole");
}

TEST(Text, NocaseOrderFoldsAsciiOnlyAndPutsAPrefixFirst) {
  EXPECT_EQ(compare_nocase("Anna", "anna"), 0);
  EXPECT_LT(compare_nocase("anna", "ANNABEL"), 0);
  EXPECT_GT(compare_nocase("b", "A"), 0);
  EXPECT_GT(compare_nocase("Z", "_"), 0);         // 'Z' (0x5A) sorts after '_' (0x5F) only folded
  EXPECT_LT(compare_nocase("z", "\xC3\x89"), 0);  // bytes above ASCII, unsigned, unfolded
  EXPECT_NE(compare_nocase("\xC3\xA9", "\xC3\x89"), 0);
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("Zürich – 東京 😀"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong, 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(Text, CellProblems) {
  EXPECT_EQ(cell_text_problem("plain text"), std::nullopt);
  EXPECT_TRUE(cell_text_problem("tab\there"));
  EXPECT_TRUE(cell_text_problem("bell\x07"));
  EXPECT_TRUE(cell_text_problem("\x7F"));
  EXPECT_TRUE(cell_text_problem("bad \xC3"));
  for (const char* f : {"=1+1", "+1", "-1", "@SUM(A1)"}) {
    EXPECT_TRUE(cell_text_problem(f)) << f;
  }
  EXPECT_EQ(cell_text_problem("a=b"), std::nullopt);
}

TEST(Text, SplitListTrimsAndDropsEmpty) {
  EXPECT_EQ(split_list("WAREHOUSE, test-store,,  x "),
            (std::vector<std::string>{"WAREHOUSE", "test-store", "x"}));
  EXPECT_TRUE(split_list("").empty());
  EXPECT_EQ(split_list("a,a"), (std::vector<std::string>{"a", "a"}));
}

TEST(Text, ClosestMatchFindsTypos) {
  std::vector<std::string> roles = {"Store assistant", "Store Manager", "Viewer"};
  EXPECT_EQ(closest_match("Store asistant", roles), "Store assistant");
  EXPECT_EQ(closest_match("viewr", roles), "Viewer");
  EXPECT_EQ(closest_match("Completely different", roles), std::nullopt);
  EXPECT_EQ(closest_match("", roles), std::nullopt);
}

TEST(Text, CsvQuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell(" padded"), "\" padded\"");
  EXPECT_EQ(csv_cell("padded "), "\"padded \"");
  EXPECT_EQ(csv_cell("in side"), "in side");
  EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_cell("ends\r"), "\"ends\r\"");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_line({"a", "b,c", ""}), "a,\"b,c\",\n");
}

TEST(Text, NormalizesUtcTimes) {
  EXPECT_EQ(normalize_utc_time("2026-01-31T00:00:00Z"), "2026-01-31T00:00:00Z");
  EXPECT_EQ(normalize_utc_time("2026-01-31"), "2026-01-31T00:00:00Z");
  EXPECT_EQ(normalize_utc_time("2026-02-30"), std::nullopt);
  EXPECT_EQ(normalize_utc_time("2026-01-31T25:00:00Z"), std::nullopt);
  EXPECT_EQ(normalize_utc_time("2026-01-31T00:00:00+01:00"), std::nullopt);
  EXPECT_EQ(normalize_utc_time("yesterday"), std::nullopt);
}

}  // namespace
}  // namespace roster

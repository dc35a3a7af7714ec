#include "roster/csv_input.h"

#include <gtest/gtest.h>

#include "roster/validate.h"
#include "test_util.h"

namespace roster {
namespace {

using testing::TempDir;
using testing::write_file;

const TemplateColumns kColumns{{"Username", "E-mail", "Action"}, {"Sales channels"}};

class CsvInputTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<CsvInput>> open(const std::string& content) {
    write_file(dir_ / "in.csv", content);
    return CsvInput::open(dir_ / "in.csv", kColumns);
  }
  std::vector<RawRow> rows(CsvInput& in) {
    std::vector<RawRow> out;
    RawRow r;
    while (in.next(r)) out.push_back(r);
    return out;
  }
  Code refusal(const std::string& content) {
    auto in = open(content);
    if (!in.is_ok()) return in.status().code().value_or(Code::kRowMalformed);
    rows(**in);
    return (*in)->status().code().value_or(Code::kRowMalformed);
  }
  TempDir dir_;
};

TEST_F(CsvInputTest, MatchesHeaderIgnoringCaseSpacesOrderBomAndCrlf) {
  auto in = open("\xEF\xBB\xBF  action , USERNAME,e-mail\r\nCreate,bob,bob@x.com\r\n");
  ASSERT_TRUE(in.is_ok()) << in.status().message();
  EXPECT_EQ((*in)->index_of("Username"), 1);
  EXPECT_EQ((*in)->index_of("Action"), 0);
  EXPECT_EQ((*in)->index_of("Sales channels"), -1);
  auto r = rows(**in);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].line, 2u);
  EXPECT_EQ(r[0].cells, (std::vector<std::string>{"Create", "bob", "bob@x.com"}));
  EXPECT_TRUE((*in)->status().is_ok());
}

TEST_F(CsvInputTest, KeepsTheHeaderCellsAsWrittenForReports) {
  // The BOM and the CRLF are not part of a cell; spaces, case and order are.
  auto in =
      open("\xEF\xBB\xBF  action , USERNAME,\" e-mail \" ,Extra \r\nCreate,bob,bob@x.com,\r\n");
  ASSERT_TRUE(in.is_ok()) << in.status().message();
  EXPECT_EQ((*in)->verbatim_header(),
            (std::vector<std::string>{"  action ", " USERNAME", " e-mail ", "Extra "}));
  EXPECT_EQ((*in)->header(), (std::vector<std::string>{"action", "USERNAME", "e-mail", "Extra"}));
  EXPECT_EQ((*in)->index_of("E-mail"), 2);
}

TEST_F(CsvInputTest, UnknownColumnsWarn) {
  auto in = open("Username,E-mail,Action,Last login\nbob,b@x.com,Create,yesterday\n");
  ASSERT_TRUE(in.is_ok());
  ASSERT_EQ((*in)->header_warnings().size(), 1u);
  EXPECT_EQ((*in)->header_warnings()[0].code, Code::kColumnUnknown);
  EXPECT_EQ((*in)->header_warnings()[0].column, "Last login");
}

TEST_F(CsvInputTest, MissingAndDuplicateColumnsRefuseTheFile) {
  auto missing = open("Username,Email,Action\n");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), Code::kHeaderMissingColumn);
  EXPECT_NE(missing.status().message().find("did you mean \"E-mail\""), std::string::npos)
      << missing.status().message();
  auto dup = open("Username,E-mail,Action,username\n");
  ASSERT_FALSE(dup.is_ok());
  EXPECT_EQ(dup.status().code(), Code::kHeaderDuplicateColumn);
  EXPECT_EQ(dup.status().exit_code(), ExitCode::kFileRefused);
}

TEST_F(CsvInputTest, QuotedCellsAndLists) {
  auto in = open("Username,E-mail,Action\n\"bob\", \"b,o\"\"b@x.com\" ,Create\n");
  ASSERT_TRUE(in.is_ok());
  auto r = rows(**in);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].malformed);
  EXPECT_EQ(r[0].cells[1], "b,o\"b@x.com");
}

TEST_F(CsvInputTest, MalformedRowsKeepTheirCellsAndReadingGoesOn) {
  auto in = open(
      "Username,E-mail,Action\n"
      "bob,\"unclosed,Create\n"
      "too,few\n"
      "too,many,cells,here\n"
      "ok,ok@x.com,Create\n");
  ASSERT_TRUE(in.is_ok());
  auto r = rows(**in);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0].malformed);
  EXPECT_EQ(r[0].cells, (std::vector<std::string>{"bob", "\"unclosed,Create"}));
  EXPECT_TRUE(r[1].malformed);
  EXPECT_TRUE(r[2].malformed);
  EXPECT_EQ(r[2].cells.size(), 4u);
  EXPECT_FALSE(r[3].malformed);
  EXPECT_EQ(r[3].line, 5u);
}

TEST_F(CsvInputTest, BlankLinesAndEmptyPaddingAreSkippedButCounted) {
  auto in = open("Username,E-mail,Action\n\n   \n,,\nbob,b@x.com,Create,,\n");
  ASSERT_TRUE(in.is_ok());
  auto r = rows(**in);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].line, 5u);  // physical line numbers survive skipped lines
  EXPECT_FALSE(r[0].malformed);
}

TEST_F(CsvInputTest, RowsMayOmitCellsOfUnnamedHeaderColumns) {
  auto in = open("Username,E-mail,Action,,\nbob,b@x.com,Create\namy,a@x.com,Create,,,\n");
  ASSERT_TRUE(in.is_ok());
  auto r = rows(**in);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0].malformed) << r[0].malformed_reason;
  EXPECT_FALSE(r[1].malformed) << r[1].malformed_reason;
  EXPECT_EQ(r[0].cells.size(), 5u);
}

TEST_F(CsvInputTest, FileLevelRefusals) {
  EXPECT_EQ(refusal(""), Code::kFileEmpty);
  EXPECT_EQ(refusal("\n\n"), Code::kFileEmpty);
  EXPECT_EQ(refusal(std::string("Username,E-mail,Action\nbob,b\0@x,Create\n", 38)),
            Code::kFileNotText);
  EXPECT_EQ(refusal(std::string("\xFF\xFEU\0s\0", 6)), Code::kFileNotText);
  EXPECT_EQ(refusal("Username,E-mail,Action\rbob,b@x.com,Create\r"), Code::kFileNotText);
  EXPECT_EQ(refusal("Username,E-mail,Action\n" + std::string(17 << 20, 'x') + "\n"),
            Code::kLineTooLong);
}

TEST_F(CsvInputTest, UnreadablePaths) {
  auto missing = CsvInput::open(dir_ / "nope.csv", kColumns);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), Code::kFileUnreadable);
  auto folder = CsvInput::open(dir_.path(), kColumns);
  ASSERT_FALSE(folder.is_ok());
  EXPECT_EQ(folder.status().code(), Code::kFileUnreadable);
  EXPECT_NE(folder.status().message().find("directory"), std::string::npos);
}

TEST_F(CsvInputTest, HashesEveryByte) {
  write_file(dir_ / "abc.csv", "abc");
  auto in = CsvInput::open(dir_ / "abc.csv", TemplateColumns{{"abc"}, {}});
  ASSERT_TRUE(in.is_ok());
  RawRow r;
  EXPECT_FALSE((*in)->next(r));
  EXPECT_EQ((*in)->sha256_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ((*in)->bytes_read(), 3u);
}

TEST(SplitCsvLine, RecoversTheRestOfAnUnclosedQuote) {
  std::vector<std::string> cells;
  EXPECT_TRUE(split_csv_line("a, b ,\"c,d\"", cells));
  EXPECT_EQ(cells, (std::vector<std::string>{"a", "b", "c,d"}));
  EXPECT_FALSE(split_csv_line("a,\"b,c", cells));
  EXPECT_EQ(cells, (std::vector<std::string>{"a", "\"b,c"}));
}

TEST(SplitCsvLine, VerbatimKeepsSpacesButNotQuotes) {
  std::vector<std::string> cells;
  EXPECT_TRUE(split_csv_line_verbatim(" a, b ,  \" c,\"\"d\" ,", cells));
  EXPECT_EQ(cells, (std::vector<std::string>{" a", " b ", " c,\"d", ""}));
  EXPECT_FALSE(split_csv_line_verbatim("a, \"b,c ", cells));
  EXPECT_EQ(cells, (std::vector<std::string>{"a", " \"b,c "}));
}

}  // namespace
}  // namespace roster

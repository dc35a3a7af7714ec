#include "row_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace roster {
namespace {

using testing::TempDir;
using testing::write_file;

const TemplateColumns kColumns{{"Username", "E-mail"}, {}};

struct ParsedName : ParsedRow {
  std::string name;
  uint64_t line = 0;
};

// Copies each row's username into its scratch, as a handler's pure checks would.
class NameHandler : public RowHandler {
 public:
  const TemplateColumns& columns() const override { return kColumns; }
  std::string identity_column() const override { return "Username"; }
  std::unique_ptr<ParsedRow> make_parsed() const override { return std::make_unique<ParsedName>(); }
  void parse(const RowView& row, ParsedRow& out, RowIssues& /*issues*/) const override {
    auto& p = static_cast<ParsedName&>(out);
    p.name = std::string(row.at("Username"));
    p.line = row.line();
  }
  Status handle(const RowView&, const ParsedRow*, RowIssues&, RowOutcome&) override {
    return Status::ok();
  }
};

// A file of `n` rows, named u0 .. u<n-1>.
std::string rows_file(int n) {
  std::string text = "Username,E-mail\n";
  for (int i = 0; i < n; ++i) text += "u" + std::to_string(i) + ",u@x.com\n";
  return text;
}

class RowReaderTest : public ::testing::Test {
 protected:
  std::unique_ptr<CsvInput> open(const std::string& content) {
    write_file(dir_ / "in.csv", content);
    auto in = CsvInput::open(dir_ / "in.csv", kColumns);
    EXPECT_TRUE(in.is_ok()) << in.status().message();
    return in.is_ok() ? std::move(*in) : nullptr;
  }
  TempDir dir_;
  NameHandler handler_;
};

TEST_F(RowReaderTest, GivesEveryRowInFileOrderAcrossBatches) {
  // Several times the reader's batches, so that its ring wraps around.
  const int n = 5000;
  auto input = open(rows_file(n));
  ASSERT_TRUE(input);
  RowReader reader(*input, handler_);
  int i = 0;
  while (RowReader::Row* row = reader.next()) {
    ASSERT_TRUE(row->well_formed);
    const auto& parsed = static_cast<const ParsedName&>(*row->parsed);
    ASSERT_EQ(parsed.name, "u" + std::to_string(i));
    ASSERT_EQ(row->raw.line, static_cast<uint64_t>(i + 2));
    ASSERT_EQ(parsed.line, row->raw.line);
    ++i;
  }
  EXPECT_EQ(i, n);
  EXPECT_TRUE(input->status().is_ok());
  EXPECT_EQ(reader.bytes_consumed(), rows_file(n).size() - std::string("Username,E-mail\n").size());
  EXPECT_EQ(reader.next(), nullptr);  // and stays at the end
}

TEST_F(RowReaderTest, MalformedRowsAreMarkedAndNotParsed) {
  auto input = open("Username,E-mail\nok,a@x.com\n\"open,b@x.com\nthree,c@x.com,extra\n");
  ASSERT_TRUE(input);
  RowReader reader(*input, handler_);
  RowReader::Row* row = reader.next();
  ASSERT_NE(row, nullptr);
  EXPECT_TRUE(row->well_formed);
  for (int k = 0; k < 2; ++k) {
    row = reader.next();
    ASSERT_NE(row, nullptr);
    EXPECT_FALSE(row->well_formed);
    ASSERT_EQ(row->issues.errors.size(), 1u);
    EXPECT_EQ(row->issues.errors[0].code, Code::kRowMalformed);
    EXPECT_EQ(static_cast<const ParsedName&>(*row->parsed).line, 0u);  // never parsed
  }
  EXPECT_EQ(reader.next(), nullptr);
}

TEST_F(RowReaderTest, StopsAtARefusedFileAndSaysWhy) {
  // The CSV reader takes in 32 MiB at once, and a NUL byte in those refuses the
  // file on opening; one further on is met by the reading thread, as soon as
  // the block holding it is read (so after some of the rows before it).
  std::string text = "Username,E-mail\n";
  const std::string filler(1 << 20, 'a');
  for (int i = 0; i < 40; ++i) text += "u" + std::to_string(i) + "," + filler + "\n";
  text += std::string("bad\0row,x@x.com\n", 16) + "after,y@x.com\n";
  auto input = open(text);
  ASSERT_TRUE(input);
  RowReader reader(*input, handler_);
  int rows = 0;
  while (reader.next() != nullptr) ++rows;
  EXPECT_GT(rows, 0);
  EXPECT_LT(rows, 41);
  ASSERT_FALSE(input->status().is_ok());
  EXPECT_EQ(input->status().code(), Code::kFileNotText);
  EXPECT_NE(input->status().message().find("line 42"), std::string::npos)
      << input->status().message();
}

TEST_F(RowReaderTest, CanBeDroppedAnywhere) {
  // The reading thread is ahead and blocked on a full ring: dropping the reader
  // must stop it, whatever it is doing.
  auto input = open(rows_file(20000));
  ASSERT_TRUE(input);
  for (int taken : {0, 1, 700, 1600}) {
    auto again = open(rows_file(20000));
    ASSERT_TRUE(again);
    RowReader reader(*again, handler_);
    for (int i = 0; i < taken; ++i) ASSERT_NE(reader.next(), nullptr);
  }
  // A handler without pure checks gets no scratch.
  class Plain : public NameHandler {
    std::unique_ptr<ParsedRow> make_parsed() const override { return nullptr; }
  } plain;
  RowReader reader(*input, plain);
  RowReader::Row* row = reader.next();
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->parsed, nullptr);
  EXPECT_TRUE(row->well_formed);
}

}  // namespace
}  // namespace roster

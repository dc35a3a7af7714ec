#include "import/row_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "cli/commands.h"
#include "roster/directory.h"
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

// Looks each row's username up ahead in the snapshot, keeping what it found.
struct PrefetchedName : ParsedName {
  bool found = false;
  User user;
};
class PrefetchingHandler : public NameHandler {
 public:
  std::unique_ptr<ParsedRow> make_parsed() const override {
    return std::make_unique<PrefetchedName>();
  }
  void parse(const RowView& row, ParsedRow& out, RowIssues& issues) const override {
    static_cast<PrefetchedName&>(out).found = false;
    NameHandler::parse(row, out, issues);
  }
  bool prefetches() const override { return true; }
  bool prefetch(UserSnapshot& snapshot, ParsedRow& out) const override {
    auto& p = static_cast<PrefetchedName&>(out);
    auto found = snapshot.find_user(p.name, p.user);
    p.found = found.is_ok() && *found;
    return p.found;
  }
};

TEST_F(RowReaderTest, LooksRowsUpAheadInASnapshotEachIntoItsOwnRow) {
  // A directory holding u0 .. u999; a file naming u0 .. u4999, so that row slots
  // are reused across batches and most rows of the later ones name nobody.
  Directory::Options o;
  o.create = true;
  std::vector<Permission> catalog = permission_catalog();
  o.catalog = &catalog;
  auto dir = Directory::open(dir_ / "roster.db", o);
  ASSERT_TRUE(dir.is_ok()) << dir.status().message();
  Directory& d = **dir;
  ASSERT_TRUE(d.begin().is_ok());
  for (int i = 0; i < 1000; ++i) {
    User u;
    u.username = "u" + std::to_string(i);
    u.email = u.username + "@x.com";
    u.timezone = "UTC";
    ASSERT_TRUE(d.insert_user(u).is_ok());
  }
  ASSERT_TRUE(d.commit().is_ok());
  ASSERT_TRUE(d.begin().is_ok());
  auto snapshot = d.accelerator()->open_snapshot();
  ASSERT_TRUE(snapshot.is_ok()) << snapshot.status().message();
  ASSERT_NE(*snapshot, nullptr);

  const int n = 5000;
  auto input = open(rows_file(n));
  ASSERT_TRUE(input);
  PrefetchingHandler handler;
  uint64_t found = 0, found_late = 0;
  {
    RowReader reader(*input, handler, snapshot->get());
    int i = 0;
    while (RowReader::Row* row = reader.next()) {
      const auto& p = static_cast<const PrefetchedName&>(*row->parsed);
      ASSERT_EQ(p.name, "u" + std::to_string(i));
      ASSERT_EQ(row->prefetched, p.found) << p.name;
      if (p.found) {
        ASSERT_EQ(p.user.username, p.name);  // never another row's user
        ASSERT_LT(i, 1000);
        ++found;
        if (i >= 512) ++found_late;
      }
      ++i;
    }
    EXPECT_EQ(i, n);
    EXPECT_EQ(reader.rows_prefetched(), found);
  }
  // About half of the first batch, and some rows after it.
  EXPECT_GE(found, 128u);
  EXPECT_GT(found_late, 0u);
  snapshot->reset();
  d.rollback();
}

}  // namespace
}  // namespace roster

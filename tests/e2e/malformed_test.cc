// The malformed-input corpus: every file in tests/data/malformed has a defined
// outcome in expected.txt (exit code, the codes and lines reported, how many
// valid rows were still created). Some cases too large for git are generated.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e_util.h"

namespace roster {
namespace {

namespace fs = std::filesystem;
using testing::query;
using testing::read_file;

class MalformedTest : public testing::BinaryTest {
 protected:
  // Imports `file` into a fresh copy of the sample directory.
  testing::ProcessResult import(const std::string& file) {
    restore_sample();
    return roster({"import", file, "--as", "alice", "--report-dir", tmp_.path()});
  }
  std::string created(const std::string& prefix) {
    return q("SELECT count(*) FROM users WHERE username LIKE '" + prefix + "%'");
  }
};

TEST_F(MalformedTest, EveryFileHasItsDefinedOutcome) {
  std::string dir = testing::source_dir() + "/tests/data/malformed/";
  std::ifstream expected(dir + "expected.txt");
  std::string line;
  int cases = 0;
  while (std::getline(expected, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string name;
    int exit_code = -1;
    words >> name >> exit_code;
    SCOPED_TRACE(name);
    ASSERT_TRUE(fs::exists(dir + name + ".csv"));
    auto r = import(dir + name + ".csv");
    EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
    std::string rejected = read_file(tmp_ / (name + ".rejected.csv"));
    auto summary = nlohmann::json::parse(read_file(tmp_ / (name + ".summary.json")));
    std::string word;
    while (words >> word) {
      if (word.rfind("created=", 0) == 0) {
        EXPECT_EQ(created("ok."), word.substr(8));
      } else if (size_t at = word.find('@'); at != std::string::npos) {
        // CODE@LINE: the rejected report has that line, with that code.
        std::string code = word.substr(0, at), row = word.substr(at + 1);
        std::string errors = testing::rejected_errors(rejected, std::stoull(row));
        EXPECT_NE(errors.find(code), std::string::npos) << word << "\n" << rejected;
      } else {
        EXPECT_EQ(summary["file_error"], word) << r.out;
      }
    }
    // Whatever the input, the directory is sound afterwards.
    EXPECT_EQ(testing::integrity(db_), "ok");
    ++cases;
  }
  EXPECT_EQ(cases, 20);
}

TEST_F(MalformedTest, ATenMegabyteCellIsRejectedNotTruncated) {
  std::string big(10 << 20, 'x');
  testing::write_file(
      tmp_ / "big-cell.csv",
      "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
      "Sources,Action\nbig.1," +
          big +
          "@x.com,1,1,1,UTC,Viewer,,Create\n"
          "ok.1,ok.1@x.com,1,1,1,UTC,Viewer,,Create\n");
  auto r = import(tmp_ / "big-cell.csv");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_LT(r.out.size(), 20000u);  // messages quote a cut-down value
  std::string rejected = read_file(tmp_ / "big-cell.rejected.csv");
  EXPECT_NE(rejected.find("EMAIL_INVALID"), std::string::npos);
  EXPECT_NE(rejected.find(big + "@x.com"), std::string::npos);  // the cell, verbatim
  EXPECT_EQ(created("ok."), "1");
}

}  // namespace
}  // namespace roster

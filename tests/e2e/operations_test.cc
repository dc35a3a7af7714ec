// Running roster unattended and watched: the progress line on a terminal, and
// nothing of it when nobody watches.

#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_util.h"
#include "roster/import_job.h"

namespace roster {
namespace {

using testing::kRoster;

class OperationsTest : public testing::BinaryTest {
 protected:
  // Runs roster under script(1), which gives it a pseudo-terminal.
  testing::ProcessResult on_terminal(const std::string& args) {
    return testing::run_process(
        {"/usr/bin/script", "-qec", kRoster + " --db " + db_ + " " + args, "/dev/null"},
        tmp_.path());
  }
};

TEST_F(OperationsTest, AProgressLineOnlyOnATerminal) {
  if (!std::filesystem::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is not installed";
  testing::write_file(tmp_ / "big.csv", testing::viewers("big", 20000));  // > 1 MiB
  ASSERT_GT(std::filesystem::file_size(tmp_ / "big.csv"), kProgressMinBytes);

  auto watched = on_terminal("import big.csv --as alice");
  EXPECT_EQ(watched.exit_code, 0) << watched.out;
  EXPECT_NE(watched.out.find(" rows/s, "), std::string::npos) << watched.out;
  EXPECT_NE(watched.out.find("% read, ETA "), std::string::npos);
  EXPECT_NE(watched.out.find("\r\033[K"), std::string::npos);  // erased at the end

  restore_sample();
  auto quiet = on_terminal("import big.csv --as alice --no-progress");
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.out.find("rows/s"), std::string::npos) << quiet.out;

  restore_sample();
  auto cron = roster({"import", "big.csv", "--as", "alice"});  // no terminal
  EXPECT_EQ(cron.exit_code, 0);
  EXPECT_EQ(cron.err.find("rows/s"), std::string::npos) << cron.err;
  EXPECT_EQ(cron.out.find("rows/s"), std::string::npos);
}

}  // namespace
}  // namespace roster

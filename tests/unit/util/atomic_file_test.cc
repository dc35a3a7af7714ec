#include "util/atomic_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>

#include "test_util.h"

namespace roster {
namespace {

using testing::read_file;
using testing::TempDir;

TEST(AtomicFile, AppearsOnlyOnCommit) {
  TempDir dir;
  std::string path = dir / "out.csv";
  {
    auto f = AtomicFile::create(path);
    ASSERT_TRUE(f.is_ok());
    (*f)->write("a,b\n");
    EXPECT_FALSE(testing::file_exists(path));
    ASSERT_TRUE((*f)->commit().is_ok());
  }
  EXPECT_EQ(read_file(path), "a,b\n");
  {
    auto f = AtomicFile::create(path);
    (*f)->write("half");
  }  // dropped without commit: the old file stays, no temporary is left
  EXPECT_EQ(read_file(path), "a,b\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(AtomicFile, ReplacesAPlantedSymlinkInsteadOfFollowingIt) {
  TempDir dir;
  std::string victim = dir / "victim.txt";
  testing::write_file(victim, "precious");
  ASSERT_EQ(::symlink(victim.c_str(), (dir / "report.csv").c_str()), 0);
  ASSERT_TRUE(write_file_atomically(dir / "report.csv", "report").is_ok());
  EXPECT_EQ(read_file(victim), "precious");
  EXPECT_FALSE(std::filesystem::is_symlink(dir / "report.csv"));
  EXPECT_EQ(read_file(dir / "report.csv"), "report");
}

TEST(AtomicFile, AMissingFolderIsAClearError) {
  TempDir dir;
  Status st = write_file_atomically(dir / "no/such/folder/x.csv", "x");
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("no/such/folder"), std::string::npos);
}

TEST(AtomicFile, AWriteThatFailsSurfacesInSyncAndNothingAppears) {
  TempDir dir;
  std::string path = dir / "report.csv";
  auto f = AtomicFile::create(path);
  ASSERT_TRUE(f.is_ok());
  // A file-size limit makes the writes past 4 KiB fail with EFBIG, as a full
  // disk would; restored before any assertion.
  struct rlimit saved {};
  ::getrlimit(RLIMIT_FSIZE, &saved);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 4096;
  ::setrlimit(RLIMIT_FSIZE, &small);
  (*f)->write(std::string(64 * 1024, 'x'));
  Status synced = (*f)->sync();
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(synced.is_ok());
  EXPECT_NE(synced.message().find(path), std::string::npos) << synced.message();
  EXPECT_NE(synced.message().find("too large"), std::string::npos) << synced.message();
  EXPECT_FALSE((*f)->commit().is_ok());
  EXPECT_FALSE(testing::file_exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // no temporary left either
}

}  // namespace
}  // namespace roster

#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"

namespace roster::testing {

// The built roster binary (its path comes from CMake).
inline const std::string kRoster = ROSTER_BINARY;

// A SampleDirectoryTest that runs the real binary on db_, in tmp_.
class BinaryTest : public SampleDirectoryTest {
 protected:
  ProcessResult roster(std::vector<std::string> args, const std::string& stdin_data = "") {
    args.insert(args.begin(), {kRoster, "--db", db_});
    return run_process(args, tmp_.path(), {}, stdin_data);
  }
  // The <stem>.summary.json a run wrote in tmp_.
  nlohmann::json summary(const std::string& stem) {
    return nlohmann::json::parse(read_file(tmp_ / (stem + ".summary.json")));
  }
  // Starts `roster import FILE --as alice` on db_ in the background, in tmp_,
  // with standard output discarded; returns its pid, for tests that kill it.
  pid_t start_import(const std::string& file) {
    return start_roster({"import", file, "--as", "alice"});
  }
  // The same for any roster command.
  pid_t start_roster(std::vector<std::string> args) {
    args.insert(args.begin(), {kRoster, "--db", db_});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
      if (::chdir(tmp_.path().c_str()) != 0) ::_exit(127);
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::execv(kRoster.c_str(), argv.data());
      ::_exit(127);
    }
    return pid;
  }
};

}  // namespace roster::testing

#pragma once

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
};

}  // namespace roster::testing

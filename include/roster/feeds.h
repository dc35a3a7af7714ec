#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "roster/directory.h"
#include "roster/error_code.h"

namespace roster {

// roster feeds release (SPEC §11): hands users that a feed manages back to
// manual management, so that its runs no longer change them and its --sync
// never disables them.
struct FeedReleaseOptions {
  std::string feed;
  std::vector<std::string> users;  // usernames; empty: every user of the feed
  std::string actor;
};

// One job, one transaction: needs configuration.users and the right to change
// every user released (access.h: check_manage_user), else releases nobody
// (exit 4, each refusal named); a named user that the feed does not manage is
// a usage error (exit 2). Each release is audited (action release, the reason
// naming the feed and the job). Prints what it did to `out`, why it failed to
// `err`.
ExitCode run_feed_release(Directory& dir, const FeedReleaseOptions& options, std::ostream& out,
                          std::ostream& err);

}  // namespace roster

// The command table's administrative commands: invitations, feeds, the
// lifecycle run and logins.

#include "cli/command_options.h"

namespace roster {
namespace {

using namespace cli_options;

void add_feed_commands(std::vector<CommandSpec>& t) {
  t.push_back(
      {"feeds", "roster feeds [list] | roster feeds show NAME", "roster feeds show hr-workday",
       [](auto& d, auto& p) {
         d.add_options()("args", po::value<std::vector<std::string>>(), "list, or show NAME");
         p.add("args", -1);
       },
       [](const po::variables_map& vm, const CommandContext& c) {
         return cmd_feeds(c, {list(vm, "args")});
       }});
  t.push_back({"feeds release", "roster feeds release NAME [--user U]... --as ACTOR",
               "roster feeds release hr-workday --user j.smith --as alice  # a manual account "
               "from now on",
               [](auto& d, auto& p) {
                 d.add_options()("feed", po::value<std::string>()->required(), "the feed")(
                     "user", po::value<std::vector<std::string>>(),
                     "release only this user; repeat for several (default: every user of the "
                     "feed)")("as", po::value<std::string>(), kAsHelp);
                 lock_timeout_option(d, "seconds to wait for an import running on the directory");
                 p.add("feed", 1);
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_feeds_release(c, {text(vm, "feed"), text(vm, "as"), list(vm, "user"),
                                              vm["lock-timeout"].as<int>()});
               }});
}

void add_lifecycle_command(std::vector<CommandSpec>& t) {
  t.push_back(
      {"lifecycle run",
       "roster lifecycle run --as ACTOR [--dry-run] [--max-disable PERCENT] [--report-dir DIR]",
       "roster lifecycle run --as svc.hr-feed --report-dir /var/log/roster  # daily, before "
       "the nightly import",
       [](auto& d, auto&) {
         d.add_options()("as", po::value<std::string>(), kAsHelp)(
             "dry-run", po::bool_switch(), "report who would start or end, commit nothing")(
             "max-disable", po::value<double>()->default_value(10),
             "refuse a run that would take access from more than this percent of the users who "
             "may log in (and more than 10); 100 turns the guard off")(
             "report-dir", po::value<std::string>(),
             "where lifecycle-JOB.summary.json and .changes.csv go (default: here)")(
             "no-invite", po::bool_switch(), "record no invitation for the users who start");
         lock_timeout_option(d, "seconds to wait for an import running on the directory");
       },
       [](const po::variables_map& vm, const CommandContext& c) {
         return cmd_lifecycle(
             c, {text(vm, "as"), text(vm, "report-dir"), flag(vm, "dry-run"), flag(vm, "no-invite"),
                 vm["max-disable"].as<double>(), vm["lock-timeout"].as<int>()});
       }});
}

void add_login_commands(std::vector<CommandSpec>& t) {
  const char* wait = "seconds to wait for an import running on the directory";
  t.push_back({"logins list", "roster logins list", "roster logins list",
               [wait](auto& d, auto&) { lock_timeout_option(d, wait); },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_logins(c, {"list", "", "", "", vm["lock-timeout"].as<int>()});
               }});
  for (const char* action : {"bind", "unbind"}) {
    std::string a = action;
    t.push_back(
        {"logins " + a, "roster logins " + a + " USERNAME LOGIN --as ACTOR",
         a == "bind" ? "roster logins bind alice os:alice --as alice   # the first, while open\n"
                       "  roster logins bind svc.hr-feed pg:roster_scheduler --as alice"
                     : "roster logins unbind j.smith os:jsmith --as alice",
         [wait](auto& d, auto& p) {
           d.add_options()("username", po::value<std::string>()->required(), "the roster user")(
               "login", po::value<std::string>()->required(),
               "os:ACCOUNT (an operating-system account, SQLite) or pg:ROLE (a PostgreSQL "
               "login)")("as", po::value<std::string>(), kAsHelp);
           lock_timeout_option(d, wait);
           p.add("username", 1).add("login", 1);
         },
         [a](const po::variables_map& vm, const CommandContext& c) {
           return cmd_logins(c, {a, text(vm, "username"), text(vm, "login"), text(vm, "as"),
                                 vm["lock-timeout"].as<int>()});
         }});
  }
}

InvitationsCommand invitations_command(const po::variables_map& vm, const char* action) {
  InvitationsCommand c;
  c.action = action;
  c.pending = flag(vm, "pending");
  c.all = flag(vm, "all");
  c.out = text(vm, "out");
  c.job = maybe<int64_t>(vm, "job");
  c.file = maybe_text(vm, "file");
  c.lock_timeout = vm["lock-timeout"].as<int>();
  return c;
}

void add_invitation_commands(std::vector<CommandSpec>& t) {
  const char* wait = "seconds to wait for an import running on the directory";
  t.push_back({"invitations list", "roster invitations list [--pending]",
               "roster invitations list --pending",
               [wait](auto& d, auto&) {
                 d.add_options()("pending", po::bool_switch(), "only those not marked sent");
                 lock_timeout_option(d, wait);
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_invitations(c, invitations_command(vm, "list"));
               }});
  t.push_back({"invitations export", "roster invitations export [--all] [--out FILE]",
               "roster invitations export --out invitations.csv   # the pending ones, for a "
               "mail merge",
               [wait](auto& d, auto&) {
                 d.add_options()("all", po::bool_switch(), "also those already marked sent")(
                     "out", po::value<std::string>(), "write to FILE instead of standard output");
                 lock_timeout_option(d, wait);
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_invitations(c, invitations_command(vm, "export"));
               }});
  t.push_back({"invitations mark-sent", "roster invitations mark-sent --job ID | --file FILE",
               "roster invitations mark-sent --file invitations.csv",
               [wait](auto& d, auto&) {
                 d.add_options()("job", po::value<int64_t>(),
                                 "every pending invitation of this job (roster jobs)")(
                     "file", po::value<std::string>(),
                     "those listed (column Id) in a file of `roster invitations export`");
                 lock_timeout_option(d, wait);
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_invitations(c, invitations_command(vm, "mark-sent"));
               }});
}

}  // namespace

void add_admin_commands(std::vector<CommandSpec>& t) {
  add_invitation_commands(t);
  add_feed_commands(t);
  add_lifecycle_command(t);
  add_login_commands(t);
}

}  // namespace roster

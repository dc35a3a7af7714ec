#include "roster/cli.h"

#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <ostream>

#include "commands.h"

namespace roster {
namespace po = boost::program_options;

namespace {

struct CommandSpec {
  std::string name;  // "import", "sources import", ...
  std::string synopsis;
  std::string example;
  std::function<void(po::options_description&, po::positional_options_description&)> options;
  std::function<ExitCode(const CommandContext&)> run;
};

void file_argument(po::options_description& d, po::positional_options_description& p) {
  d.add_options()("file", po::value<std::string>()->required(),
                  "the CSV file to read (- for standard input)");
  p.add("file", 1);
}

void import_options(po::options_description& d, bool allow_dry_run) {
  d.add_options()("as", po::value<std::string>()->required(),
                  "username of the person running the import (required)");
  if (allow_dry_run) {
    d.add_options()("dry-run", po::bool_switch(), "check and report everything, commit nothing");
  }
  d.add_options()("on-error", po::value<std::string>()->default_value("skip"),
                  "skip: commit the valid rows; abort: commit nothing if a row is rejected")(
      "max-errors", po::value<int64_t>(),
      "stop, and commit nothing, once more than N rows are rejected")(
      "upsert", po::bool_switch(),
      "Create on an existing row updates it; Update on a "
      "missing row creates it")("force", po::bool_switch(),
                                "apply a file even if the same file was imported before")(
      "max-disable", po::value<double>()->default_value(10),
      "refuse a users file that would disable more than this percent of the enabled users "
      "(and more than 10); 100 turns the guard off")(
      "report-dir", po::value<std::string>(),
      "where to write the reports (default: beside the input file)")(
      "default-timezone", po::value<std::string>(), "timezone for rows whose Timezone is empty")(
      "lock-timeout", po::value<int>()->default_value(30),
      "seconds to wait for another import to finish");
}

std::vector<CommandSpec> command_table() {
  std::vector<CommandSpec> t;
  t.push_back({"init", "roster init [--admin USERNAME --email EMAIL]",
               "roster --db /var/lib/roster/roster.db init --admin alice --email "
               "alice@example.com",
               [](auto& d, auto&) {
                 d.add_options()("admin", po::value<std::string>(),
                                 "create the first user, with the Administrator role")(
                     "email", po::value<std::string>(), "e-mail of the first user");
               },
               cmd_init});
  t.push_back(
      {"template",
       "roster template users|roles|sources|sales-channels|permissions "
       "[--out FILE]",
       "roster template users --out new-hires.csv",
       [](auto& d, auto& p) {
         d.add_options()("which", po::value<std::string>()->required(), "which template")(
             "out", po::value<std::string>(), "write to FILE instead of standard output");
         p.add("which", 1);
       },
       [](const CommandContext& c) { return cmd_template(c, c.vm["which"].as<std::string>()); }});
  for (const char* kind : {"sources", "sales-channels", "roles"}) {
    std::string k = kind;
    t.push_back({k + " import", "roster " + k + " import FILE --as ACTOR [options]",
                 "roster " + k + " import " + k + ".csv --as alice --dry-run",
                 [](auto& d, auto& p) {
                   file_argument(d, p);
                   import_options(d, true);
                 },
                 [k](const CommandContext& c) { return cmd_import(c, k, false); }});
    t.push_back({k + " export", "roster " + k + " export [--out FILE]",
                 "roster " + k + " export --out " + k + ".csv",
                 [](auto& d, auto&) {
                   d.add_options()("out", po::value<std::string>(),
                                   "write to FILE instead of standard output");
                 },
                 [k](const CommandContext& c) { return cmd_export_reference(c, k); }});
  }
  t.push_back({"import", "roster import FILE --as ACTOR [options]",
               "roster import new-hires.csv --as alice --default-timezone Europe/Paris",
               [](auto& d, auto& p) {
                 file_argument(d, p);
                 import_options(d, true);
               },
               [](const CommandContext& c) { return cmd_import(c, "users", false); }});
  t.push_back({"validate", "roster validate FILE --as ACTOR (same as import --dry-run)",
               "roster validate new-hires.csv --as alice",
               [](auto& d, auto& p) {
                 file_argument(d, p);
                 import_options(d, false);
               },
               [](const CommandContext& c) { return cmd_import(c, "users", true); }});
  t.push_back({"export",
               "roster export --as ACTOR [--out FILE] [--role R]... [--source S]... "
               "[--enabled 0|1] [--changed-since TIME]",
               "roster export --as alice --role store_associate --out associates.csv",
               [](auto& d, auto&) {
                 d.add_options()("as", po::value<std::string>()->required(),
                                 "username of the person exporting (required)")(
                     "out", po::value<std::string>(), "write to FILE instead of standard output")(
                     "role", po::value<std::vector<std::string>>(),
                     "only users with this role (name or key); repeat for several")(
                     "source", po::value<std::vector<std::string>>(),
                     "only users with this source (external ID); repeat for several")(
                     "enabled", po::value<std::string>(), "only enabled (1) or disabled (0) users")(
                     "changed-since", po::value<std::string>(),
                     "only users created or changed since this UTC time "
                     "(2026-01-31T00:00:00Z)");
               },
               cmd_export_users});
  t.push_back({"jobs", "roster jobs [--limit N] | roster jobs show ID", "roster jobs --limit 5",
               [](auto& d, auto& p) {
                 d.add_options()("limit", po::value<int64_t>()->default_value(20),
                                 "how many jobs, newest first")(
                     "args", po::value<std::vector<std::string>>(), "show ID");
                 p.add("args", -1);
               },
               [](const CommandContext& c) {
                 std::vector<std::string> args;
                 if (c.vm.count("args")) args = c.vm["args"].as<std::vector<std::string>>();
                 return cmd_jobs(c, args);
               }});
  t.push_back({"audit", "roster audit [--job ID] [--user USERNAME] [--since TIME] [--out FILE]",
               "roster audit --user jane.doe --since 2026-01-01T00:00:00Z --out jane.csv",
               [](auto& d, auto&) {
                 d.add_options()("job", po::value<int64_t>(), "only the changes of this job")(
                     "user", po::value<std::string>(), "only the changes to this user")(
                     "since", po::value<std::string>(),
                     "only changes at or after this UTC time (2026-01-31T00:00:00Z)")(
                     "out", po::value<std::string>(), "write to FILE instead of standard output");
               },
               cmd_audit});
  return t;
}

po::options_description global_options() {
  po::options_description d("Global options");
  d.add_options()("help,h", "show help")("version", "show the version")(
      "db", po::value<std::string>(), "the directory file (default: $ROSTER_DB, then ./roster.db)")(
      "config", po::value<std::string>(), "read options from this INI file (long names as keys)")(
      "log-file", po::value<std::string>(), "also write the log to this file")(
      "log-level", po::value<std::string>()->default_value("warn"),
      "trace, debug, info, warn, error or off")("quiet,q", po::bool_switch(), "print only errors");
  return d;
}

std::string general_help(const std::vector<CommandSpec>& table) {
  std::string s =
      "roster: batch user access for order-management back offices\n\n"
      "usage: roster [--db PATH] [--config FILE] [--log-file PATH] [--log-level LEVEL] [-q] "
      "COMMAND ...\n\ncommands:\n";
  for (const CommandSpec& c : table) s += "  " + c.synopsis + "\n";
  s += "\n'roster COMMAND --help' shows a command's options and an example.\n"
       "Exit codes: 0 ok, 1 rows rejected, 2 usage, 3 file refused, 4 actor not allowed,\n"
       "5 database busy or failed, 6 refused by the disable guard.\n";
  return s;
}

void setup_logging(const po::variables_map& vm, std::ostream& err) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err);
  std::vector<spdlog::sink_ptr> sinks{sink};
  if (vm.count("log-file")) {
    sinks.push_back(
        std::make_shared<spdlog::sinks::basic_file_sink_mt>(vm["log-file"].as<std::string>()));
  }
  auto logger = std::make_shared<spdlog::logger>("roster", sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S%z roster[%P] %l: %v");
  std::string level = vm["log-level"].as<std::string>();
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    throw po::error("--log-level must be trace, debug, info, warn, error or off");
  }
  if (vm["quiet"].as<bool>() && vm["log-level"].defaulted()) lvl = spdlog::level::err;
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// The command name and its own arguments: "sources import x.csv" gives
// ("sources import", ["x.csv"]).
std::pair<std::string, std::vector<std::string>> split_command(
    const po::parsed_options& parsed, const std::vector<CommandSpec>& table) {
  std::vector<std::string> rest = po::collect_unrecognized(parsed.options, po::include_positional);
  if (rest.empty()) return {"", {}};
  std::string name = rest.front();
  rest.erase(rest.begin());
  if (!rest.empty()) {
    std::string two = name + " " + rest.front();
    for (const CommandSpec& c : table) {
      if (c.name == two) {
        rest.erase(rest.begin());
        return {two, rest};
      }
    }
  }
  return {name, rest};
}

int usage_error(std::ostream& err, const std::string& message, const std::string& command) {
  err << "roster: error: " << message << "\n";
  err << "Try 'roster " << (command.empty() ? "" : command + " ") << "--help'.\n";
  return static_cast<int>(ExitCode::kUsage);
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const std::vector<CommandSpec> table = command_table();
  po::options_description global = global_options();
  std::string command;
  try {
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::string>())(
        "command-args", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(global).add(hidden);
    po::positional_options_description pos;
    pos.add("command", 1).add("command-args", -1);
    po::parsed_options parsed =
        po::command_line_parser(args).options(all).positional(pos).allow_unregistered().run();
    po::variables_map vm;
    po::store(parsed, vm);
    auto [name, rest] = split_command(parsed, table);
    command = name;
    if (vm.count("version")) {
      out << "roster " << ROSTER_VERSION << "\n";
      return 0;
    }
    if (command.empty()) {
      if (vm.count("help")) {
        out << general_help(table) << "\n" << global;
        return 0;
      }
      return usage_error(err, "no command given", "");
    }
    const CommandSpec* spec = nullptr;
    for (const CommandSpec& c : table) {
      if (c.name == command) spec = &c;
    }
    if (spec == nullptr) return usage_error(err, "unknown command '" + command + "'", "");

    po::options_description own(spec->name + " options");
    po::positional_options_description own_pos;
    spec->options(own, own_pos);
    if (vm.count("help")) {
      out << "usage: " << spec->synopsis << "\n\n"
          << own << "\n"
          << global << "\nexample:\n  " << spec->example << "\n";
      return 0;
    }
    po::store(po::command_line_parser(rest).options(own).positional(own_pos).run(), vm);
    // --db: command line, then ROSTER_DB, then the config file, then ./roster.db.
    std::string db = vm.count("db") ? vm["db"].as<std::string>() : "";
    if (const char* env = std::getenv("ROSTER_DB"); db.empty() && env && *env) db = env;
    if (vm.count("config")) {
      std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) return usage_error(err, "cannot read the config file \"" + path + "\"", command);
      po::options_description both;
      both.add(global).add(own);
      po::store(po::parse_config_file(in, both, true), vm);
    }
    po::notify(vm);
    setup_logging(vm, err);
    if (db.empty()) db = vm.count("db") ? vm["db"].as<std::string>() : "roster.db";
    CommandContext ctx{vm, out, err, db, vm["quiet"].as<bool>()};
    return static_cast<int>(spec->run(ctx));
  } catch (const po::error& e) {
    return usage_error(err, e.what(), command);
  } catch (const spdlog::spdlog_ex& e) {
    return usage_error(err, std::string("cannot set up logging: ") + e.what(), command);
  }
}

}  // namespace roster

#include "roster/cli.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <ostream>
#include <streambuf>

#include "cli/command_table.h"
#include "cli/commands.h"
#include "roster/text.h"
#include "util/logging.h"

namespace roster {
namespace po = boost::program_options;

namespace {

const char* const kSystemConfig = "/etc/roster/roster.conf";

// Standard error as a command writes it, passed on unbuffered, keeping the
// lines roster itself says ("roster: ..."; not the rows' lines): the reason
// of a failed run, for its log.
class ReasonBuf : public std::streambuf {
 public:
  explicit ReasonBuf(std::streambuf* to) : to_(to) {}
  std::string_view reason() const { return reason_; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    keep(traits_type::to_char_type(c));
    return to_->sputc(traits_type::to_char_type(c));
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) keep(s[i]);
    return to_->sputn(s, n);
  }
  int sync() override { return to_->pubsync(); }

 private:
  static constexpr size_t kMaxLines = 5;
  void keep(char c) {
    if (c != '\n' && c != '\r') {
      line_ += c;
      return;
    }
    if (line_.rfind("roster: ", 0) == 0 && kept_ < kMaxLines) {
      reason_ += (kept_++ ? " | " : "") + line_;
    }
    line_.clear();
  }
  std::streambuf* to_;
  std::string line_, reason_;
  size_t kept_ = 0;
};

po::options_description global_options() {
  po::options_description d("Global options");
  auto add = d.add_options();
  add("help,h", "show help");
  add("version", "show the version");
  add("db", po::value<std::string>(),
      "the directory: a SQLite file, or a PostgreSQL URI such as "
      "postgresql://user@host/dbname (default: $ROSTER_DB, then the config file, then "
      "./roster.db)");
  add("config", po::value<std::string>(),
      "read options from this INI file, long option names as keys (default: $ROSTER_CONFIG, "
      "then /etc/roster/roster.conf when it exists)");
  add("log-file", po::value<std::string>(), "also write the log to this file, rotated by size");
  add("log-max-size", po::value<double>()->default_value(10), "rotate the log file past N MiB");
  add("log-max-files", po::value<size_t>()->default_value(5), "keep N rotated log files");
  add("log-format", po::value<std::string>()->default_value("text"),
      "text, or json (one object a line)");
  add("syslog", po::bool_switch(), "also log to syslog / journald");
  add("log-level", po::value<std::string>()->default_value("warn"),
      "trace, debug, info, warn, error or off, for standard error (the log file and syslog "
      "get info or finer)");
  add("quiet,q", po::bool_switch(), "print only errors");
  return d;
}

std::string general_help(const std::vector<CommandSpec>& table) {
  std::string s =
      "roster: batch user access for order-management back offices\n\n"
      "usage: roster [--db PATH|URI] [--config FILE] [--log-file PATH] [--log-level LEVEL] [-q] "
      "COMMAND ...\n\ncommands:\n";
  for (const CommandSpec& c : table) s += "  " + c.synopsis + "\n";
  s += "\n'roster COMMAND --help' shows a command's options and an example.\n"
       "'roster template users --example' writes every column with two rows to copy;\n"
       "'roster explain CODE' says what a report's code means and what to do.\n"
       "Exit codes: 0 ok, 1 rows rejected, 2 usage, 3 file refused, 4 actor not allowed,\n"
       "5 database busy or failed, 6 refused by the disable guard.\n";
  return s;
}

LogOptions log_options(const po::variables_map& vm) {
  LogOptions o;
  o.level = vm["log-level"].as<std::string>();
  o.level_given = !vm["log-level"].defaulted();
  o.quiet = vm["quiet"].as<bool>();
  if (vm.count("log-file")) o.file = vm["log-file"].as<std::string>();
  double mib = vm["log-max-size"].as<double>();
  if (!(mib > 0)) throw po::error("--log-max-size takes a size in MiB, more than 0");
  o.max_size_bytes = static_cast<size_t>(mib * 1024 * 1024) + 1;
  o.max_files = vm["log-max-files"].as<size_t>();
  o.syslog = vm["syslog"].as<bool>();
  std::string format = vm["log-format"].as<std::string>();
  if (format != "text" && format != "json") throw po::error("--log-format takes text or json");
  o.json = format == "json";
  return o;
}

// The config file: --config, else $ROSTER_CONFIG, else /etc/roster/roster.conf
// when it exists.
std::string config_path(const po::variables_map& vm) {
  if (vm.count("config")) return vm["config"].as<std::string>();
  if (const char* env = std::getenv("ROSTER_CONFIG"); env && *env) return env;
  std::ifstream probe(kSystemConfig);
  return probe ? kSystemConfig : "";
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

// A command that is not in the table. When it is the first word of some that
// are ("roster invitations"), lists them: with --help as help, otherwise as
// the usage error.
int group_usage(const std::vector<CommandSpec>& table, const std::string& command,
                const std::vector<std::string>& rest, bool help, std::ostream& out,
                std::ostream& err) {
  std::string commands;
  for (const CommandSpec& c : table) {
    if (c.name.rfind(command + " ", 0) == 0) commands += "\n  " + c.synopsis;
  }
  if (commands.empty()) {
    // "roster users import": users are the main template, so their commands
    // have no group word.
    if (command == "users" && !rest.empty() && (rest[0] == "import" || rest[0] == "export")) {
      return usage_error(err,
                         "unknown command 'users " + rest[0] +
                             "'; users are imported and "
                             "exported with 'roster " +
                             rest[0] + "'",
                         "");
    }
    std::vector<std::string> names;
    for (const CommandSpec& c : table) names.push_back(c.name.substr(0, c.name.find(' ')));
    auto best = closest_match(command, names);
    return usage_error(
        err, "unknown command '" + command + "'" + (best ? "; did you mean '" + *best + "'?" : ""),
        "");
  }
  bool unknown_word = !rest.empty() && rest.front().rfind('-', 0) != 0;
  if (help && !unknown_word) {
    out << "usage:" << commands << "\n\n'roster " << command
        << " COMMAND --help' shows its options and an example.\n";
    return 0;
  }
  std::string what = unknown_word ? "unknown command '" + command + " " + rest.front() + "'"
                                  : "'" + command + "' needs a command after it";
  return usage_error(err, what + "; one of:" + commands, "");
}

// Every long option name some command or the globals take: a config file is
// shared by every command, so a key is refused only when none knows it.
std::vector<std::string> known_option_names(const std::vector<CommandSpec>& table,
                                            const po::options_description& global) {
  std::vector<std::string> names;
  auto add = [&](const po::options_description& d) {
    for (const auto& o : d.options()) names.push_back(o->long_name());
  };
  add(global);
  for (const CommandSpec& c : table) {
    po::options_description d;
    po::positional_options_description p;
    c.options(d, p);
    add(d);
  }
  return names;
}

// Reads the config file into `vm`: the keys this command and the globals
// take; a key that no command takes is a mistake (a typo would silently leave
// a safety option at its default), refused naming the nearest known one.
void read_config_file(std::istream& in, const std::string& path,
                      const po::options_description& both, const std::vector<std::string>& known,
                      po::variables_map& vm) {
  po::parsed_options parsed = po::parse_config_file(in, both, true);
  for (const po::option& o : parsed.options) {
    if (!o.unregistered || std::find(known.begin(), known.end(), o.string_key) != known.end()) {
      continue;
    }
    std::optional<std::string> near = closest_match(o.string_key, known);
    throw po::error(fmt::format("the config file \"{}\" has an unknown key \"{}\"{}", path,
                                o.string_key,
                                near ? fmt::format("; did you mean \"{}\"?", *near) : ""));
  }
  po::store(parsed, vm);
}

// Parses a known command's own options (command line, then the config file),
// sets up logging and runs it. Boost's and spdlog's errors reach run_cli.
int run_command(const CommandSpec& spec, const std::vector<CommandSpec>& table,
                const std::vector<std::string>& rest, const po::options_description& global,
                po::variables_map& vm, std::ostream& out, std::ostream& err) {
  const std::string& command = spec.name;
  po::options_description own(spec.name + " options");
  po::positional_options_description own_pos;
  spec.options(own, own_pos);
  if (vm.count("help")) {
    // Arguments given by position (FILE, ID) are in the synopsis, not listed
    // as options; the global options are roster --help's.
    po::options_description visible(spec.name + " options");
    for (const auto& o : own.options()) {
      bool positional = false;
      for (unsigned i = 0; i < std::min(own_pos.max_total_count(), 4u); ++i) {
        positional = positional || own_pos.name_for_position(i) == o->long_name();
      }
      if (!positional) visible.add(o);
    }
    out << "usage: " << spec.synopsis << "\n\n";
    if (!visible.options().empty()) out << visible << "\n";
    out << "and the global options (--db, --config, --log-file, -q, ...): "
        << "roster --help\n\nexample:\n  " << spec.example << "\n";
    return 0;
  }
  try {
    po::store(po::command_line_parser(rest).options(own).positional(own_pos).run(), vm);
  } catch (const po::unknown_option& e) {
    std::vector<std::string> names;
    const po::options_description* both[] = {&own, &global};
    for (const po::options_description* d : both) {
      for (const auto& o : d->options()) names.push_back("--" + o->long_name());
    }
    auto best = closest_match(e.get_option_name(), names);
    return usage_error(err,
                       "unknown option '" + e.get_option_name() + "'" +
                           (best ? "; did you mean '" + *best + "'?" : ""),
                       command);
  }
  // --db: command line, then ROSTER_DB, then the config file, then ./roster.db.
  std::string db = vm.count("db") ? vm["db"].as<std::string>() : "";
  if (const char* env = std::getenv("ROSTER_DB"); db.empty() && env && *env) db = env;
  if (std::string path = config_path(vm); !path.empty()) {
    std::ifstream in(path);
    if (!in) return usage_error(err, "cannot read the config file \"" + path + "\"", command);
    po::options_description both;
    both.add(global).add(own);
    read_config_file(in, path, both, known_option_names(table, global), vm);
  }
  po::notify(vm);
  ReasonBuf err_buf(err.rdbuf());
  std::ostream tee(&err_buf);
  // The logger writes to `tee`: it must stop before `tee` goes, however this
  // function is left.
  struct LoggingReset {
    ~LoggingReset() { reset_logging(); }
  } logging_reset;
  setup_logging(log_options(vm), tee);
  if (db.empty()) db = vm.count("db") ? vm["db"].as<std::string>() : "roster.db";
  CommandContext ctx{out, tee, db, vm["quiet"].as<bool>()};
  int code = static_cast<int>(spec.run(vm, ctx));
  // Every run's end in the log, with why when it failed: an actor refused or
  // a lock is no job, and a log shipper still sees it (issue 31, item 12).
  log_event(spdlog::level::info, fmt::format("roster {} exited {}", command, code),
            {{"command", command},
             {"exit_code", int64_t{code}},
             {"reason", code == 0 ? std::string_view() : err_buf.reason()}});
  return code;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  struct LoggingGuard {
    ~LoggingGuard() { reset_logging(); }
  } logging_guard;
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
    if (spec == nullptr) return group_usage(table, command, rest, vm.count("help") > 0, out, err);

    return run_command(*spec, table, rest, global, vm, out, err);
  } catch (const po::error& e) {
    return usage_error(err, e.what(), command);
  } catch (const spdlog::spdlog_ex& e) {
    return usage_error(err, std::string("cannot set up logging: ") + e.what(), command);
  } catch (const std::invalid_argument& e) {
    return usage_error(err, e.what(), command);
  }
}

}  // namespace roster

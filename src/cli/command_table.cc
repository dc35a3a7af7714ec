// The command table: each command's options, and its options turned into the
// command's typed struct (commands.h). Nothing else reads Boost's variables_map
// but cli.cc.

#include "cli/command_table.h"

#include <optional>

#include "cli/command_options.h"

namespace roster {
namespace po = boost::program_options;
namespace {

using namespace cli_options;

ImportCommand import_command(const po::variables_map& vm, ImportKind kind, bool validate) {
  ImportCommand c;
  c.kind = kind;
  c.validate = validate;
  c.file = maybe_text(vm, "file");
  c.inbox = maybe_text(vm, "inbox");
  c.actor = text(vm, "as");
  c.dry_run = flag(vm, "dry-run");
  c.on_error = maybe<std::string>(vm, "on-error").value_or(c.on_error);
  c.max_errors = maybe<int64_t>(vm, "max-errors");
  c.upsert = flag(vm, "upsert");
  c.no_invite = flag(vm, "no-invite");
  c.feed = text(vm, "feed");
  c.sync = flag(vm, "sync");
  c.force = flag(vm, "force");
  c.no_progress = flag(vm, "no-progress");
  c.max_disable = maybe<double>(vm, "max-disable").value_or(c.max_disable);
  c.report_dir = text(vm, "report-dir");
  c.default_timezone = text(vm, "default-timezone");
  c.delimiter = vm["delimiter"].as<std::string>();
  c.encoding = vm["encoding"].as<std::string>();
  c.archive = text(vm, "archive");
  c.failed = text(vm, "failed");
  if (vm.count("min-age")) c.min_age = vm["min-age"].as<int>();
  c.lock_timeout = vm["lock-timeout"].as<int>();
  return c;
}

void file_argument(po::options_description& d, po::positional_options_description& p) {
  d.add_options()("file", po::value<std::string>(), "the CSV file to read (- for standard input)");
  p.add("file", 1);
}

void inbox_options(po::options_description& d) {
  auto add = d.add_options();
  add("inbox", po::value<std::string>(),
      "instead of FILE: import every *.csv of this folder, in name order, one job each");
  add("archive", po::value<std::string>(), "with --inbox: where imported files go (INBOX/archive)");
  add("failed", po::value<std::string>(), "with --inbox: where refused files go (INBOX/failed)");
  add("min-age", po::value<int>()->default_value(60),
      "with --inbox: leave files modified less than this many seconds ago");
}

// Which options an import takes: `roster import` every one; validate none of
// those that decide what a run commits (it commits nothing); reference-data
// imports none of those that only a users file uses.
enum class ImportFlavor { kUsers, kValidate, kReference };

void import_options(po::options_description& d, ImportFlavor flavor) {
  auto add = d.add_options();
  add("as", po::value<std::string>(), kAsHelp);
  if (flavor != ImportFlavor::kValidate) {
    add("dry-run", po::bool_switch(), "check and report everything, commit nothing");
    add("on-error", po::value<std::string>()->default_value("skip"),
        "skip: commit the valid rows; abort: commit nothing if a row is rejected");
    add("max-errors", po::value<int64_t>(),
        "stop, and commit nothing, once more than N rows are rejected");
  }
  add("upsert", po::bool_switch(),
      "Create on an existing row updates it; Update on a missing row creates it; Action may "
      "be blank or missing");
  if (flavor != ImportFlavor::kValidate) {
    add("force", po::bool_switch(), "apply a file even if the same file was imported before");
  }
  if (flavor != ImportFlavor::kReference) {
    add("max-disable", po::value<double>()->default_value(10),
        "refuse a file that would disable more than this percent of the enabled users (and "
        "more than 10); 100 turns the guard off");
  }
  add("report-dir", po::value<std::string>(),
      "where to write the reports (default: beside the input file)");
  if (flavor != ImportFlavor::kReference) {
    add("default-timezone", po::value<std::string>(),
        "timezone for rows whose Timezone is empty (the column may then be missing)");
  }
  add("delimiter", po::value<std::string>()->default_value(","),
      "the separator: , or ; (Excel in many European locales) or tab");
  add("encoding", po::value<std::string>()->default_value("utf-8"),
      "the file's encoding: utf-8, windows-1252 (Excel's \"CSV\" on Windows) or iso-8859-1");
  lock_timeout_option(d, "seconds to wait for another import to finish");
  d.add_options()("no-progress", po::bool_switch(), "no live progress line, even on a terminal");
}

void invite_option(po::options_description& d) {
  d.add_options()("no-invite", po::bool_switch(),
                  "record no invitation for the users this file creates or re-enables");
}

void feed_options(po::options_description& d) {
  d.add_options()("feed", po::value<std::string>(),
                  "the system the file comes from (hr-workday): the users it creates are "
                  "managed by that feed, and a row for another feed's user is rejected")(
      "sync", po::bool_switch(),
      "with --feed: the file is the feed's whole snapshot; its enabled users missing from "
      "it are disabled");
}

void add_setup_commands(std::vector<CommandSpec>& t) {
  t.push_back({"init", "roster init [--admin USERNAME --email EMAIL [--bind]] [--group GROUP]",
               "roster --db /var/lib/roster/roster.db init --admin alice --email "
               "alice@example.com",
               [](auto& d, auto&) {
                 d.add_options()("admin", po::value<std::string>(),
                                 "create the first user, with the Administrator role")(
                     "email", po::value<std::string>(), "e-mail of the first user")(
                     "bind", po::bool_switch(),
                     "bind the login running init (os:ACCOUNT, pg:ROLE) to --admin: from then "
                     "on --as is a fact, not a claim")(
                     "group", po::value<std::string>(),
                     "SQLite: share the directory file with this group (mode 0660, else 0600)");
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_init(c, {text(vm, "admin"), text(vm, "email"), flag(vm, "bind"),
                                     text(vm, "group")});
               }});
  std::string template_names;
  for (const TemplateKind& tk : template_kinds()) {
    template_names += (template_names.empty() ? "" : "|") + std::string(tk.name);
  }
  t.push_back(
      {"template", "roster template " + template_names + " [--example] [--out FILE]",
       "roster template users --out new-hires.csv\n"
       "  roster template users --example  # every column, two rows to copy",
       [](auto& d, auto& p) {
         d.add_options()("which", po::value<std::string>()->required(), "which template")(
             "example", po::bool_switch(),
             "users: every column, the optional ones too, and two example rows")(
             "out", po::value<std::string>(), "write to FILE instead of standard output");
         p.add("which", 1);
       },
       [](const po::variables_map& vm, const CommandContext& c) {
         return cmd_template(c, {text(vm, "which"), text(vm, "out"), vm["example"].as<bool>()});
       }});
  t.push_back({"explain", "roster explain [CODE]",
               "roster explain ROLE_NOT_ASSIGNABLE\n"
               "  roster explain  # every code, one line each",
               [](auto& d, auto& p) {
                 d.add_options()("code", po::value<std::string>(), "the code to explain");
                 p.add("code", 1);
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_explain(c, text(vm, "code"));
               }});
}

// `roster KIND import` and `roster KIND export` for each reference template.
void add_reference_commands(std::vector<CommandSpec>& t) {
  for (const TemplateKind& tk : template_kinds()) {
    if (!tk.import || *tk.import == ImportKind::kUsers) continue;  // users: `roster import`
    std::string k(tk.name);
    ImportKind kind = *tk.import;
    t.push_back({k + " import", "roster " + k + " import FILE --as ACTOR [options]",
                 "roster " + k + " import " + k + ".csv --as alice --dry-run",
                 [](auto& d, auto& p) {
                   file_argument(d, p);
                   import_options(d, ImportFlavor::kReference);
                 },
                 [kind](const po::variables_map& vm, const CommandContext& c) {
                   return cmd_import(c, import_command(vm, kind, false));
                 }});
    t.push_back({k + " export", "roster " + k + " export [--out FILE]",
                 "roster " + k + " export --out " + k + ".csv",
                 [](auto& d, auto&) {
                   d.add_options()("out", po::value<std::string>(),
                                   "write to FILE instead of standard output");
                 },
                 [kind](const po::variables_map& vm, const CommandContext& c) {
                   return cmd_export_reference(c, {kind, text(vm, "out")});
                 }});
  }
}

void add_user_commands(std::vector<CommandSpec>& t) {
  t.push_back(
      {"import", "roster import FILE|--inbox DIR --as ACTOR [options]",
       "roster import new-hires.csv --as alice --default-timezone Europe/Paris\n"
       "  roster import --inbox /var/spool/roster/inbox --as svc.hr-feed  # nightly\n"
       "  roster import hr-2026-12-07.csv --as svc.hr-feed --feed hr-workday --sync"
       "  # a full HR snapshot: leavers disabled\n"
       "  roster import holiday-wave.csv --as alice  # with Start date and End date columns "
       "(roster template users --example)",
       [](auto& d, auto& p) {
         file_argument(d, p);
         import_options(d, ImportFlavor::kUsers);
         invite_option(d);
         feed_options(d);
         inbox_options(d);
       },
       [](const po::variables_map& vm, const CommandContext& c) {
         return cmd_import(c, import_command(vm, ImportKind::kUsers, false));
       }});
  t.push_back({"validate", "roster validate FILE --as ACTOR (same as import --dry-run)",
               "roster validate new-hires.csv --as alice",
               [](auto& d, auto& p) {
                 file_argument(d, p);
                 import_options(d, ImportFlavor::kValidate);
                 invite_option(d);
                 feed_options(d);
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_import(c, import_command(vm, ImportKind::kUsers, true));
               }});
  t.push_back({"export",
               "roster export --as ACTOR [--out FILE] [--role R]... [--source S]... "
               "[--enabled 0|1] [--active 0|1] [--changed-since TIME] [--feed NAME]",
               "roster export --as alice --role store_associate --out associates.csv",
               [](auto& d, auto&) {
                 d.add_options()("as", po::value<std::string>(), kAsHelp)(
                     "out", po::value<std::string>(), "write to FILE instead of standard output")(
                     "role", po::value<std::vector<std::string>>(),
                     "only users with this role (name or key); repeat for several")(
                     "source", po::value<std::vector<std::string>>(),
                     "only users with this source (external ID); repeat for several")(
                     "enabled", po::value<std::string>(), "only enabled (1) or disabled (0) users")(
                     "active", po::value<std::string>(),
                     "only users who may log in today (1: enabled and within their Start and "
                     "End dates) or who may not (0)")(
                     "changed-since", po::value<std::string>(),
                     "only users created or changed since this UTC time "
                     "(2026-01-31T00:00:00Z)")("feed", po::value<std::string>(),
                                               "only the users this feed manages");
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 UserExportCommand e;
                 e.options.actor = text(vm, "as");
                 e.options.out = text(vm, "out");
                 e.options.roles = list(vm, "role");
                 e.options.sources = list(vm, "source");
                 e.options.changed_since = text(vm, "changed-since");
                 e.options.feed = text(vm, "feed");
                 e.enabled = maybe_text(vm, "enabled");
                 e.active = maybe_text(vm, "active");
                 return cmd_export_users(c, e);
               }});
}

void add_history_commands(std::vector<CommandSpec>& t) {
  t.push_back({"jobs", "roster jobs [--limit N] | roster jobs show ID", "roster jobs --limit 5",
               [](auto& d, auto& p) {
                 d.add_options()("limit", po::value<int64_t>()->default_value(20),
                                 "how many jobs, newest first")(
                     "args", po::value<std::vector<std::string>>(), "show ID");
                 p.add("args", -1);
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_jobs(c, {vm["limit"].as<int64_t>(), list(vm, "args")});
               }});
  t.push_back({"audit",
               "roster audit [--job ID] [--user USERNAME] [--since TIME] [--out FILE]\n"
               "  roster audit --job ID --reverse --out FILE --as ACTOR",
               "roster audit --user jane.doe --since 2026-01-01T00:00:00Z --out jane.csv\n"
               "  roster audit --job 42 --reverse --out undo-42.csv --as alice  # then review "
               "and import it",
               [](auto& d, auto&) {
                 d.add_options()("job", po::value<int64_t>(), "only the changes of this job")(
                     "user", po::value<std::string>(), "only the changes to this user")(
                     "since", po::value<std::string>(),
                     "only changes at or after this UTC time (2026-01-31T00:00:00Z)")(
                     "out", po::value<std::string>(), "write to FILE instead of standard output")(
                     "reverse", po::bool_switch(),
                     "with --job: write a users file that puts back what the job changed")(
                     "as", po::value<std::string>(),
                     "with --reverse: username of the person asking (needs configuration.users)");
               },
               [](const po::variables_map& vm, const CommandContext& c) {
                 return cmd_audit(
                     c, {maybe<int64_t>(vm, "job"), text(vm, "user"), maybe_text(vm, "since"),
                         text(vm, "out"), flag(vm, "reverse"), text(vm, "as")});
               }});
}

}  // namespace

std::vector<CommandSpec> command_table() {
  std::vector<CommandSpec> t;
  add_setup_commands(t);
  add_reference_commands(t);
  add_user_commands(t);
  add_history_commands(t);
  add_admin_commands(t);
  t.push_back(
      {"migrate", "roster migrate --from ADDRESS --to ADDRESS [--lock-timeout SECONDS]",
       "roster migrate --from roster.db --to postgresql://roster@db.internal/roster",
       [](auto& d, auto&) {
         d.add_options()("from", po::value<std::string>()->required(),
                         "the directory to copy: a file, or a postgresql:// URI")(
             "to", po::value<std::string>()->required(),
             "where to copy it: a new file, or an empty database on a server");
         lock_timeout_option(d, "seconds to wait for an import running on either");
       },
       [](const po::variables_map& vm, const CommandContext& c) {
         return cmd_migrate(c, {text(vm, "from"), text(vm, "to"), vm["lock-timeout"].as<int>()});
       }});
  return t;
}

}  // namespace roster

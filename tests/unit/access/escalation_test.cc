// No escalation: every sample actor that may import users tries every target
// role with every source, every sales channel and the "all" flags. Whatever
// got created is then checked, in SQL and independently of the code under
// test, against the rules of SPEC §1. A single violation is an escalation.

#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"
#include "roster/import_job.h"
#include "test_util.h"

namespace roster {
namespace {

class EscalationTest : public testing::SampleDirectoryTest {};

TEST_F(EscalationTest, NoActorCreatesAUserBeyondWhatItMayGrant) {
  std::vector<Permission> catalog = permission_catalog();
  Directory::Options o;
  o.catalog = &catalog;
  auto opened = Directory::open(db_, o);
  ASSERT_TRUE(opened.is_ok());
  Directory& dir = **opened;
  std::vector<std::string> roles, sources, channels;
  for (const Role* r : dir.roles()) roles.push_back(r->name);
  for (const Source* s : dir.sources()) sources.push_back(s->external_id);
  for (const SalesChannel* c : dir.channels()) channels.push_back(c->external_id);

  const std::vector<std::string> actors = {"alice",    "hq.ops",     "d.chen",        "m.garcia",
                                           "s.okafor", "tom.reilly", "nina.kowalski", "lucy.park"};
  int64_t rows_total = 0, created_total = 0;
  for (const std::string& actor : actors) {
    std::string file =
        "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
        "Sources,Action,Sales channels\n";
    int n = 0;
    auto row = [&](const std::string& role, const std::string& all_ch, const std::string& all_src,
                   const std::string& src, const std::string& ch) {
      std::string u = "esc." + actor + "." + std::to_string(n++);
      file += u + "," + u + "@esc.example,1," + all_ch + "," + all_src + ",UTC," + role + "," +
              src + ",Create," + ch + "\n";
    };
    for (const std::string& role : roles) {
      for (const std::string& s : sources) row(role, "0", "0", s, "");
      for (const std::string& c : channels) row(role, "0", "0", "", c);
      row(role, "0", "1", "", "");
      row(role, "1", "0", "", "");
    }
    testing::write_file(tmp_ / "escalate.csv", file);
    ImportOptions opts;
    opts.file = tmp_ / "escalate.csv";
    opts.actor = actor;
    opts.report_dir = tmp_.path();
    opts.quiet = true;
    std::ostringstream out;
    Summary summary;
    ExitCode code = run_import(dir, opts, out, &summary);
    EXPECT_TRUE(code == ExitCode::kOk || code == ExitCode::kRowsRejected) << actor << out.str();
    rows_total += summary.rows_read;
    created_total += summary.created;
  }
  EXPECT_EQ(rows_total, static_cast<int64_t>(actors.size() * roles.size() *
                                             (sources.size() + channels.size() + 2)));
  EXPECT_GT(created_total, 0);               // the sweep did create users...
  EXPECT_LT(created_total, rows_total / 2);  // ...and refused most of them

  // Each created user against its creator, straight from the tables.
  const char* kCreated =
      "WITH created AS ("
      " SELECT u.id, u.all_sources, u.all_sales_channels, r.id AS role, r.hierarchy AS rh,"
      "  r.all_sources AS r_all_src, r.all_sales_channels AS r_all_ch,"
      "  a.id AS actor, a.all_sources AS a_all_src, a.all_sales_channels AS a_all_ch,"
      "  ar.hierarchy AS ah"
      " FROM users u JOIN roles r ON r.id = u.role_id"
      " JOIN users a ON a.username = u.created_by JOIN roles ar ON ar.id = a.role_id"
      " WHERE u.username LIKE 'esc.%') ";
  std::string top = q("SELECT min(hierarchy) FROM roles");
  EXPECT_EQ(q(std::string(kCreated) +
              "SELECT count(*) FROM created WHERE rh < ah OR (rh = ah AND ah != " + top + ")"),
            "0")
      << "a role ranked above its creator";
  EXPECT_EQ(
      q(std::string(kCreated) +
        "SELECT count(*) FROM created WHERE all_sources = 1 AND (r_all_src = 0 OR a_all_src = 0)"),
      "0")
      << "all sources beyond the role or the creator";
  EXPECT_EQ(q(std::string(kCreated) + "SELECT count(*) FROM created WHERE all_sales_channels = 1 "
                                      "AND (r_all_ch = 0 OR a_all_ch = 0)"),
            "0")
      << "all sales channels beyond the role or the creator";
  EXPECT_EQ(q(std::string(kCreated) +
              "SELECT count(*) FROM created c JOIN user_sources us ON us.user_id = c.id "
              "WHERE (c.r_all_src = 0 AND us.source_id NOT IN "
              "  (SELECT source_id FROM role_sources WHERE role_id = c.role)) "
              "OR (c.a_all_src = 0 AND us.source_id NOT IN "
              "  (SELECT source_id FROM user_sources WHERE user_id = c.actor))"),
            "0")
      << "a source beyond the role or the creator";
  EXPECT_EQ(q(std::string(kCreated) +
              "SELECT count(*) FROM created c JOIN user_sales_channels uc ON uc.user_id = c.id "
              "WHERE (c.r_all_ch = 0 AND uc.channel_id NOT IN "
              "  (SELECT channel_id FROM role_sales_channels WHERE role_id = c.role)) "
              "OR (c.a_all_ch = 0 AND uc.channel_id NOT IN "
              "  (SELECT channel_id FROM user_sales_channels WHERE user_id = c.actor))"),
            "0")
      << "a sales channel beyond the role or the creator";
}

}  // namespace
}  // namespace roster

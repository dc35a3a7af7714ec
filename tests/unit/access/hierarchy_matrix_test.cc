// Walks every pair (actor role, target role) of the sample roles and checks the
// hierarchy rule of SPEC §1, for assigning a role (Create) and for changing a
// user who holds it (Update), through the real import pipeline.

#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"
#include "roster/import_job.h"
#include "roster/text.h"
#include "test_util.h"

namespace roster {
namespace {

using testing::query;
using testing::TempDir;

// The rule, written out independently of access.cc.
bool expected_allowed(int actor, int target, int top) {
  return target > actor || (target == actor && actor == top);
}

std::string safe(const std::string& name) {
  std::string out;
  for (char c : to_lower_ascii(name)) out += (c == ' ') ? '_' : c;
  return out;
}

TEST(HierarchyMatrix, EveryActorRoleAgainstEveryTargetRole) {
  TempDir tmp;
  std::string db = tmp / "roster.db";
  testing::make_sample_directory(db, tmp.path());
  std::vector<Permission> catalog = permission_catalog();
  Directory::Options o;
  o.catalog = &catalog;
  auto opened = Directory::open(db, o);
  ASSERT_TRUE(opened.is_ok());
  Directory& dir = **opened;

  std::vector<Role> targets;
  for (const Role* r : dir.roles()) targets.push_back(*r);
  ASSERT_EQ(targets.size(), 11u);  // Administrator and the ten sample roles
  int top = dir.top_hierarchy(kBackOfficeApplicationId);

  // For each sample role, an actor of the same rank but with every permission
  // and every scope, so that only the hierarchy can say no; and, for each pair,
  // an existing user of the target role to update.
  ASSERT_TRUE(dir.begin().is_ok());
  std::string now = "2026-01-01T00:00:00Z";
  for (const Role& a : targets) {
    Role tester;
    tester.name = "Tester " + a.name;
    tester.hierarchy = a.hierarchy;
    for (const Permission& p : catalog) tester.permissions.push_back(p.key);
    tester.sources.all = tester.channels.all = true;
    ASSERT_TRUE(dir.save_role(tester).is_ok());
    User actor;
    actor.username = "actor." + safe(a.name);
    actor.email = actor.username + "@test.example";
    actor.all_sources = actor.all_channels = true;
    actor.timezone = "UTC";
    actor.role_id = tester.id;
    actor.created_at = actor.updated_at = now;
    ASSERT_TRUE(dir.insert_user(actor).is_ok());
    for (const Role& t : targets) {
      User u;
      u.username = "old." + safe(a.name) + "." + safe(t.name);
      u.email = u.username + "@test.example";
      u.all_sources = t.sources.all;
      u.all_channels = t.channels.all;
      if (!t.sources.all) u.sources = {t.sources.ids.front()};
      if (!t.channels.all && !t.channels.ids.empty()) u.channels = {t.channels.ids.front()};
      u.timezone = "UTC";
      u.role_id = t.id;
      u.created_at = u.updated_at = now;
      ASSERT_TRUE(dir.insert_user(u).is_ok());
    }
  }
  ASSERT_TRUE(dir.commit().is_ok());

  int checked = 0;
  for (const Role& a : targets) {
    std::string file =
        "Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
        "Sources,Action,Sales channels\n";
    for (const Role& t : targets) {
      std::string sources =
          t.sources.all ? "" : dir.source_by_id(t.sources.ids.front())->external_id;
      std::string channels = t.channels.all || t.channels.ids.empty()
                                 ? ""
                                 : dir.channel_by_id(t.channels.ids.front())->external_id;
      std::string flags = std::string(t.channels.all ? "1," : "0,") + (t.sources.all ? "1" : "0");
      std::string created = "new." + safe(a.name) + "." + safe(t.name);
      std::string old = "old." + safe(a.name) + "." + safe(t.name);
      file += created + "," + created + "@test.example,1," + flags + ",UTC," + t.name + "," + "\"" +
              sources + "\",Create,\"" + channels + "\"\n";
      file += old + "," + old + "@test.example,1," + flags + ",Europe/Paris," + t.name + "," +
              "\"" + sources + "\",Update,\"" + channels + "\"\n";
    }
    testing::write_file(tmp / "matrix.csv", file);
    ImportOptions opts;
    opts.file = tmp / "matrix.csv";
    opts.actor = "actor." + safe(a.name);
    opts.report_dir = tmp.path();
    std::ostringstream out;
    run_import(dir, opts, out);

    for (const Role& t : targets) {
      bool allowed = expected_allowed(a.hierarchy, t.hierarchy, top);
      std::string created = "new." + safe(a.name) + "." + safe(t.name);
      std::string old = "old." + safe(a.name) + "." + safe(t.name);
      EXPECT_EQ(query(db, "SELECT count(*) FROM users WHERE username = '" + created + "'"),
                allowed ? "1" : "0")
          << a.name << " (" << a.hierarchy << ") assigning " << t.name << " (" << t.hierarchy
          << ")\n"
          << out.str();
      EXPECT_EQ(query(db, "SELECT timezone FROM users WHERE username = '" + old + "'"),
                allowed ? "Europe/Paris" : "UTC")
          << a.name << " (" << a.hierarchy << ") updating a user of " << t.name << " ("
          << t.hierarchy << ")";
      checked += 2;
    }
  }
  EXPECT_EQ(checked, 242);
}

}  // namespace
}  // namespace roster

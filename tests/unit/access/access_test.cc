#include "roster/access.h"

#include <gtest/gtest.h>

#include <climits>
#include <map>

namespace roster {
namespace {

TEST(MayAssign, LowerRolesAlwaysPeersOnlyAtTheTop) {
  // Top of the directory is 0.
  EXPECT_TRUE(may_assign(0, 0, 0));  // the top may create peers
  EXPECT_TRUE(may_assign(0, 5, 0));
  EXPECT_TRUE(may_assign(2, 3, 0));
  EXPECT_FALSE(may_assign(2, 2, 0));  // lower levels may not
  EXPECT_FALSE(may_assign(2, 1, 0));
  EXPECT_FALSE(may_assign(3, 0, 0));
  // When the smallest hierarchy defined is 1, rank 1 is the top.
  EXPECT_TRUE(may_assign(1, 1, 1));
  EXPECT_FALSE(may_assign(1, 0, 1));
}

TEST(Scope, ContainsAndCovers) {
  Scope all{true, {}};
  Scope some{false, {2, 5, 9}};
  Scope fewer{false, {2, 9}};
  EXPECT_TRUE(all.contains(123));
  EXPECT_TRUE(some.contains(5));
  EXPECT_FALSE(some.contains(4));
  EXPECT_TRUE(all.covers(some));
  EXPECT_TRUE(some.covers(fewer));
  EXPECT_FALSE(fewer.covers(some));
  EXPECT_FALSE(some.covers(all));
}

TEST(Actor, HasPermissionLooksUpTheSortedList) {
  Actor a;
  a.permissions = {"configuration.roles", "configuration.users", "stock.view"};
  EXPECT_TRUE(a.has_permission("configuration.users"));
  EXPECT_FALSE(a.has_permission("stock.sources"));
}

// The roles of a small directory, as plain records: the rules ask nothing else.
class Book : public RoleBook {
 public:
  Book() {
    add(1, kBackOfficeApplicationId, "Administrator", 0, true);
    add(2, kBackOfficeApplicationId, "Store manager", 2, false, {10, 11});
    add(3, kBackOfficeApplicationId, "Store assistant", 3, false, {10});
    add(4, 2, "Store app lead", 1, true);
  }
  const Role* role_by_id(int64_t id) const override {
    auto it = roles_.find(id);
    return it == roles_.end() ? nullptr : &it->second;
  }
  int top_hierarchy(int64_t application_id) const override {
    int top = INT_MAX;
    for (const auto& [id, r] : roles_) {
      if (r.application_id == application_id) top = std::min(top, r.hierarchy);
    }
    return top;
  }

 private:
  void add(int64_t id, int64_t app, std::string name, int hierarchy, bool all,
           std::vector<int64_t> sources = {}) {
    Role& r = roles_[id];
    r.id = id;
    r.application_id = app;
    r.name = std::move(name);
    r.hierarchy = hierarchy;
    r.sources = Scope{all, std::move(sources)};
    r.channels = Scope{true, {}};
    r.permissions = {"configuration.users"};
  }
  std::map<int64_t, Role> roles_;
};

User user(int64_t id, int64_t role_id, std::vector<int64_t> sources = {}) {
  User u;
  u.id = id;
  u.username = "user" + std::to_string(id);
  u.role_id = role_id;
  u.sources = std::move(sources);
  u.all_channels = true;
  return u;
}

TEST(MakeActor, RefusesAMissingDisabledRolelessOrUnpermittedUser) {
  Book book;
  EXPECT_EQ(make_actor("", nullptr, "configuration.users", book).status().exit_code(),
            ExitCode::kUsage);
  EXPECT_EQ(make_actor("ghost", nullptr, "configuration.users", book).status().message(),
            "actor \"ghost\" is not a user of this directory");
  User u = user(7, 2, {10});
  u.enabled = false;
  EXPECT_EQ(make_actor("user7", &u, "configuration.users", book).status().exit_code(),
            ExitCode::kActor);
  u.enabled = true;
  u.role_id = 99;
  EXPECT_EQ(make_actor("user7", &u, "configuration.users", book).status().message(),
            "actor \"user7\" has no role");
  u.role_id = 2;
  EXPECT_EQ(make_actor("user7", &u, "configuration.roles", book).status().exit_code(),
            ExitCode::kActor);
  auto actor = make_actor("user7", &u, "configuration.users", book);
  ASSERT_TRUE(actor.is_ok());
  EXPECT_EQ(actor->hierarchy, 2);
  EXPECT_FALSE(actor->top_of_back_office);
  EXPECT_FALSE(actor->sources.all);
  EXPECT_EQ(actor->sources.ids, std::vector<int64_t>{10});
  EXPECT_FALSE(actor->rank_in(2).has_value());  // no store-app role, not at the top
}

TEST(CheckChangeUser, NeverItselfAndOnlyUsersItOutranks) {
  Book book;
  User manager = user(7, 2, {10, 11});
  Actor actor = *make_actor("user7", &manager, "configuration.users", book);
  EXPECT_EQ(check_change_user(actor, manager, book)->code, Code::kSelfModification);
  EXPECT_EQ(check_change_user(actor, user(8, 2), book)->code, Code::kTargetOutranksActor);
  EXPECT_EQ(check_change_user(actor, user(8, 1), book)->detail,
            "has the role \"Administrator\" (hierarchy 0), which you (hierarchy 2) may not "
            "manage");
  EXPECT_FALSE(check_change_user(actor, user(8, 3), book).has_value());
  User app_user = user(9, 3);
  app_user.app_roles = {4};  // a store-app role, where the manager holds none
  EXPECT_EQ(check_change_user(actor, app_user, book)->detail,
            "has the role \"Store app lead\" (hierarchy 1), which you hold no role in its "
            "application may not manage");
}

TEST(CheckUserGrants, RolesAndScopesInTheOrderARowReportsThem) {
  Book book;
  User manager = user(7, 2, {10, 11});
  Actor actor = *make_actor("user7", &manager, "configuration.users", book);
  EXPECT_TRUE(check_user_grants(actor, user(8, 3, {10}), book).empty());

  User after = user(8, 2, {11, 12});  // a peer role; 11 outside nothing; 12 outside both
  std::vector<GrantDenial> denied = check_user_grants(actor, after, book);
  ASSERT_EQ(denied.size(), 3u);
  EXPECT_EQ(denied[0].what, Grant::kRole);
  EXPECT_EQ(denied[0].denial.code, Code::kRoleNotAssignable);
  EXPECT_EQ(denied[1].what, Grant::kSource);
  EXPECT_EQ(denied[1].id, 12);
  EXPECT_EQ(denied[1].denial.code, Code::kSourceNotInRole);
  EXPECT_EQ(denied[2].denial.code, Code::kSourceNotGrantable);

  after = user(8, 3);
  after.all_sources = true;  // the assistant's role has a list, the manager too
  denied = check_user_grants(actor, after, book);
  ASSERT_EQ(denied.size(), 2u);
  EXPECT_EQ(denied[0].denial.code, Code::kAllSourcesNotInRole);
  EXPECT_EQ(denied[1].denial.code, Code::kAllSourcesNotGrantable);
  EXPECT_EQ(denied[1].what, Grant::kAllSources);
}

TEST(CheckManageUser, TheUsersRankAndItsAccessAsItStands) {
  Book book;
  User manager = user(7, 2, {10, 11});
  Actor actor = *make_actor("user7", &manager, "configuration.users", book);
  EXPECT_FALSE(check_manage_user(actor, user(8, 3, {10}), book).has_value());
  EXPECT_EQ(check_manage_user(actor, manager, book)->code, Code::kSelfModification);
  EXPECT_EQ(check_manage_user(actor, user(8, 1), book)->code, Code::kTargetOutranksActor);
  // An assistant ranked below, but with a source the manager lacks.
  EXPECT_EQ(check_manage_user(actor, user(8, 3, {12}), book)->code, Code::kSourceNotInRole);
}

TEST(Feeds, AFeedChangesItsOwnUsersAndClaimsOnlyUnmanagedOnesItMayManage) {
  Book book;
  User manager = user(7, 2, {10, 11});
  Actor actor = *make_actor("user7", &manager, "configuration.users", book);
  User hr = user(8, 3, {10});
  hr.feed = "hr";
  EXPECT_FALSE(check_feed("hr", hr).has_value());
  EXPECT_FALSE(check_feed("", hr).has_value());  // a manual run changes anyone
  auto other = check_feed("pos", hr);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->code, Code::kUserOtherFeed);
  EXPECT_EQ(other->detail.rfind("is managed by feed \"hr\"", 0), 0u) << other->detail;
  EXPECT_FALSE(check_feed("pos", user(9, 3, {10})).has_value());  // nobody's yet

  EXPECT_FALSE(may_claim(actor, "hr", hr, book));               // already managed
  EXPECT_TRUE(may_claim(actor, "hr", user(9, 3, {10}), book));  // unmanaged, in reach
  EXPECT_FALSE(may_claim(actor, "", user(9, 3, {10}), book));   // no feed, no claim
  EXPECT_FALSE(may_claim(actor, "hr", manager, book));          // never the actor
  EXPECT_FALSE(may_claim(actor, "hr", user(9, 1), book));       // ranked above
}

TEST(MaySeeUser, ItselfAndUsersWhoseEveryRoleItMayAssign) {
  Book book;
  User manager = user(7, 2, {10, 11});
  Actor actor = *make_actor("user7", &manager, "configuration.users", book);
  EXPECT_TRUE(may_see_user(actor, manager, book));
  EXPECT_TRUE(may_see_user(actor, user(8, 3), book));
  EXPECT_FALSE(may_see_user(actor, user(8, 2), book));
  EXPECT_FALSE(may_see_user(actor, user(8, 0), book));  // no role at all
  User both = user(9, 3);
  both.app_roles = {4};
  EXPECT_FALSE(may_see_user(actor, both, book));
  User admin = user(1, 1);
  Actor top = *make_actor("user1", &admin, "configuration.users", book);
  EXPECT_TRUE(may_see_user(top, both, book));  // the top outranks an application it is not in
}

TEST(CheckRoleChange, RankOwnRoleAndHierarchy) {
  Book book;
  User manager = user(7, 2, {10, 11});
  Actor actor = *make_actor("user7", &manager, "configuration.users", book);
  Role role = *book.role_by_id(3);
  EXPECT_FALSE(check_role_change(actor, &role, role, "Back office", book).has_value());
  Role own = *book.role_by_id(2);
  EXPECT_EQ(check_role_change(actor, &own, own, "Back office", book)->denial.code,
            Code::kSelfModification);
  Role higher = *book.role_by_id(1);
  EXPECT_EQ(check_role_change(actor, &higher, higher, "Back office", book)->denial.code,
            Code::kTargetOutranksActor);
  Role raised = role;
  raised.hierarchy = 2;
  auto denied = check_role_change(actor, &role, raised, "Back office", book);
  ASSERT_TRUE(denied.has_value());
  EXPECT_TRUE(denied->at_hierarchy);
  EXPECT_EQ(denied->denial.code, Code::kRoleNotAssignable);
  Role app_role = *book.role_by_id(4);
  denied = check_role_change(actor, nullptr, app_role, "Store app", book);
  ASSERT_TRUE(denied.has_value());
  EXPECT_FALSE(denied->at_hierarchy);
  EXPECT_NE(denied->denial.detail.find("\"Store app\", in which you hold no role"),
            std::string::npos);
}

TEST(CheckRoleGrants, PermissionsAndScopesTheActorLacks) {
  Book book;
  User manager = user(7, 2, {10, 11});
  Actor actor = *make_actor("user7", &manager, "configuration.users", book);
  Role role;
  role.permissions = {"configuration.roles", "configuration.users"};
  role.sources = Scope{false, {10, 12}};
  role.channels = Scope{true, {}};
  std::vector<GrantDenial> denied = check_role_grants(actor, role);
  ASSERT_EQ(denied.size(), 2u);
  EXPECT_EQ(denied[0].what, Grant::kPermission);
  EXPECT_EQ(denied[0].permission, "configuration.roles");
  EXPECT_EQ(denied[1].what, Grant::kSource);
  EXPECT_EQ(denied[1].id, 12);
  role.sources = Scope{true, {}};
  denied = check_role_grants(actor, role);
  ASSERT_EQ(denied.size(), 2u);
  EXPECT_EQ(denied[1].denial.code, Code::kAllSourcesNotGrantable);
}

}  // namespace
}  // namespace roster

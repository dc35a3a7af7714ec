#!/usr/bin/env python3
"""Writes samples/: a small US retailer with 3 regions, 60 stores, 3 warehouses,
3 sales channels, 9 roles, an onboarding file of ~230 people (200 of them store
associates) and a file that shows the common mistakes. Deterministic: the same
files every run. Usage: scripts/gen-samples.py [OUT_DIR]"""
import csv
import os
import random
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "samples")
os.makedirs(out, exist_ok=True)
rng = random.Random(20261124)

REGIONS = [
    ("EAST", "East", "America/New_York",
     ["Boston", "New York Soho", "Brooklyn", "Philadelphia", "Baltimore", "Washington",
      "Richmond", "Charlotte", "Raleigh", "Atlanta", "Miami", "Orlando", "Tampa",
      "Pittsburgh", "Hartford", "Providence", "Newark", "Buffalo", "Albany", "Jacksonville"]),
    ("CENT", "Central", "America/Chicago",
     ["Chicago Loop", "Chicago North", "Milwaukee", "Minneapolis", "St. Louis", "Kansas City",
      "Omaha", "Des Moines", "Dallas", "Houston", "Austin", "San Antonio", "New Orleans",
      "Memphis", "Nashville", "Indianapolis", "Detroit", "Columbus", "Cleveland", "Tulsa"]),
    ("WEST", "West", "America/Los_Angeles",
     ["Los Angeles", "Santa Monica", "San Diego", "San Francisco", "Oakland", "San Jose",
      "Sacramento", "Portland", "Seattle", "Tacoma", "Spokane", "Boise", "Reno",
      "Las Vegas", "Phoenix", "Tucson", "Fresno", "Long Beach", "Anaheim", "Bellevue"]),
]
WAREHOUSES = [("WH-EAST", "East distribution center"), ("WH-CENTRAL", "Central distribution center"),
              ("WH-WEST", "West distribution center")]
CHANNELS = [("web", "Web shop"), ("app", "Mobile app"), ("marketplace", "Marketplace partners")]

def write(name, header, rows):
    with open(os.path.join(out, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)

stores = {}
source_rows = [[wid, wname, "warehouse", 1, "Create"] for wid, wname in WAREHOUSES]
for code, region, tz, cities in REGIONS:
    stores[code] = []
    for i, city in enumerate(cities, 1):
        sid = f"{code}-{i:03d}"
        stores[code].append(sid)
        # One store is closed for refurbishment: disabled, still known.
        enabled = 0 if (code, i) == ("CENT", 20) else 1
        source_rows.append([sid, f"{city} store", "store", enabled, "Create"])
write("sources.csv", ["External ID", "Name", "Type", "Enabled", "Action"], source_rows)
write("sales-channels.csv", ["External ID", "Name", "Action"], [[c, n, "Create"] for c, n in CHANNELS])

all_stores = [s for code in stores for s in stores[code]]
SALES = "sales.orders.view,sales.orders.create,sales.quotes.manage,sales.discounts.apply"
CS = ("customer_service.customers.view,customer_service.customers.edit,"
      "customer_service.returns.manage,customer_service.refunds.issue,customer_service.notes.manage")
REPORTS = "reports.sales.view,reports.stock.view,reports.staff.view,reports.export"
roles = [
    ["Headquarters", "hq", 1, "*", 1, "", 1, "", "Create"],
    ["API Integration", "api_integration", 2,
     "internal_tools.api.access,sales.orders.view,stock.view,stock.adjust,stock.reservations.manage",
     1, "", 1, "", "Create"],
]
for code, region, tz, _ in REGIONS:
    wh = {"EAST": "WH-EAST", "CENT": "WH-CENTRAL", "WEST": "WH-WEST"}[code]
    roles.append([f"Retail Director {region}", f"retail_director_{region.lower()}", 2,
                  f"configuration.users,configuration.roles,{SALES},{CS},{REPORTS},stock.view,stock.transfer",
                  0, ",".join(stores[code] + [wh]), 1, "", "Create"])
roles += [
    ["Store Manager", "store_manager", 3,
     f"configuration.users,{SALES},sales.prices.override,customer_service.customers.view,"
     "customer_service.returns.manage,order_modification.lines.edit,order_modification.cancel,"
     "stock.view,stock.adjust,stock.transfer,omnichannel.click_and_collect,"
     "omnichannel.ship_from_store,reports.sales.view,reports.staff.view",
     0, ",".join(all_stores), 1, "", "Create"],
    ["Customer Service Agent", "customer_service", 3,
     f"{CS},sales.orders.view,order_modification.address.edit,order_modification.cancel",
     1, "", 1, "", "Create"],
    ["Store Associate", "store_associate", 4,
     "sales.orders.view,sales.orders.create,customer_service.customers.view,"
     "omnichannel.click_and_collect,stock.view",
     0, ",".join(all_stores), 0, "app,web", "Create"],
    ["Warehouse Operator", "warehouse_operator", 4,
     "stock.view,stock.adjust,stock.transfer,stock.reservations.manage,omnichannel.ship_from_store",
     0, ",".join(w for w, _ in WAREHOUSES), 0, "marketplace,web", "Create"],
    ["Viewer", "viewer", 5, "sales.orders.view,stock.view,reports.sales.view,reports.stock.view",
     1, "", 1, "", "Create"],
]
write("roles.csv", ["Name", "Key", "Hierarchy", "Permissions", "Access all sources", "Sources",
                    "Access all sales channels", "Sales channels", "Action"], roles)

FIRST = ["james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "david",
         "elizabeth", "william", "barbara", "richard", "susan", "joseph", "jessica", "thomas",
         "sarah", "charles", "karen", "chris", "lisa", "daniel", "nancy", "matthew", "betty",
         "anthony", "sandra", "mark", "ashley", "maria", "jose", "wei", "aisha", "kenji", "fatima",
         "luis", "priya", "omar", "sofia"]
LAST = ["smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
        "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor",
        "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez",
        "clark", "ramirez", "lewis", "robinson", "nguyen", "patel", "kim", "chen", "okafor", "silva"]
used = set()

def person():
    while True:
        u = f"{rng.choice(FIRST)}.{rng.choice(LAST)}"
        if u not in used:
            used.add(u)
            return u, f"{u}@northwind-retail.com"

H = ["Username", "E-mail", "Enabled", "Access all sales channels", "Access all sources",
     "Timezone", "Role", "Sources", "Action", "Sales channels"]
users = [
    ["hq.ops", "hq.ops@northwind-retail.com", 1, 1, 1, "America/New_York", "Headquarters", "", "Create", ""],
    ["hq.it", "hq.it@northwind-retail.com", 1, 1, 1, "America/Chicago", "hq", "", "Create", ""],
    ["svc.oms-sync", "oms-sync@integrations.northwind-retail.com", 1, 1, 1, "UTC", "api_integration", "", "Create", ""],
    ["d.chen", "d.chen@northwind-retail.com", 1, 1, 0, "America/New_York", "Retail Director East",
     ",".join(stores["EAST"] + ["WH-EAST"]), "Create", ""],
    ["m.garcia", "m.garcia@northwind-retail.com", 1, 1, 0, "America/Chicago", "Retail Director Central",
     ",".join(stores["CENT"] + ["WH-CENTRAL"]), "Create", ""],
    ["s.okafor", "s.okafor@northwind-retail.com", 1, 1, 0, "America/Los_Angeles", "Retail Director West",
     ",".join(stores["WEST"] + ["WH-WEST"]), "Create", ""],
]
FIRST_MANAGERS = {"EAST": "tom.reilly", "CENT": "nina.kowalski", "WEST": "lucy.park"}
for code, region, tz, _ in REGIONS:
    for i, sid in enumerate(stores[code][:8]):
        if i == 0:
            u = FIRST_MANAGERS[code]
            used.add(u)
            e = f"{u}@northwind-retail.com"
        else:
            u, e = person()
        # West stores do not sell on the marketplace: their managers see web and app only.
        if code == "WEST":
            users.append([u, e, 1, 0, 0, tz, "Store Manager", sid, "Create", "web,app"])
        else:
            users.append([u, e, 1, 1, 0, tz, "Store Manager", sid, "Create", ""])
for i in range(4):
    u, e = person()
    users.append([u, e, 1, 1, 1, REGIONS[i % 3][2], "Customer Service Agent", "", "Create", ""])
for i, (wid, _) in enumerate(WAREHOUSES):
    u, e = person()
    users.append([u, e, 1, 0, 0, REGIONS[i][2], "Warehouse Operator", wid, "Create", "web,marketplace"])
u, e = person()
users.append([u, e, 1, 1, 1, "UTC", "Viewer", "", "Create", ""])
for i in range(200):
    code, region, tz, _ = REGIONS[i % 3]
    u, e = person()
    # Most associates work in one store; some cover two nearby stores.
    first = rng.randrange(20)
    srcs = [stores[code][first]]
    if rng.random() < 0.2:
        srcs.append(stores[code][(first + 1) % 20])
    channels = "web,app" if rng.random() < 0.5 else "app"
    users.append([u, e, 1, 0, 0, tz, "store_associate", ",".join(srcs), "Create", channels])
write("users-onboarding.csv", H, users)

east_associate = next(r for r in users if r[6] == "store_associate" and r[7].startswith("EAST"))
west_associate = next(r for r in users if r[6] == "store_associate" and r[7].startswith("WEST"))
mistakes = [
    # Valid rows: applied even though others are rejected.
    ["ana.rivera", "ana.rivera@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "EAST-003", "Create", "app"],
    ["ben.carter", "ben.carter@northwind-retail.com", 1, 0, 0, "America/New_York", "store_associate", "EAST-004,EAST-005", "Create", "web,app"],
    [east_associate[0], east_associate[1], 1, 0, 0, "America/New_York", "Store Associate", "EAST-010", "Update", "app"],
    # Mistakes, one kind per line.
    ["carla.diaz", "carla.diaz@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Asociate", "EAST-003", "Create", "app"],
    ["dan.ellis", "dan.ellis@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "EAST-099", "Create", "app"],
    ["erin.fox", "erin.fox@@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "EAST-003", "Create", "app"],
    ["frank green", "frank.green@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "EAST-003", "Create", "app"],
    ["gina.hall", "gina.hall@northwind-retail.com", 1, 1, 1, "America/New_York", "Headquarters", "", "Create", ""],
    ["hank.ito", "hank.ito@northwind-retail.com", 1, 1, 0, "America/New_York", "Retail Director East", "EAST-001", "Create", ""],
    ["ivy.jones", "ivy.jones@northwind-retail.com", 1, 0, 0, "America/Los_Angeles", "Store Associate", "WEST-004", "Create", "app"],
    ["jack.king", "jack.king@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "WH-EAST", "Create", "app"],
    ["kim.lane", "kim.lane@northwind-retail.com", 1, 0, 1, "America/New_York", "Store Associate", "", "Create", "app"],
    ["ana.rivera", "ana.rivera2@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "EAST-006", "Create", "app"],
    ["d.chen", "d.chen@northwind-retail.com", 1, 1, 1, "America/New_York", "Retail Director East", "", "Update", ""],
    ["hq.ops", "hq.ops@northwind-retail.com", 0, 1, 1, "America/New_York", "Headquarters", "", "Update", ""],
    [west_associate[0], west_associate[1], 1, 0, 0, "America/Los_Angeles", "Store Associate", "WEST-001", "Create", "app"],
    ["leo.moss", "leo.moss@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "EAST-003", "Update", "app"],
    ["mia.nash", east_associate[1], 1, 0, 0, "America/New_York", "Store Associate", "EAST-003", "Create", "app"],
    ["ned.owen", "ned.owen@northwind-retail.com", "yes", 0, 0, "America/New_York", "Store Associate", "EAST-003", "Create", "app"],
    ["olga.park", "olga.park@northwind-retail.com", 1, 0, 0, "America/NewYork", "Store Associate", "EAST-003", "Create", "app"],
    ["pat.quinn", "pat.quinn@northwind-retail.com", 1, 0, 0, "", "Store Associate", "EAST-003", "Create", "app"],
    ["rob.reed", "rob.reed@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "EAST-003", "Delete", "app"],
    ["sam.stone", "=HYPERLINK(\"http://evil.example\")", 1, 0, 0, "America/New_York", "Store Associate", "EAST-003", "Create", "app"],
    ["tia.tran", "tia.tran@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "EAST-003", "Create", "webshop"],
    ["", "no.name@northwind-retail.com", 1, 0, 0, "America/New_York", "Store Associate", "EAST-003", "Create", "app"],
]
path = os.path.join(out, "users-mistakes.csv")
with open(path, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(H)
    w.writerows(mistakes)
    # A row cut short by a bad export: too few cells.
    f.write("uma.vance,uma.vance@northwind-retail.com,1,0\n")

# The store app and the API (issue 14): their applications, the store app's
# roles, and new hires who hold a role there, two of them without e-mail.
write("applications.csv", ["Key", "Name", "Action"],
      [["store-app", "Store app", "Create"], ["api", "API", "Create"]])
ROLE_H = ["Name", "Key", "Hierarchy", "Permissions", "Access all sources", "Sources",
          "Access all sales channels", "Sales channels", "Action", "Application"]
write("roles-store-app.csv", ROLE_H, [
    ["Store App Regional Manager", "store_app_regional", 2,
     "sales.orders.view,sales.orders.create,stock.view,stock.adjust,stock.transfer,"
     "omnichannel.click_and_collect,reports.sales.view,reports.staff.view", 1, "", 1, "", "Create",
     "store-app"],
    ["Store App Manager", "store_app_manager", 3,
     "sales.orders.view,sales.orders.create,stock.view,stock.adjust,"
     "omnichannel.click_and_collect,reports.sales.view", 1, "", 1, "", "Create", "store-app"],
    ["Store App Associate", "store_app_associate", 4,
     "sales.orders.view,sales.orders.create,stock.view,omnichannel.click_and_collect", 1, "", 1, "",
     "Create", "store-app"],
])
write("users-new-hires.csv", H + ["Store app role"], [
    ["kim.nguyen", "", 1, 0, 0, "America/New_York", "", "EAST-003", "Create", "",
     "Store App Associate"],
    ["omar.haddad", "", 1, 0, 0, "America/New_York", "", "EAST-003", "Create", "",
     "Store App Associate"],
    ["rita.patel", "rita.patel@northwind-retail.com", 1, 1, 0, "America/New_York",
     "Retail Director East", ",".join(stores["EAST"][:5]), "Create", "",
     "Store App Regional Manager"],
    ["sam.ortiz", "sam.ortiz@northwind-retail.com", 1, 0, 0, "America/New_York", "store_associate",
     "EAST-003", "Create", "app,web", "Store App Associate"],
])

# Three nights of the HR system's full snapshot of the store workforce (feed
# hr-workday, SPEC section 11; no Action column: the demo runs them with
# --upsert). The second night two associates are missing (they left); the third
# night one of them is back (a seasonal returner).
associates = [r for r in users if r[6] == "store_associate"]
leaver, returner = associates[133][0], associates[57][0]
HR = ["Username", "E-mail", "Enabled", "Access all sales channels", "Access all sources",
      "Timezone", "Role", "Sources", "Sales channels"]
for night, gone in (("2026-12-06", set()), ("2026-12-07", {leaver, returner}),
                    ("2026-12-08", {leaver})):
    write(f"hr-workday-{night}.csv", HR,
          [r[:8] + [r[9]] for r in associates if r[0] not in gone])

# The holiday wave (SPEC section 12): seasonal store associates imported weeks
# ahead, each starting on a known day and leaving on 2027-01-04 (the first day
# without access), in their store's time zone. `roster lifecycle run` lets
# each one in on their first day and out on their last.
wave = []
for i, (code, _region, tz, _cities) in enumerate(REGIONS * 4):
    u, email = person()
    start = ("2026-11-20", "2026-12-14", "2026-12-19")[i % 3]
    wave.append([u, email, 1, 0, 0, tz, "Store Associate", stores[code][i % len(stores[code])],
                 "Create", "app", start, "2027-01-04"])
write("users-holiday-wave.csv", H + ["Start date", "End date"], wave)

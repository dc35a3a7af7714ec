#!/usr/bin/env python3
"""Writes benchmark inputs for roster into OUT_DIR, deterministically (seeded):
sources.csv (~2,000 stores and warehouses), sales-channels.csv, roles.csv and
users.csv with ROWS new users (unique usernames and e-mails, 1-3 sources each,
~10 % with all sources, varied timezones and roles), plus users-update.csv,
the same users with one field changed each (for an "update every user" run).
Usage: scripts/bench-gen.py ROWS OUT_DIR"""
import os
import random
import sys

rows = int(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = random.Random(42)

SOURCES = [f"ST-{i:04d}" for i in range(1, 1981)] + [f"WH-{i:02d}" for i in range(1, 21)]
with open(os.path.join(out, "sources.csv"), "w") as f:
    f.write("External ID,Name,Type,Enabled,Action\n")
    for s in SOURCES:
        f.write(f"{s},Site {s},{'warehouse' if s.startswith('WH') else 'store'},1,Create\n")
with open(os.path.join(out, "sales-channels.csv"), "w") as f:
    f.write("External ID,Name,Action\nweb,Web shop,Create\napp,Mobile app,Create\n"
            "marketplace,Marketplace,Create\n")
ROLES = [("Store Associate", 4, 0), ("Store Manager", 3, 0), ("Regional Manager", 2, 0),
         ("Support", 3, 1), ("Auditor", 5, 1)]
with open(os.path.join(out, "roles.csv"), "w") as f:
    f.write("Name,Key,Hierarchy,Permissions,Access all sources,Sources,"
            "Access all sales channels,Sales channels,Action\n")
    all_list = '"' + ",".join(SOURCES) + '"'
    for name, h, all_sources in ROLES:
        scope = "" if all_sources else all_list
        key = name.lower().replace(" ", "_")
        f.write(f'{name},{key},{h},"sales.orders.view,stock.view",{all_sources},{scope},1,,Create\n')

ZONES = ["UTC", "Europe/Paris", "Europe/London", "America/New_York", "America/Chicago",
         "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "Europe/Berlin", "Asia/Singapore"]
HEADER = ("Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
          "Sources,Action\n")
with open(os.path.join(out, "users.csv"), "w") as f, \
        open(os.path.join(out, "users-update.csv"), "w") as g:
    f.write(HEADER)
    g.write(HEADER)
    for i in range(rows):
        user = f"user{i:08d}.{rng.choice(['a', 'b', 'c', 'd'])}"
        zone = rng.choice(ZONES)
        if rng.random() < 0.10:
            role = rng.choice(["Support", "Auditor"])
            all_sources, sources = 1, ""
        else:
            role = rng.choice(["Store Associate", "Store Associate", "Store Manager",
                               "Regional Manager"])
            picks = sorted(rng.sample(SOURCES, rng.randint(1, 3)))
            all_sources = 0
            sources = ",".join(picks)
            if len(picks) > 1:
                sources = f"\"{sources}\""
        row = f"{user},{user}@bench.example.com,1,1,{all_sources},{{zone}},{role},{sources}"
        f.write(row.format(zone=zone) + ",Create\n")
        new_zone = ZONES[(ZONES.index(zone) + 1) % len(ZONES)]
        g.write(row.format(zone=new_zone) + ",Update\n")

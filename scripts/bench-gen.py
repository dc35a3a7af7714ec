#!/usr/bin/env python3
"""Writes benchmark inputs for roster into OUT_DIR, deterministically (seeded):
sources.csv, sales-channels.csv, roles.csv and users.csv with ROWS new users
(unique usernames and e-mails), plus users-update.csv, the same users with
their timezone changed (for an "update every user" run), and users-more.csv,
ROWS further new users of the same kind (for new users into a directory that
already holds users.csv's). users-more.csv has its own random stream, so that
the first two files are the same as before it existed.

Two shapes of directory (--shape):
  first      ~2,000 stores and warehouses (ST-nnnn, WH-nn); five roles of
             hierarchies 2-5, three of them scoped to a list of every source;
             usernames in sorted order, one e-mail domain.
  all-scope  ~2,000 sources (STORE-nnnn, WH-nn); ten roles of hierarchy 5 with
             no permissions and access to all sources and channels; usernames
             in no particular order (as an HR system lists people: by
             employee, not by username), mixed e-mail domains.
Both: 1-3 sources per user, ~10 % with all sources, varied timezones.
Usage: scripts/bench-gen.py ROWS OUT_DIR [--shape first|all-scope]"""
import os
import random
import sys

if len(sys.argv) not in (3, 5) or (len(sys.argv) == 5 and sys.argv[3] != "--shape"):
    sys.exit("usage: scripts/bench-gen.py ROWS OUT_DIR [--shape first|all-scope]")
rows = int(sys.argv[1])
out = sys.argv[2]
shape = sys.argv[4] if len(sys.argv) == 5 else "first"
if shape not in ("first", "all-scope"):
    sys.exit("bench-gen: --shape is first or all-scope")
os.makedirs(out, exist_ok=True)
rng = random.Random(42)

if shape == "first":
    SOURCES = [f"ST-{i:04d}" for i in range(1, 1981)] + [f"WH-{i:02d}" for i in range(1, 21)]
else:
    SOURCES = [f"STORE-{i:04d}" for i in range(1, 1951)] + [f"WH-{i:02d}" for i in range(1, 51)]
with open(os.path.join(out, "sources.csv"), "w") as f:
    f.write("External ID,Name,Type,Enabled,Action\n")
    for s in SOURCES:
        f.write(f"{s},Site {s},{'warehouse' if s.startswith('WH') else 'store'},1,Create\n")
with open(os.path.join(out, "sales-channels.csv"), "w") as f:
    f.write("External ID,Name,Action\nweb,Web shop,Create\napp,Mobile app,Create\n"
            "marketplace,Marketplace,Create\n")

with open(os.path.join(out, "roles.csv"), "w") as f:
    f.write("Name,Key,Hierarchy,Permissions,Access all sources,Sources,"
            "Access all sales channels,Sales channels,Action\n")
    if shape == "first":
        ROLES = ["Store Associate", "Store Manager", "Regional Manager", "Support", "Auditor"]
        levels = [(4, 0), (3, 0), (2, 0), (3, 1), (5, 1)]
        all_list = '"' + ",".join(SOURCES) + '"'
        for name, (h, all_sources) in zip(ROLES, levels):
            scope = "" if all_sources else all_list
            key = name.lower().replace(" ", "_")
            f.write(f'{name},{key},{h},"sales.orders.view,stock.view",{all_sources},{scope},'
                    '1,,Create\n')
    else:
        ROLES = ["Cashier", "Sales Associate", "Stock Clerk", "Picker", "Packer",
                 "Customer Service", "Visual Merchandiser", "Shift Lead", "Receiver",
                 "Returns Clerk"]
        for name in ROLES:
            f.write(f'{name},{name.lower().replace(" ", "_")},5,,1,,1,,Create\n')

ZONES = ["UTC", "Europe/Paris", "Europe/London", "America/New_York", "America/Chicago",
         "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "Europe/Berlin", "Asia/Singapore"]
FIRST = ["anna", "ben", "chloe", "david", "emma", "felix", "grace", "hugo", "ines", "jack",
         "kim", "leo", "maria", "noah", "olga", "paul", "quinn", "rosa", "sam", "tara"]
LAST = ["martin", "bernard", "dubois", "smith", "jones", "garcia", "muller", "rossi",
        "silva", "kowalski", "nguyen", "tanaka", "brown", "wilson", "lopez", "meyer"]
DOMAINS = ["retail.example.com", "stores.example.com", "gmail.example", "outlook.example",
           "partner.example.org", "temp-agency.example.net"]
# The all-scope shape's employees are numbered in one order and named in another.
order = list(range(rows))
if shape == "all-scope":
    rng.shuffle(order)


def username(i, rng):
    if shape == "first":
        return f"user{i:08d}.{rng.choice(['a', 'b', 'c', 'd'])}"
    return f"{rng.choice(FIRST)}.{rng.choice(LAST)}{order[i]}"


def pick_sources(rng):
    if shape == "first":
        return sorted(rng.sample(SOURCES, rng.randint(1, 3)))
    return sorted(rng.sample(SOURCES, rng.choices([1, 2, 3], weights=[6, 3, 1])[0]))


def user_row(i, rng):
    """The cells of user i before its timezone, and the timezone."""
    user = username(i, rng)
    domain = "bench.example.com" if shape == "first" else rng.choice(DOMAINS)
    zone = rng.choice(ZONES)
    if rng.random() < 0.10:
        role = rng.choice(["Support", "Auditor"] if shape == "first" else ROLES)
        all_sources, sources = 1, ""
    else:
        role = (rng.choice(["Store Associate", "Store Associate", "Store Manager",
                            "Regional Manager"]) if shape == "first" else rng.choice(ROLES))
        picks = pick_sources(rng)
        all_sources = 0
        sources = ",".join(picks)
        if len(picks) > 1:
            sources = f"\"{sources}\""
    return f"{user},{user}@{domain},1,1,{all_sources},{{zone}},{role},{sources}", zone


HEADER = ("Username,E-mail,Enabled,Access all sales channels,Access all sources,Timezone,Role,"
          "Sources,Action\n")
with open(os.path.join(out, "users.csv"), "w") as f, \
        open(os.path.join(out, "users-update.csv"), "w") as g:
    f.write(HEADER)
    g.write(HEADER)
    for i in range(rows):
        row, zone = user_row(i, rng)
        f.write(row.format(zone=zone) + ",Create\n")
        new_zone = ZONES[(ZONES.index(zone) + 1) % len(ZONES)]
        g.write(row.format(zone=new_zone) + ",Update\n")

# Employees rows..2*rows-1, hired after the first file's: numbered and named
# like them, in their own order.
more = random.Random(43)
later = list(range(rows, 2 * rows))
if shape == "all-scope":
    more.shuffle(later)
order += later
with open(os.path.join(out, "users-more.csv"), "w") as f:
    f.write(HEADER)
    for i in range(rows, 2 * rows):
        row, zone = user_row(i, more)
        f.write(row.format(zone=zone) + ",Create\n")

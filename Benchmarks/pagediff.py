#!/usr/bin/env python3
"""Which b-trees a write touched: compares two copies of a Hearth database page by page
and counts the changed pages by table or index (SQLite's dbstat).

    cp big.db after.db && hearth import --db after.db slice.jsonl
    python3 Benchmarks/pagediff.py big.db after.db

Both files must be checkpointed (hearth closes them so). Pages dbstat does not name
(free pages) count as "?".
"""
import collections
import sqlite3
import sys


def main(old, new):
    page_size = sqlite3.connect(f"file:{new}?mode=ro", uri=True).execute("PRAGMA page_size").fetchone()[0]
    changed = []
    with open(old, "rb") as a, open(new, "rb") as b:
        number = 0
        while True:
            x, y = a.read(page_size), b.read(page_size)
            number += 1
            if not y:
                break
            if x != y:
                changed.append(number)
    owner = dict(sqlite3.connect(f"file:{new}?mode=ro", uri=True).execute("SELECT pageno, name FROM dbstat"))
    counts = collections.Counter(owner.get(page, "?") for page in changed)
    print(f"{len(changed)} pages changed ({len(changed) * page_size / 1e6:.1f} MB)")
    for name, count in counts.most_common(30):
        print(f"{count:8d} {name}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

"""The Issuance stats queries on a large history, against loading everything into pandas.

    python -m bench.stats --rows 1000000

Fills a temporary SQLite file with a seeded, skewed synthetic history (a few reps and
organizations much busier, weekday patterns, most links expired, some revoked), then prints
the time of each SQL aggregate, of a full page run (AppTest), and of the naive pandas version.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import naive
from dashboard.history import History, NewInvitation, NewLink
from dashboard.history.stats import IssuanceStats, StatsFilter

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 50_000


def fill(history: History, rows: int, seed: int = 7) -> None:
    """A skewed synthetic history: about a third invitations (most opened, each open a mint),
    the rest previews and direct links; a few reps and organizations much busier than the rest."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    reps = [f"rep{n:02d}@portal-desk.test" for n in range(25)]
    rep_weights = [1 / (n + 1) ** 1.2 for n in range(len(reps))]  # a few reps do most of the work
    orgs = [(f"org_{10**16 + n}", f"Company {n:05d}") for n in range(8_000)]
    org_weights = [1 / (n + 1) ** 0.9 for n in range(len(orgs))]
    observations = [
        ("emulator", org_id, now - dt.timedelta(days=rng.uniform(0, 700)), "status")
        for org_id, _ in rng.sample(orgs, 3_000)
    ]
    written = 0
    while written < rows:
        invitations, links = [], []
        size = min(CHUNK, rows - written)
        picked_orgs = rng.choices(orgs, org_weights, k=size)
        picked_reps = rng.choices(reps, rep_weights, k=size)
        for n in range(size):
            issued = now - dt.timedelta(days=rng.uniform(0, 730))
            if issued.weekday() >= 5 and rng.random() < 0.8:  # weekends are quiet
                issued -= dt.timedelta(days=2)
            (org_id, name), rep = picked_orgs[n], picked_reps[n]
            features = rng.choice((("sso",), ("sso", "dir_sync"), ("dir_sync",)))
            if rng.random() < 0.3:
                opened = issued + dt.timedelta(hours=rng.lognormvariate(2, 1)) if rng.random() < 0.7 else None
                invitations.append(
                    NewInvitation(
                        f"{rng.getrandbits(256):064x}",
                        "emulator",
                        org_id,
                        name,
                        features,
                        rep,
                        issued,
                        issued + dt.timedelta(days=7),
                        first_opened_at=opened,
                        last_opened_at=opened,
                        open_count=1 if opened else 0,
                    )
                )
                if opened:
                    links.append(
                        NewLink(
                            org_id,
                            name,
                            features,
                            "invitation",
                            rep,
                            opened,
                            "emulator",
                            expires_at=opened + dt.timedelta(minutes=1),
                            link_fingerprint="f" * 64,
                            invitation_index=len(invitations) - 1,
                        )
                    )
            else:
                kind = "embed" if rng.random() < 0.8 else "direct"
                links.append(
                    NewLink(
                        org_id,
                        name,
                        features,
                        kind,
                        rep,
                        issued,
                        "emulator",
                        expires_at=issued + dt.timedelta(minutes=1),
                        link_fingerprint="f" * 64,
                    )
                )
        history.import_history(invitations, links, observations if written == 0 else [])
        written += size


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def page_runs(database: Path) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    os.environ.update(
        DASHBOARD_DOTENV="",
        DASHBOARD_DATABASE_URL=f"sqlite:///{database}",
        DASHBOARD_OPERATOR="bench",
        DASHBOARD_DEMO_HISTORY="0",
    )
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/issuance_stats.py")
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    assert not at.exception, at.exception
    return first, timed(at.run, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    database = Path(tempfile.mkdtemp(prefix="bench-stats-")) / "history.db"
    store = History(f"sqlite:///{database}")
    start = time.perf_counter()
    fill(store, args.rows)
    size_mb = database.stat().st_size / 1e6
    print(f"filled {args.rows:,} rows in {time.perf_counter() - start:.1f}s ({size_mb:.0f} MB)")

    stats = IssuanceStats(store)
    now = dt.datetime.now(dt.UTC)
    f = StatsFilter("emulator", now - dt.timedelta(days=90), now + dt.timedelta(days=1))
    queries = {
        "KPIs (counts + time to SSO)": lambda: stats.kpis(f, now),
        "invitation funnel": lambda: stats.funnel_totals(f),
        "funnel per rep": lambda: stats.funnel(f, by_rep=True),
        "items per week, by kind": lambda: stats.per_period(f, "week", "kind"),
        "per rep": lambda: stats.per_rep(f),
        "top organizations": lambda: stats.top_organizations(f),
        "newest 1,000 rows": lambda: stats.rows(f, limit=1000),
        "filter choices (cached a minute by the page)": lambda: (
            stats.environments(),
            stats.reps("emulator"),
            stats.organizations("emulator"),
        ),
    }
    sql = {name: timed(fn) for name, fn in queries.items()}
    sql_total = sum(sql.values())

    def naive_page() -> None:
        items, seen = naive.load(store.engine, f)
        naive.kpis(items, seen, f, now)
        naive.funnel(items, seen, f)
        naive.per_period(items, f, "week", "kind")
        naive.per_rep(items, f)
        naive.top_organizations(items, f)
        naive.status_breakdown(items, f, now)

    naive_s = timed(naive_page, 1)
    first, warm = page_runs(database)
    print(f"\nIssuance stats, {args.rows:,} rows, last 90 days\n")
    print(f"| {'step':<50} | {'seconds':>8} |")
    print(f"| {'-' * 50} | {'-' * 7}: |")
    for name, seconds in sql.items():
        print(f"| {'SQL: ' + name:<50} | {seconds:>8.3f} |")
    print(f"| {'SQL: all queries of one page run':<50} | {sql_total:>8.3f} |")
    print(f"| {'page run, AppTest (first)':<50} | {first:>8.3f} |")
    print(f"| {'page run, AppTest (warm, median of 3)':<50} | {warm:>8.3f} |")
    print(f"| {'naive pandas: needed rows + aggregate':<50} | {naive_s:>8.3f} |")
    print(f"\nnaive pandas / SQL queries: {naive_s / sql_total:.1f}x")


if __name__ == "__main__":
    main()

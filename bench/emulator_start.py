"""How long the emulator takes to start, and to serve a full listing, by size.

    python -m bench.emulator_start [--orgs 40 1000 10000]

Baseline in the same run: generating the seed data alone (the floor for a start).
"""

from __future__ import annotations

import argparse
import time

from dashboard.config import Settings, trust_ca_bundle
from dashboard.gateway import ScalekitGateway
from scalekit_emulator import Emulator
from scalekit_emulator.seed import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, nargs="+", default=[40, 1000, 10_000])
    args = parser.parse_args()
    rows = []
    for count in args.orgs:
        t0 = time.perf_counter()
        generate(7, count)
        seed_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        emulator = Emulator(orgs=count, seed=7).start()
        start_s = time.perf_counter() - t0
        trust_ca_bundle(str(emulator.ca_bundle_file))
        gateway = ScalekitGateway.connect(
            Settings(), emulator.env_url, emulator.client_id, emulator.client_secret
        )
        t0 = time.perf_counter()
        listed = len(gateway.list_organizations())
        list_s = time.perf_counter() - t0
        emulator.stop()
        rows.append((count, seed_s, start_s, start_s / seed_s, listed, list_s))
    print(
        f"{'orgs':>7} {'seed only s':>12} {'start s':>8} {'start/seed':>10} {'listed':>7} {'list all s':>10}"
    )
    for count, seed_s, start_s, ratio, listed, list_s in rows:
        print(f"{count:>7} {seed_s:>12.3f} {start_s:>8.3f} {ratio:>10.2f} {listed:>7} {list_s:>10.3f}")


if __name__ == "__main__":
    main()

"""How long the emulator takes to start, and to serve a full listing, by size.

    python -m bench.emulator_start [--orgs 40 1000 10000] [--repeat 3]

Baseline in the same run: generating the seed data alone (the floor for a start). Each size
starts ``--repeat`` emulators one after another in this process: min / median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from dashboard.config import Settings
from dashboard.gateway import ScalekitGateway, trust_ca_bundle
from scalekit_emulator import Emulator
from scalekit_emulator.seed import generate


def once(count: int) -> tuple[float, float, int, float]:
    """Seed generation, start, and a full listing through the SDK, for one emulator."""
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
    assert listed == count, f"listed {listed} of {count}"
    return seed_s, start_s, listed, list_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, nargs="+", default=[40, 1000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"\nEmulator start-up, min / median of {args.repeat} in one process\n")
    print("| orgs | seed only s | start s | start / seed | list all through the SDK s |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for count in args.orgs:
        runs = [once(count) for _ in range(args.repeat)]
        seed, start, listing = ([run[i] for run in runs] for i in (0, 1, 3))

        def cell(values: list[float]) -> str:
            return f"{min(values):.3f} / {statistics.median(values):.3f}"

        ratio = statistics.median(start) / statistics.median(seed)
        print(f"| {count:,} | {cell(seed)} | {cell(start)} | {ratio:.1f} | {cell(listing)} |")
    print(f"\nLoad average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")


if __name__ == "__main__":
    main()

"""STIX validation speed: cawarn's validate_objects (OASIS validator by shape + own checks) beside
the OASIS stix2-validator run on every object, on the same generated incidents.

    .venv/bin/python benchmarks/stix_validate.py [--objects 100000] [--sample 300] [--seed 7]

The validator alone is timed on ``--sample`` objects (it takes minutes for 100,000) and its rate
extrapolated. Target: 100,000 objects validated in well under a minute (ratio >= 50).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
import uuid
from typing import Any

from stix2validator import ValidationOptions, validate_instance  # type: ignore[import-untyped]

from cawarn.domain import Marking
from cawarn.network.stix.extension import extension_definition, project_identity
from cawarn.network.stix.identities import organisation_identity
from cawarn.network.stix.incidents import event_objects
from cawarn.network.stix.markings import marking_definition
from cawarn.network.stix.validate import Validator, validate_objects

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CATEGORIES = ["armed_clash", "protest", "riot", "attack_on_civilians", "explosion_remote_violence"]


def make_objects(count: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    objects = [
        project_identity(),
        extension_definition(),
        *(marking_definition(m) for m in Marking),
        organisation_identity("KGZ", "Kyrgyz Republic", created=T0),
    ]
    n = 0
    while len(objects) < count:
        n += 1
        event = {
            "uid": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            "source": "ucdp-ged",
            "source_event_id": str(n),
            "date_start": dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randint(0, 600)),
            "date_end": dt.date(2025, 12, 31),
            "date_precision": rnd.choice(["day", "days", "month"]),
            "latitude": rnd.uniform(30, 50),
            "longitude": rnd.uniform(50, 80),
            "geo_precision": rnd.choice(["exact", "near", "admin1"]),
            "country": rnd.choice(["AFG", "KAZ", "TJK", "KGZ", "UZB"]),
            "admin1": rnd.choice(["AF-KAB", None]),
            "category": rnd.choice(CATEGORIES),
            "actor1": "Government of Afghanistan",
            "actor2": rnd.choice(["IS", None]),
            "fatalities_best": rnd.choice([None, 0, 3, 12]),
            "fatalities_low": 0,
            "fatalities_high": 20,
            "summary": rnd.choice(["Clash near a town", None]),
            "source_ref": "UCDP GED 25.1",
            "marking": rnd.choice(["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER"]),
            "owner_org": "KGZ",
            "created": T0,
            "modified": T0 + dt.timedelta(seconds=rnd.randint(0, 10**7)),
        }
        objects.extend(event_objects(event))
    return objects[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    objects = make_objects(args.objects, args.seed)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    sample = objects[-args.sample :]
    options = ValidationOptions(version="2.1")
    start = time.perf_counter()
    for obj in sample:
        validate_instance(obj, options)
    oasis_rate = len(sample) / (time.perf_counter() - start)
    validator = Validator()
    start = time.perf_counter()
    problems = validate_objects(objects, validator=validator)
    seconds = time.perf_counter() - start
    rate = len(objects) / seconds
    print(f"stix2-validator alone: {oasis_rate:,.0f} objects/s ({args.sample} objects)")
    print(
        f"cawarn validate_objects: {rate:,.0f} objects/s ({len(objects):,} objects in "
        f"{seconds:.1f} s, {validator.full_runs} full validator runs, {len(problems)} problems)"
    )
    ratio = rate / oasis_rate
    print(f"ratio {ratio:.0f}x: {'PASS' if ratio >= 50 else 'MISS'} (target >= 50)")


if __name__ == "__main__":
    main()

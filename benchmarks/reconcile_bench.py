"""Benchmark: reconcile N Okta users against an N-row HRMOS export.

Generates an Okta export of N users and an HRMOS export that holds 95% of
them (2% with another title, 1% with another department), 5% people gone
from Okta and 1% already retired, then times each stage in a child process
and reports the child's peak resident memory. Prints figures; it is not a
test.

    .venv/bin/python benchmarks/reconcile_bench.py            # 100,000 users
    .venv/bin/python benchmarks/reconcile_bench.py --users 20000 --package

--package also times writing the hand-off package (import files, review
workbook, README, manifest) for the reconciled run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent / "out"
DAY = date(2027, 4, 1)


def make_inputs(users: int, folder: Path) -> tuple[Path, Path]:
    """Write the Okta and HRMOS exports (cached by size)."""
    okta_path = folder / f"reconcile-okta-{users}.csv"
    hrmos_path = folder / f"reconcile-hrmos-{users}.csv"
    if okta_path.exists() and hrmos_path.exists():
        return okta_path, hrmos_path
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20270401)
    numbers = np.arange(1, users + 1)
    codes = pd.Series(numbers).map("{:07d}".format)
    titles = np.array(["一般", "主任", "係長", "課長", "部長"])
    departments = np.array(["営業部", "開発部", "人事部", "総務部", "品質保証部"])
    title = titles[rng.integers(0, len(titles), users)]
    department = departments[rng.integers(0, len(departments), users)]
    email = "u" + pd.Series(numbers).astype(str) + "@example.test"
    status = np.where(rng.random(users) < 0.01, "DEPROVISIONED", "ACTIVE")
    okta = pd.DataFrame(
        {
            "id": "00u" + codes,
            "status": status,
            "statusChanged": "2026-03-31T15:00:00.000Z",
            "login": email,
            "firstName": "名" + pd.Series(numbers % 997).astype(str),
            "lastName": "姓" + pd.Series(numbers % 991).astype(str),
            "email": email,
            "employeeNumber": codes,
            "department": department,
            "title": title,
            "hireDate": "2020-04-01",
            "kanaFirstName": "タロウ",
            "kanaLastName": "ヤマダ",
        }
    )
    okta.to_csv(okta_path, index=False)

    held = int(users * 0.95)
    hrmos = pd.DataFrame(
        {
            "社員コード": codes[:held],
            "姓": okta["lastName"][:held],
            "名": okta["firstName"][:held],
            "セイ": "ヤマダ",
            "メイ": "タロウ",
            "メールアドレス": email[:held],
            "入社日": "2020/4/1",
            "部署": department[:held],
            "役職": title[:held],
            "退職日": "",
        }
    )
    other_title = rng.random(held) < 0.02
    hrmos.loc[other_title, "役職"] = "主任補"
    other_department = rng.random(held) < 0.01
    hrmos.loc[other_department, "部署"] = "旧部署"
    gone = users - held
    extra = pd.DataFrame(
        {
            "社員コード": pd.Series(np.arange(users + 1, users + gone + 1)).map(
                "{:07d}".format
            ),
            "姓": "姓",
            "名": "名",
            "セイ": "ヤマダ",
            "メイ": "タロウ",
            "メールアドレス": "gone"
            + pd.Series(np.arange(gone)).astype(str)
            + "@example.test",
            "入社日": "2010/4/1",
            "部署": "営業部",
            "役職": "一般",
            "退職日": np.where(np.arange(gone) < users // 100, "2025/3/31", ""),
        }
    )
    pd.concat([hrmos, extra], ignore_index=True).to_csv(
        hrmos_path, index=False, encoding="utf-8-sig"
    )
    return okta_path, hrmos_path


def measure(okta_path: Path, hrmos_path: Path, package: bool, queue) -> None:
    """Run every stage, timing each; runs in a child process."""
    from okta2hrmos import handoff, reconcile
    from okta2hrmos.templates import load_template
    from okta2hrmos.users import read_users
    from okta2hrmos.validate import validate_many

    times: dict[str, float] = {}
    start = time.perf_counter()
    template = load_template("hrmos-core-employees")
    users = read_users(okta_path)
    times["read Okta CSV"] = time.perf_counter() - start

    start = time.perf_counter()
    validations = validate_many(users, [template])
    times["validate"] = time.perf_counter() - start

    start = time.perf_counter()
    export = reconcile.read_export(hrmos_path, [template])
    times["read HRMOS export"] = time.perf_counter() - start

    start = time.perf_counter()
    result = reconcile.reconcile(validations, export, DAY)
    times["reconcile"] = time.perf_counter() - start

    if package:
        folder = OUT / "reconcile-package"
        shutil.rmtree(folder, ignore_errors=True)
        start = time.perf_counter()
        with handoff.package_folder(folder) as staging:
            handoff.write_package(
                staging, validations, result, include_leavers=True, effective_date=DAY
            )
        times["write package"] = time.perf_counter() - start

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"times": times, "peak_mb": peak, "counts": result.counts})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--package", action="store_true")
    args = parser.parse_args()

    okta_path, hrmos_path = make_inputs(args.users, OUT)
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    child = spawn.Process(
        target=measure, args=(okta_path, hrmos_path, args.package, queue)
    )
    child.start()
    figures = queue.get()
    child.join()

    rows = len(pd.read_csv(hrmos_path, dtype=str, usecols=[0]))
    print(
        f"{args.users:,} Okta users ({okta_path.stat().st_size / 1e6:.1f} MB) "
        f"against {rows:,} HRMOS rows ({hrmos_path.stat().st_size / 1e6:.1f} MB), "
        f"Python {sys.version.split()[0]}, pandas {pd.__version__}"
    )
    for stage, seconds in figures["times"].items():
        print(f"  {stage:<20} {seconds:7.2f} s")
    print(f"  {'total':<20} {sum(figures['times'].values()):7.2f} s")
    print(f"  peak memory (RSS)    {figures['peak_mb']:7.0f} MB")
    print("  " + json.dumps(figures["counts"]))


if __name__ == "__main__":
    main()

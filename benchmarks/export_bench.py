"""How fast `okta2hrmos export` reads an Okta org, against the floor and Okta's SDK.

A fake Okta org (tests/fakeokta.py) serves generated users on 127.0.0.1 with
a set latency per request and a set rate limit per window, announced in
X-Rate-Limit-* headers like Okta's. The same users are then read twice, each
in its own process: by okta2hrmos (to a CSV file) and by Okta's official
Python SDK (`okta`, the benchmark extra; the same two passes, every status,
to a CSV file). For each it prints the time, the floor (the larger of pages x
latency and pages / allowed rate), their ratio, the 429s the server sent and
the peak memory.

    .venv/bin/python benchmarks/export_bench.py               # 100,000 users
    .venv/bin/python benchmarks/export_bench.py --users 5000 --rate-limit 600
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
OUT = REPOSITORY / "benchmarks" / "out"
TOKEN = "00benchTokenValue_ABCdef123-XYZ"
PAGE = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per page")
    parser.add_argument(
        "--rate-limit", type=int, default=300, help="requests per window"
    )
    parser.add_argument("--window", type=float, default=60.0, help="seconds")
    parser.add_argument("--no-sdk", action="store_true", help="skip Okta's SDK")
    parser.add_argument(
        "--client", choices=["okta2hrmos", "sdk"], help=argparse.SUPPRESS
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.client:
        result = run_client(arguments.client, arguments.url)
        print(json.dumps(result), flush=True)
        return

    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            str(REPOSITORY / "tests" / "fakeokta.py"),
            "--users", str(arguments.users),
            "--latency", str(arguments.latency),
            "--rate-limit", str(arguments.rate_limit),
            "--window", str(arguments.window),
            "--token", TOKEN,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        url = server.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            sys.exit("the fake Okta org did not start")
        print(
            f"Fake Okta org at {url}: {arguments.users:,} users, "
            f"{arguments.latency * 1000:.0f} ms per page, {arguments.rate_limit} "
            f"requests per {arguments.window:.0f} s "
            f"(started in {time.perf_counter() - started:.1f} s)"
        )
        clients = ["okta2hrmos"] if arguments.no_sdk else ["okta2hrmos", "sdk"]
        for client in clients:
            report(client, url, arguments)
    finally:
        server.stdin.close()
        server.wait(timeout=30)


def report(client: str, url: str, arguments: argparse.Namespace) -> None:
    fetch(f"{url}/__fake/reset")
    child = subprocess.run(
        [sys.executable, __file__, "--client", client, "--url", url],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
    )
    stats = json.loads(fetch(f"{url}/__fake/stats"))
    name = "okta2hrmos" if client == "okta2hrmos" else "okta SDK"
    lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        reason = (child.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"{name:>10}: failed ({reason})")
        return
    result = json.loads(lines[-1])
    if "error" in result:
        print(f"{name:>10}: failed ({result['error']})")
        return

    refused = stats["refused"]
    pages = stats["counts"].get("/api/v1/users", 0) - refused
    rate = arguments.rate_limit / arguments.window
    floor = max(pages * arguments.latency, pages / rate)
    print(
        f"{name:>10}: {result['users']:,} users, {pages} pages in "
        f"{result['seconds']:.1f} s; floor {floor:.1f} s; ratio "
        f"{result['seconds'] / floor:.2f}; 429s {refused}; peak memory "
        f"{result['rss_mb']:.0f} MB"
    )


def run_client(client: str, url: str) -> dict:
    os.environ.update(OKTA_CLIENT_ORGURL=url, OKTA_CLIENT_TOKEN=TOKEN)
    if client == "okta2hrmos":
        return run_okta2hrmos()
    return run_sdk(url)


def run_okta2hrmos() -> dict:
    from okta2hrmos.okta.commands import export_command

    path = OUT / "okta2hrmos-users.csv"
    started = time.perf_counter()
    try:
        export_command.main(["-o", str(path), "--quiet"], standalone_mode=False)
    except SystemExit as stop:
        if stop.code:
            return {"error": f"exit {stop.code}"}
    seconds = time.perf_counter() - started
    with path.open(encoding="utf-8-sig", newline="") as handle:
        users = sum(1 for _ in csv.reader(handle)) - 1
    return {"seconds": seconds, "users": users, "rss_mb": peak_rss_mb()}


def run_sdk(url: str) -> dict:
    try:
        from okta.client import Client
        from okta.pagination import paginate_all
    except ImportError as error:
        return {"error": f"the okta SDK is not installed ({error})"}
    from okta2hrmos.users import ordered, to_text

    # The SDK refuses plain http unless told this is a test.
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"

    async def read_all() -> list[dict]:
        client = Client({"orgUrl": url, "token": TOKEN})
        users = []
        for query in ({}, {"filter": 'status eq "DEPROVISIONED"'}):
            async for user in paginate_all(client.list_users, limit=PAGE, **query):
                users.append(user.to_dict())
        return users

    path = OUT / "sdk-users.csv"
    started = time.perf_counter()
    try:
        records = asyncio.run(read_all())
    except Exception as error:  # report any SDK failure, do not hide it
        return {"error": f"{type(error).__name__}: {error}"}
    rows = []
    for record in records:
        row = {name: to_text(record.get(name)) for name in ("id", "status")}
        row.update({k: to_text(v) for k, v in (record.get("profile") or {}).items()})
        rows.append(row)
    columns = ordered({name for row in rows for name in row})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([row.get(name, "") for name in columns] for row in rows)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "users": len(rows), "rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
        return response.read().decode("utf-8")


if __name__ == "__main__":
    main()

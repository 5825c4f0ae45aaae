"""Time okta2hrmos's read + validate + convert against frictionless's validate.

Generates N synthetic Okta users (Faker's ja_JP names, about 1% bad values per
rule), writes them as a CSV in the users-table layout under benchmarks/out/
(reused on later runs), then runs each side in its own child process on that
file and prints the time, the ratio and the peak memory of each.

    python benchmarks/validate_bench.py --users 1000000

Peak memory is the child's maximum resident set size as the kernel reports it
(getrusage through wait4). A child's figure includes the RSS of the process
that started it, so this parent imports nothing heavier than the standard
library.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
TEMPLATE = "hrmos-core-employees"
SEED = 20261203
# Bump when the generated data changes, so cached files are not reused.
DATA_VERSION = 1
BAD_SHARE = 0.01


def main() -> None:
    """Parse the options, then run the measurement or one of its child steps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000, help="users to generate")
    parser.add_argument(
        "--skip-frictionless", action="store_true", help="time okta2hrmos only"
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.step:
        result = STEPS[options.step](options.csv, options.users)
        print(json.dumps(result))
        return
    measure(options.users, options.skip_frictionless)


def measure(users: int, skip_frictionless: bool) -> None:
    """Generate (or reuse) the file, time both sides on it and print the figures."""
    csv_path = OUT / f"users-{users}-v{DATA_VERSION}.csv"
    generated = run_child("generate", csv_path, users)
    made = generated["result"]
    origin = (
        f"generated in {generated['wall']:.1f} s" if made["generated"] else "cached"
    )
    print(
        f"{users:,} users, {made['columns']} columns, "
        f"{csv_path.stat().st_size / 1e6:.1f} MB ({origin}): {csv_path}"
    )
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {made['versions']}"
    )
    print()

    ours = run_child("ours", csv_path, users)
    print_side("okta2hrmos", ours)
    summary = ours["result"]
    print(
        f"  rows: {summary['read']} read, {summary['written']} written, "
        f"{summary['rejected']} rejected; findings: {summary['findings']}"
    )
    if skip_frictionless:
        return

    run_child("schema", csv_path, users)
    theirs = run_child("frictionless", csv_path, users)
    print_side("frictionless", theirs)
    print(f"  errors: {theirs['result']['errors']} ({theirs['result']['by_type']})")
    print()
    ratio = theirs["result"]["seconds"] / ours["result"]["seconds"]
    wall_ratio = theirs["wall"] / ours["wall"]
    print(
        f"frictionless / okta2hrmos: {ratio:.1f}x measured, {wall_ratio:.1f}x wall; "
        f"peak memory {theirs['maxrss_mb']:.0f} MB / {ours['maxrss_mb']:.0f} MB"
    )


def run_child(step: str, csv_path: Path, users: int) -> dict:
    """Run one step in a fresh Python; return its result, wall time and peak RSS."""
    command = [sys.executable, __file__, "--step", step, "--csv", str(csv_path)]
    command += ["--users", str(users)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"the {step} step failed with exit code {child.returncode}")
    return {
        "result": json.loads(output),
        "wall": wall,
        # Linux reports ru_maxrss in KiB.
        "maxrss_mb": usage.ru_maxrss / 1024,
    }


def print_side(name: str, side: dict) -> None:
    result = side["result"]
    phases = ", ".join(
        f"{key} {value:.2f} s" for key, value in result["phases"].items()
    )
    print(
        f"{name:13} {result['seconds']:6.2f} s measured ({phases}); "
        f"{side['wall']:.2f} s wall with start-up; peak RSS {side['maxrss_mb']:.0f} MB"
    )


# Child steps ---------------------------------------------------------------


def generate_step(csv_path: Path, users: int) -> dict:
    """Write the synthetic users CSV unless it is already there."""
    import faker
    import pandas as pd
    import pyarrow as pa

    versions = (
        f"pandas {pd.__version__}, pyarrow {pa.__version__}, Faker {faker.VERSION}"
    )
    if csv_path.exists():
        header = csv_path.open(encoding="utf-8").readline()
        return {
            "generated": False,
            "columns": header.count(",") + 1,
            "versions": versions,
        }
    columns = synthetic_users(users)
    write_users_csv(columns, csv_path)
    return {"generated": True, "columns": len(columns), "versions": versions}


def synthetic_users(count: int) -> dict:
    """Build the users table's columns as Arrow arrays, vectorised.

    Faker gives pools of names, places and companies; NumPy picks from them.
    Then about 1% of the rows break each rule (required, unique, pattern,
    date), each fault on rows of its own.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    from faker import Faker

    from okta2hrmos.users import BASE_PROFILE, TOP_LEVEL

    fake = Faker("ja_JP")
    fake.seed_instance(SEED)
    rng = np.random.default_rng(SEED)

    def pool(make, size: int = 2000) -> np.ndarray:
        return np.array([make() for _ in range(size)], dtype=object)

    def pick(values: np.ndarray | list) -> pa.Array:
        values = np.asarray(values, dtype=object)
        return pa.array(values[rng.integers(0, len(values), count)], pa.string())

    def join(*pieces) -> pa.Array:
        return pc.binary_join_element_wise(*pieces, "")

    def digits(numbers: np.ndarray, width: int) -> pa.Array:
        return pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")

    empty = pa.array(np.full(count, "", dtype=object), pa.string())

    last = pool(fake.last_name_pair)
    first = pool(fake.first_name_pair)
    last_pick = rng.integers(0, len(last), count)
    first_pick = rng.integers(0, len(first), count)
    last_name = pa.array([p[0] for p in last], pa.string()).take(last_pick)
    last_kana = pa.array([p[1] for p in last], pa.string()).take(last_pick)
    last_roman = pa.array([p[2].lower() for p in last], pa.string()).take(last_pick)
    first_name = pa.array([p[0] for p in first], pa.string()).take(first_pick)
    first_kana = pa.array([p[1] for p in first], pa.string()).take(first_pick)
    first_roman = pa.array([p[2].lower() for p in first], pa.string()).take(first_pick)

    sequence = np.arange(1, count + 1)
    login = join(
        first_roman,
        ".",
        last_roman,
        pc.cast(pa.array(sequence), pa.string()),
        "@example.test",
    )
    display_name = join(last_name, " ", first_name)

    alphabet = np.frombuffer(
        b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", np.uint8
    )
    id_chars = alphabet[rng.integers(0, len(alphabet), (count, 17))]
    okta_id = join("00u", pa.array(id_chars.view("S17").ravel()).cast(pa.string()))

    status = pick(
        ["ACTIVE"] * 96 + ["DEPROVISIONED"] * 2 + ["SUSPENDED", "PROVISIONED"]
    )
    never_active = pc.equal(status, "PROVISIONED")

    exported = np.datetime64("2026-12-01T09:30:00", "ms").astype(np.int64)
    since = np.datetime64("2016-05-09T00:00:00", "ms").astype(np.int64)
    day = 86_400_000
    created_ms = rng.integers(since, exported - 30 * day, count)
    # Accounts not yet activated are new.
    created_ms = np.where(
        never_active.to_numpy(zero_copy_only=False),
        exported - rng.integers(day, 30 * day, count),
        created_ms,
    )
    activated_ms = created_ms + rng.integers(60_000, 7_200_000, count)
    changed_ms = np.maximum(activated_ms, exported - rng.integers(0, 300 * day, count))
    leaver = pc.is_in(status, pa.array(["DEPROVISIONED", "SUSPENDED"])).to_numpy(
        zero_copy_only=False
    )
    login_ms = np.where(
        leaver,
        changed_ms - rng.integers(day, 5 * day, count),
        exported - rng.integers(0, 14 * day, count),
    )
    password_ms = np.maximum(activated_ms, login_ms - rng.integers(0, 200 * day, count))

    def stamp(millis: np.ndarray) -> pa.Array:
        moments = pa.array(millis, pa.timestamp("ms", tz="UTC"))
        return pc.strftime(moments, format="%Y-%m-%dT%H:%M:%SZ")

    def unless_provisioned(values: pa.Array) -> pa.Array:
        return pc.if_else(never_active, empty, values)

    created = stamp(created_ms)
    activated = unless_provisioned(stamp(activated_ms))
    hired_days = (created_ms // day + rng.integers(-20, 20, count)).astype(np.int32)
    hire_date = pc.strftime(pa.array(hired_days, pa.date32()), format="%Y-%m-%d")

    employee_number = digits(rng.permutation(count) + 1, 7)
    departments = [
        prefix + name
        for prefix in ("", "第一", "第二", "第Ⅱ")
        for name in ("営業部", "開発部", "技術部", "企画部")
    ] + ["人事部", "経理部", "総務部", "法務部", "情報システム部", "品質保証部"]
    mobile = join(
        "090-",
        digits(rng.integers(0, 10_000, count), 4),
        "-",
        digits(rng.integers(0, 10_000, count), 4),
    )

    columns = {name: empty for name in TOP_LEVEL + BASE_PROFILE}
    columns.update(
        id=okta_id,
        status=status,
        created=created,
        activated=activated,
        statusChanged=pc.case_when(
            pc.make_struct(pc.equal(status, "ACTIVE"), never_active),
            activated,
            created,
            stamp(changed_ms),
        ),
        lastLogin=unless_provisioned(stamp(login_ms)),
        lastUpdated=stamp(np.maximum(changed_ms, login_ms - 30 * day)),
        passwordChanged=unless_provisioned(stamp(password_ms)),
        login=login,
        firstName=first_name,
        lastName=last_name,
        email=login,
        title=pick(["", "", "", "", "主任", "主任", "係長", "課長", "部長"]),
        displayName=display_name,
        mobilePhone=mobile,
        streetAddress=join(
            pick(pool(fake.town)), pick(pool(fake.chome)), pick(pool(fake.ban))
        ),
        city=pick(pool(fake.city)),
        state=pick(pool(fake.prefecture)),
        zipCode=pick(pool(fake.zipcode)),
        countryCode=pick(["JP"]),
        preferredLanguage=pick(["ja"]),
        locale=pick(["ja_JP"]),
        timezone=pick(["Asia/Tokyo"]),
        userType=pick(["正社員"] * 9 + ["契約社員"]),
        employeeNumber=employee_number,
        organization=pick([fake.company()]),
        department=pick(departments),
        manager=display_name.take(rng.integers(0, count, count)),
        hireDate=hire_date,
        kanaFirstName=first_kana,
        kanaLastName=last_kana,
    )
    plant_faults(columns, last_roman, rng, count)
    return columns


def plant_faults(columns: dict, last_roman, rng, count: int) -> None:
    """Break about 1% of the rows per rule, each fault on rows of its own."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    share = max(1, int(count * BAD_SHARE))
    faults = [
        "required",
        "duplicate-code",
        "duplicate-login",
        "duplicate-email",
        "email",
        "kana",
        "code",
        "date",
    ]
    duplicates = [fault for fault in faults if fault.startswith("duplicate-")]
    needed = share * (len(faults) + len(duplicates))
    if count < 2 * needed:
        return
    rows = iter(rng.permutation(count)[:needed].reshape(-1, share))
    chosen = {fault: next(rows) for fault in faults}
    # The clean rows each kind of duplicate copies its values from.
    source = {fault: next(rows) for fault in duplicates}

    def replace(name: str, at: np.ndarray, values) -> None:
        column = columns[name].to_numpy(zero_copy_only=False).astype(object)
        column[at] = values
        columns[name] = pa.array(column, pa.string())

    def values_of(name: str, at: np.ndarray) -> np.ndarray:
        return columns[name].take(pa.array(at)).to_numpy(zero_copy_only=False)

    half = share // 2
    required = chosen["required"]
    replace("employeeNumber", required[:half], "")
    replace("lastName", required[half:], "")

    replace(
        "employeeNumber",
        chosen["duplicate-code"],
        values_of("employeeNumber", source["duplicate-code"]),
    )
    # The same login differing only in case: exact-match uniqueness misses it.
    logins = pa.array(values_of("login", source["duplicate-login"]))
    replace(
        "login",
        chosen["duplicate-login"],
        pc.utf8_capitalize(logins).to_numpy(zero_copy_only=False),
    )
    replace(
        "email",
        chosen["duplicate-email"],
        values_of("email", source["duplicate-email"]),
    )

    broken = pc.replace_substring(
        pa.array(values_of("email", chosen["email"])), "@", " at "
    )
    replace("email", chosen["email"], broken.to_numpy(zero_copy_only=False))
    # A reading typed in romaji.
    romaji = pc.utf8_capitalize(last_roman.take(pa.array(chosen["kana"])))
    replace("kanaLastName", chosen["kana"], romaji.to_numpy(zero_copy_only=False))
    replace(
        "employeeNumber",
        chosen["code"],
        ["EMP " + value for value in values_of("employeeNumber", chosen["code"])],
    )
    dates = chosen["date"]
    years = values_of("hireDate", dates)
    replace("hireDate", dates[:half], [y[:4] + "-02-30" for y in years[:half]])
    replace("hireDate", dates[half:], [f"04/01/{y[:4]}" for y in years[half:]])


def write_users_csv(columns: dict, path: Path) -> None:
    """Write the columns as an Okta-native CSV: UTF-8, unquoted, LF line ends."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    table = pa.table(columns)
    with partial.open("wb") as handle:
        handle.write((",".join(table.column_names) + "\n").encode("utf-8"))
        pacsv.write_csv(
            table,
            handle,
            pacsv.WriteOptions(include_header=False, quoting_style="none"),
        )
    partial.replace(path)


def ours_step(csv_path: Path, users: int) -> dict:
    """Read, validate and convert with okta2hrmos, as `okta2hrmos run` does."""
    from okta2hrmos import hrmos, report
    from okta2hrmos.templates import load_template
    from okta2hrmos.users import read_users
    from okta2hrmos.validate import validate

    out = OUT / f"run-{users}"
    template = load_template(TEMPLATE)

    started = time.perf_counter()
    users_read = read_users(csv_path)
    read_done = time.perf_counter()
    validation = validate(users_read, template)
    validated = time.perf_counter()
    rows = hrmos.import_rows(validation)
    hrmos.write_import_file(rows, template, out / f"01-{TEMPLATE}.csv")
    report.write_rejects(validation, out / "rejects.csv")
    finished = time.perf_counter()

    counts = validation.findings.groupby(["severity", "code"]).size()
    return {
        "seconds": finished - started,
        "phases": {
            "read": read_done - started,
            "validate": validated - read_done,
            "convert": finished - validated,
        },
        "read": users_read.rows_read,
        "written": len(rows),
        "rejected": len(validation.rejected),
        "findings": ", ".join(f"{code} {n}" for (_, code), n in counts.items()),
    }


def frictionless_step(csv_path: Path, users: int) -> dict:
    """Validate the same file with frictionless: the same rules, no error cap."""
    from collections import Counter

    import frictionless

    schema = frictionless.Schema.from_descriptor(
        json.loads(csv_path.with_suffix(".schema.json").read_text(encoding="utf-8"))
    )
    resource = frictionless.Resource(
        path=csv_path.name, basepath=str(csv_path.parent), schema=schema
    )

    started = time.perf_counter()
    result = resource.validate(limit_errors=0)
    finished = time.perf_counter()

    errors = [error for task in result.tasks for error in task.errors]
    by_type = Counter(error.type for error in errors)
    return {
        "seconds": finished - started,
        "phases": {"validate": finished - started},
        "errors": len(errors),
        "by_type": ", ".join(f"{kind} {n}" for kind, n in sorted(by_type.items())),
    }


def schema_step(csv_path: Path, users: int) -> dict:
    """Write the frictionless schema with the rules okta2hrmos's template has."""
    from okta2hrmos import rules

    header = csv_path.open(encoding="utf-8").readline().rstrip("\n").split(",")
    constraints = {
        "employeeNumber": {
            "required": True,
            "unique": True,
            "pattern": rules.DEFAULT_CODE_PATTERN,
        },
        "lastName": {"required": True},
        "firstName": {"required": True},
        "login": {"unique": True},
        "email": {"unique": True, "pattern": rules.EMAIL_PATTERN},
        "kanaLastName": {"pattern": rules.KATAKANA_PATTERN},
        "kanaFirstName": {"pattern": rules.KATAKANA_PATTERN},
    }
    fields = []
    for name in header:
        field = {"name": name, "type": "date" if name == "hireDate" else "string"}
        if name in constraints:
            field["constraints"] = constraints[name]
        fields.append(field)
    csv_path.with_suffix(".schema.json").write_text(
        json.dumps({"fields": fields}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return {"fields": len(fields)}


STEPS = {
    "generate": generate_step,
    "schema": schema_step,
    "ours": ours_step,
    "frictionless": frictionless_step,
}


if __name__ == "__main__":
    main()

"""Run mutmut on one group of modules at a time and print the kill rate per module (see scripts/mutation).

A group is a few source files and the tests that concern them: running only those tests keeps a group within
tens of minutes on the 2-core machine, and a mutant the group's tests miss counts as a survivor even when some
far-away test (a browser test, say) would have noticed it, which is what a unit of tests should be judged on.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"

#: group -> (files to mutate, the tests that concern them: globs, expanded when the group runs).
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "recurrence": (
        ["calendar_app/recurrence/engine.py", "calendar_app/recurrence/rrule_eval.py"],
        ["tests/unit/test_recurrence*.py"],
    ),
    "recurrence-text": (
        ["calendar_app/recurrence/rrule_text.py", "calendar_app/recurrence/lunar_text.py",
         "calendar_app/recurrence/model.py"],
        ["tests/unit/test_recurrence.py"],
    ),
    "festivals": (
        ["calendar_app/festivals/lunar.py", "calendar_app/festivals/holidays.py"],
        ["tests/unit/test_festivals*.py"],
    ),
    "ical": (
        ["calendar_app/feeds/ical.py"],
        ["tests/feeds/test_ical_writer*.py"],
    ),
    "params": (
        # The one parser (issue 8): calendar_app/params.py. Its own tests, and the HTTP limits that go through it.
        ["calendar_app/params.py"],
        ["tests/unit/test_params*.py", "tests/views/test_parameter_limits.py"],
    ),
    "params-pages": (
        # What the API and the pages add on top of it (window, page size, filters). Each mutant here runs
        # the request tests that reach it (8 to 15 s each): over an hour with one job on the shared machine.
        ["calendar_app/api/params.py", "calendar_app/public/params.py"],
        ["tests/views/test_api.py", "tests/views/test_api_occurrences.py", "tests/views/test_parameter_limits.py",
         "tests/views/test_bad_input.py", "tests/views/test_pages.py", "tests/public/test_windows.py",
         "tests/public/test_home.py", "tests/public/test_month.py", "tests/public/test_paging.py",
         "tests/public/test_safety_and_language.py"],
    ),
    "events": (
        ["calendar_app/events/services.py"],
        ["tests/services/test_series*.py", "tests/services/test_validation*.py"],
    ),
}

#: Groups whose modules the demo loader never calls (checked by tracing `load_demo`): their sessions load the
#: demo year once and copy it in for each later module and mutant (tests/conftest.py), instead of spending
#: seconds per module of tests drawing the same posters again. Not for a group the loader reaches (events).
DEMO_SNAPSHOT = {"params-pages"}
#: Seconds added to mutmut's estimate of a group's tests before its time limit is set. mutmut counts only the
#: tests' calls, not their fixtures, and (3.8) also stops a run after half its CPU limit in wall time: request
#: tests spend seconds per session creating the app and its database, which a niced run on a busy machine
#: stretches, and without the margin a mutant the tests would kill or miss is counted "timeout".
TIMEOUT_CONSTANT = {"params-pages": 15.0}

#: What the tests need besides the package (mutmut runs them inside its own copy, mutants/).
ALSO_COPY = ["config.py", "wsgi.py", "migrations", "templates", "static", "bench"]
#: Tests that read the source text (mutmut's copy is full of its own trampolines and marked strings).
DESELECT = ["tests/public/test_safety_and_language.py::test_every_ui_string_has_an_english_translation",
            # parses the package's source for its imports: 3 s per mutant there, and no mutant changes an import
            "tests/unit/test_recurrence.py::test_recurrence_package_is_pure"]
CAUGHT = {"killed", "timeout", "segfault"}
MISSED = {"survived", "no tests", "suspicious"}


_SHOW_SURVIVORS = """
import sys
from mutmut.__main__ import find_mutant
from mutmut.mutation.diff_apply import get_diff_for_mutant
with open("survivors.txt", "w") as out:
    for line in sys.stdin.read().splitlines():
        name, status = line.split(" ", 1)
        out.write(f"# {name}: {status}\\n{get_diff_for_mutant(name, path=find_mutant(name).path)}\\n\\n")
"""


def _copy_project(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules", ".hypothesis")
    for name in ["calendar_app", "tests", *ALSO_COPY]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            shutil.copy2(source, dest / name)


def _write_config(dest: Path, files: list[str], tests: list[str], timeout_constant: float) -> None:
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = [
        "", "[tool.mutmut]", 'source_paths = ["calendar_app"]',
        "only_mutate = " + json.dumps(files),
        "also_copy = " + json.dumps(ALSO_COPY),
        "pytest_add_cli_args_test_selection = " + json.dumps(tests),
        "pytest_add_cli_args = " + json.dumps(["-p", "no:cacheprovider", "-p", "no:randomly",
                                                *(arg for test in DESELECT for arg in ("--deselect", test))]),
        "use_git_change_detection = false",
        # mutmut's limit: (the tests' clean time + 1 s, or TIMEOUT_CONSTANT) x 4 x 2 of CPU time, and half
        # that in wall time. A mutant that loops for ever (k -= 1 in a period walk) then costs seconds, not minutes as with
        # mutmut's default x 15 x 2; a right but slower mutant would need to be 8 times slower to be counted.
        f"timeout_constant = {timeout_constant}",
        "timeout_multiplier = 4.0",
    ]
    (dest / "pyproject.toml").write_text(config + "\n".join(section) + "\n", encoding="utf-8")


def _bring_in_unmutated_sources(dest: Path, files: list[str]) -> None:
    """Today's version of every package module the group does not mutate (a fix elsewhere that a new test
    needs), in the copy and in mutmut's own copy; the mutated files and their mutants stay as they were."""
    for source in (ROOT / "calendar_app").rglob("*"):
        relative = source.relative_to(ROOT).as_posix()
        if source.is_dir() or "__pycache__" in relative or relative in files:
            continue
        for target in (dest / relative, dest / "mutants" / relative):
            if target.parent.exists():
                shutil.copy2(source, target)


def _statuses(dest: Path, path: str) -> dict[str, str]:
    from mutmut.stats import status_by_exit_code

    meta = dest / "mutants" / (path + ".meta")
    if not meta.exists():
        return {}
    exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in exit_codes.items()}


def _exit_codes(dest: Path, path: str) -> dict[str, int | None]:
    meta = dest / "mutants" / (path + ".meta")
    return json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}


def _restore_forgotten(dest: Path, path: str, before: dict[str, int | None]) -> None:
    """Put back the results mutmut dropped when the test selection changed (so the next --survivors run sees them)."""
    meta = dest / "mutants" / (path + ".meta")
    data = json.loads(meta.read_text())
    codes = data["exit_code_by_key"]
    for name, code in before.items():
        if codes.get(name) is None and code is not None:
            codes[name] = code
    meta.write_text(json.dumps(data))


def _counts(statuses: dict[str, str]) -> tuple[int, int, int]:
    return (sum(s in CAUGHT for s in statuses.values()), sum(s in MISSED for s in statuses.values()),
            sum(s == "not checked" for s in statuses.values()))


def _previous_survivors(dest: Path, files: list[str]) -> list[str]:
    return sorted(name for path in files for name, status in _statuses(dest, path).items() if status in MISSED)


def run_group(group: str, jobs: int, timeout: int, only: list[str], survivors_only: bool
              ) -> tuple[bool, list[tuple[str, int, int, int]]]:
    files, test_globs = GROUPS[group]
    dest = WORK / group
    tests = sorted({t for pattern in test_globs for t in glob.glob(pattern, root_dir=ROOT)})
    previous: dict[str, dict[str, str]] = {}
    if survivors_only:
        # Keep the copy and its results; bring in today's tests and try only what survived them before.
        # (mutmut forgets the earlier results when the test selection changes: they are merged back below.)
        previous = {path: _statuses(dest, path) for path in files}
        codes = {path: _exit_codes(dest, path) for path in files}
        only = _previous_survivors(dest, files)
        if not only:
            print(f"   {group}: no survivors to try again", flush=True)
            return True, [(path, *_counts(_statuses(dest, path))) for path in files]
        shutil.copytree(ROOT / "tests", dest / "tests", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis"))
        _bring_in_unmutated_sources(dest, files)
    else:
        _copy_project(dest)
    _write_config(dest, files, tests, TIMEOUT_CONSTANT.get(group, 1.0))
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "CI", "MUTATION_DEMO_SNAPSHOT")}
    env["SCHEDULER_IN_PROCESS"] = "0"
    env["MUTATION_RUN"] = "1"  # tests/hypothesis_budget.py, tests/conftest.py
    if group in DEMO_SNAPSHOT:
        # Made afresh by the run's first session (today's loader and unmutated modules, also after --survivors).
        snapshot = dest / "demo.sqlite"
        snapshot.unlink(missing_ok=True)
        shutil.rmtree(dest / "demo.sqlite.media", ignore_errors=True)
        env["MUTATION_DEMO_SNAPSHOT"] = str(snapshot)
    # `python -m mutmut`, not .venv/bin/mutmut: a copied virtualenv's scripts name another checkout's interpreter.
    command = ["nice", "-n", "10", sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *only]
    print(f"== {group}: {len(files)} files, tests {' '.join(tests)}", flush=True)
    started = time.monotonic()
    ok = True
    with open(dest / "mutmut.log", "w") as log:
        process = subprocess.Popen(command, cwd=dest, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            print(f"   {group}: out of time after {timeout} s (MUTATION_TIMEOUT); partial figures below", flush=True)
            code, ok = -1, False
    if code != 0 and ok:
        print(f"   {group}: mutmut failed (exit {code}); see {dest / 'mutmut.log'}", flush=True)
        ok = False
    if survivors_only:
        for path in files:
            _restore_forgotten(dest, path, codes[path])
    rows = []
    survivors = []
    for path in files:
        statuses = {**previous.get(path, {}),
                    **{n: st for n, st in _statuses(dest, path).items() if st != "not checked" or n not in previous.get(path, {})}}
        caught = sum(s in CAUGHT for s in statuses.values())
        missed = [n for n, s in statuses.items() if s in MISSED]
        unchecked = sum(s == "not checked" for s in statuses.values())
        if unchecked and ok and not only:
            print(f"   {group}: {unchecked} mutants of {path} were not checked", flush=True)
            ok = False
        rows.append((path, caught, len(missed), unchecked))
        survivors += [(n, statuses[n]) for n in sorted(missed)]
    # One process writes every survivor's diff (a `mutmut show` per survivor takes seconds each).
    listing = "\n".join(f"{name} {status}" for name, status in survivors)
    subprocess.run([str(ROOT / ".venv/bin/python"), "-c", _SHOW_SURVIVORS], cwd=dest, env=env, input=listing,
                   text=True, check=False)
    print(f"   {group}: {time.monotonic() - started:.0f} s", flush=True)
    return ok, rows


def main(argv: list[str]) -> int:
    survivors_only = "--survivors" in argv
    groups = [a for a in argv if a != "--survivors"] or list(GROUPS)
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        print(f"mutation: unknown group {' '.join(unknown)}; groups: {' '.join(GROUPS)}", file=sys.stderr)
        return 2
    jobs = int(os.environ.get("MUTATION_JOBS", "2"))
    timeout = int(os.environ.get("MUTATION_TIMEOUT", "2400"))
    # mutmut name patterns, e.g. "calendar_app.events.services.x_split_series__mutmut_*": only those mutants.
    only = os.environ.get("MUTATION_ONLY", "").split()
    all_ok = True
    table = []
    for group in groups:
        ok, rows = run_group(group, jobs, timeout, only, survivors_only)
        all_ok &= ok
        table += [(group, *row) for row in rows]
    print("\n| group | module | mutants | killed | survived | kill rate |")
    print("| --- | --- | --- | --- | --- | --- |")
    for group, path, caught, missed, unchecked in table:
        total = caught + missed
        rate = f"{100 * caught / total:.1f}%" if total else "-"
        note = f" ({unchecked} not checked{', outside MUTATION_ONLY' if only else ''})" if unchecked else ""
        print(f"| {group} | {path} | {total} | {caught} | {missed} | {rate}{note} |")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

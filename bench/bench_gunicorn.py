"""Requests per second on gunicorn (2 workers, loopback) for the home page and /calendar.ics, and bytes
on the wire per feed request (plain, gzip, Brotli).

    python -m bench.bench_gunicorn [--occurrences 100000] [--seconds 10]

Builds a fresh SQLite database with the demo year plus a synthetic dataset, renders the feeds, starts
`gunicorn -w 2 wsgi:app` on 127.0.0.1 and drives it with wrk (Debian package `wrk`, installed if
missing and possible) for a bounded time, then stops the server. Traffic goes to loopback only.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from bench.common import make_app, sqlite_url

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("bench_gunicorn: wrk is not installed and could not be installed (apt-get install wrk)")
    return found


def _prepare(url: str, occurrences: int) -> None:
    from calendar_app.demo.generate import generate_dataset
    from calendar_app.demo.load import load_demo
    from calendar_app.extensions import db

    app = make_app(url, FIXED_NOW=NOW, FEEDS_NOW=NOW)
    with app.app_context():
        load_demo(2026, now=NOW)
        generate_dataset(occurrences, seed=11, now=NOW)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["feeds", "render"])
    print(result.output.strip())


def _wrk(wrk: str, url: str, seconds: int, headers: list[str]) -> tuple[float, str]:
    args = [wrk, "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = re.search(r"^\s+50%\s+(\S+).*?^\s+99%\s+(\S+)", out, re.S | re.M)
    return rps, f"p50 {latency.group(1)}, p99 {latency.group(2)}" if latency else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--occurrences", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    wrk = _ensure_wrk()
    url = sqlite_url("gunicorn")
    _prepare(url, args.occurrences)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "CALENDAR_ENV": "development", "SCHEDULER_IN_PROCESS": "0",
           "FIXED_NOW": NOW.isoformat()}
    server = subprocess.Popen(
        # Sync workers, as the published figures were measured (gunicorn.conf.py, read from the
        # repository root, would otherwise make them threaded).
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "--threads", "1", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        etag = urllib.request.urlopen(base + "/calendar.ics", timeout=30).headers["ETag"]
        home_etag = urllib.request.urlopen(base + "/", timeout=30).headers["ETag"]
        print(f"\ngunicorn 2 workers, wrk 2 threads / 16 connections, {args.seconds} s each, "
              f"{args.occurrences} synthetic occurrences + demo year (SQLite)")
        for label, path, headers in [
            ("home page / (anonymous)", "/", []),
            ("home page / (Brotli)", "/", ["Accept-Encoding: br"]),
            ("home page / (304)", "/", [f"If-None-Match: {home_etag}"]),
            # A session cookie bypasses the anonymous page cache: what rendering the page costs.
            ("home page / (uncached)", "/", ["Cookie: session=bench"]),
            ("/calendar.ics (200)", "/calendar.ics", []),
            ("/calendar.ics (200, gzip)", "/calendar.ics", ["Accept-Encoding: gzip"]),
            ("/calendar.ics (304)", "/calendar.ics", [f"If-None-Match: {etag}"]),
            ("/api/v1/occurrences (week)", "/api/v1/occurrences?start=2026-11-23&end=2026-11-29", []),
        ]:
            rps, latency = _wrk(wrk, base + path, args.seconds, headers)
            print(f"{label:<30} {rps:>8.0f} req/s   {latency}")
        print("\nbytes on the wire per request (body):")
        for path in ("/calendar.ics", "/"):
            for coding in ("identity", "gzip", "br"):
                request = urllib.request.Request(base + path, headers={"Accept-Encoding": coding})
                with urllib.request.urlopen(request, timeout=30) as response:
                    body = response.read()
                    sent = response.headers.get("Content-Encoding", "identity")
                print(f"{path:<16} {coding:<9} {len(body):>10,} bytes ({sent})")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

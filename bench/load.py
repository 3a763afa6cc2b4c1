"""A bounded load on loopback: start `runlocal serve` in its own process, hold a fixed request rate for a while on
/api/v1/estimate (varied questions) and on the heaviest pages, and print requests/s, p50, p99 and errors.

    python bench/load.py [--seconds 30] [--rate 200] [--threads 8]

Open loop: requests are scheduled at the target rate whether or not earlier ones finished, so a slow server shows
up as latency (measured from the scheduled time), not as a lower rate."""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

MODELS = ["qwen3-8b", "llama-3.1-8b", "gpt-oss-20b", "qwen3-30b-a3b", "gemma-3-27b", "llama-3.3-70b", "qwen3-14b"]
HARDWARE = ["rtx-4090", "rtx-4060", "rtx-3060-12gb", "M2 Max 64GB", "rtx-5090", "ddr5-5600-2ch", "rx-7900-xtx"]
CONTEXTS = [2048, 4096, 8192, 16384, 32768]
PAGES = ["/hardware", "/models", "/models/qwen3-8b", "/hardware/rtx-4090",
         "/will-it-run?model=qwen3-8b&hardware=rtx-4090", "/", "/methodology"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def api_paths() -> list[str]:
    out = []
    for m, h, c in itertools.product(MODELS, HARDWARE, CONTEXTS):
        out.append("/api/v1/estimate?" + urlencode({"model": m, "hardware": h, "context_tokens": c}))
    return out


def run_load(port: int, paths: list[str], seconds: float, rate: float, threads: int) -> dict[str, float]:
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    total = int(seconds * rate)
    counter = itertools.count()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            i = next(counter)
            if i >= total:
                break
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                conn.request("GET", paths[i % len(paths)])
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            took = time.perf_counter() - due
            with lock:
                lat.append(took)
                if not ok:
                    errors[0] += 1
        conn.close()

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.perf_counter() - start
    lat.sort()
    return {"requests": len(lat), "rps": len(lat) / wall, "p50_ms": 1000 * statistics.median(lat),
            "p99_ms": 1000 * lat[int(0.99 * (len(lat) - 1))], "max_ms": 1000 * lat[-1], "errors": errors[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--rate", type=float, default=200.0, help="requests per second to hold")
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    if not (0 < args.seconds <= 600 and 0 < args.rate <= 5000 and 1 <= args.threads <= 64):
        ap.error("bounded: --seconds up to 600, --rate up to 5000, --threads 1-64")
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="runlocal-load-")
    env = {**os.environ, "RUNLOCAL_DATABASE_URL": f"sqlite:///{tmp}/load.db", "RUNLOCAL_CACHE": tmp}
    server = subprocess.Popen([sys.executable, "-m", "runlocal.cli.main", "serve", "--port", str(port), "--quiet"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            print("the server did not start", file=sys.stderr)
            return 1
        api = api_paths()
        for p in PAGES + api:  # warm: first requests build caches (methodology scoring, page renders)
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request("GET", p)
            c.getresponse().read()
            c.close()
        print(f"{'load':<34} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}")
        for name, paths in ((f"/api/v1/estimate ({len(api)} questions)", api), ("heaviest pages", PAGES)):
            r = run_load(port, paths, args.seconds, args.rate, args.threads)
            print(f"{name:<34} {r['requests']:>8} {r['rps']:>7.1f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
                  f"{r['max_ms']:>7.1f} {r['errors']:>6}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

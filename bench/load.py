"""A bounded load on loopback: start `runlocal serve` in its own process (or two of them on one PostgreSQL behind
Debian's nginx, the deployment docs/operations.md describes), hold a fixed request rate of mixed reads (varied
/api/v1/estimate questions and the heaviest pages, interleaved) and print requests/s, p50, p99 and errors.

    python bench/load.py [--seconds 60] [--rate 100] [--threads 8]
    python bench/load.py --instances 2 --proxy --database postgresql://USER@127.0.0.1:PORT/DB

Open loop: requests are scheduled at the target rate whether or not earlier ones finished, so a slow server shows
up as latency (measured from the scheduled time), not as a lower rate."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

MODELS = ["qwen3-8b", "llama-3.1-8b", "gpt-oss-20b", "qwen3-30b-a3b", "gemma-3-27b", "llama-3.3-70b", "qwen3-14b"]
HARDWARE = ["rtx-4090", "rtx-4060", "rtx-3060-12gb", "M2 Max 64GB", "rtx-5090", "ddr5-5600-2ch", "rx-7900-xtx"]
CONTEXTS = [2048, 4096, 8192, 16384, 32768]
PAGES = ["/hardware", "/models", "/models/qwen3-8b", "/hardware/rtx-4090",
         "/will-it-run?model=qwen3-8b&hardware=rtx-4090", "/", "/methodology", "/bench", "/serving"]


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


def _wait(port: int, proc: subprocess.Popen[bytes] | None, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"a process exited while starting (exit {proc.returncode}; its log is in the "
                               "cluster's temporary folder)")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                c.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {seconds:.0f} s")


NGINX_CONF = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 2m;
    upstream runlocal {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://runlocal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


@contextlib.contextmanager
def cluster(instances: int = 1, database: str | None = None,
            proxy: bool = False) -> Iterator[tuple[int, list[int]]]:
    """`instances` runlocal servers on one database (a throw-away SQLite file unless `database`), behind nginx on
    loopback when `proxy`; yields (the port to load, each instance's own port). Everything started is stopped
    afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="runlocal-load-"))
    url = database or f"sqlite:///{tmp}/load.db"
    env = {**os.environ, "RUNLOCAL_CACHE": str(tmp), "RUNLOCAL_HOME": str(tmp)}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        ports = []
        for _ in range(instances):
            port = free_port()
            with (tmp / f"server-{port}.log").open("wb") as log:  # a pipe nobody reads would stall it
                p = subprocess.Popen([sys.executable, "-m", "runlocal.cli.main", "serve", "--port", str(port),
                                      "--quiet", "--database", url], env=env, stdout=subprocess.DEVNULL, stderr=log)
            procs.append(p)
            _wait(port, p)  # one after another: the first builds the catalog tables, the next find them built
            ports.append(port)
        front = ports[0]
        if proxy:
            binary = nginx_binary()
            if binary is None:
                raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
            front = free_port()
            servers = "\n".join(f"        server 127.0.0.1:{p};" for p in ports)
            user = "user root;" if os.geteuid() == 0 else ""
            (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, servers=servers, port=front, user=user))
            with (tmp / "nginx.out").open("wb") as log:
                ng = subprocess.Popen([binary, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=log)
            procs.append(ng)
            _wait(front, ng)
        yield front, ports
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def mixed_paths() -> list[str]:
    """API questions and pages interleaved: one page after every four questions."""
    api = api_paths()
    out = []
    for i, q in enumerate(api):
        out.append(q)
        if i % 4 == 3:
            out.append(PAGES[(i // 4) % len(PAGES)])
    return out


def warm(port: int, paths: list[str]) -> None:
    """First requests build caches (methodology scoring, page renders) on whichever instance answers."""
    for p in dict.fromkeys(paths):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        c.request("GET", p)
        c.getresponse().read()
        c.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=100.0, help="requests per second to hold")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--instances", type=int, default=1, help="app instances on the one database")
    ap.add_argument("--proxy", action="store_true", help="put Debian's nginx in front (round robin)")
    ap.add_argument("--database", help="a database URL (default: a throw-away SQLite file)")
    args = ap.parse_args()
    if not (0 < args.seconds <= 600 and 0 < args.rate <= 5000 and 1 <= args.threads <= 64
            and 1 <= args.instances <= 8):
        ap.error("bounded: --seconds up to 600, --rate up to 5000, --threads 1-64, --instances 1-8")
    paths = mixed_paths()
    with cluster(args.instances, args.database, args.proxy) as (port, instances):
        for p in instances:
            warm(p, paths)
        where = f"{args.instances} instance(s)" + (" behind nginx" if args.proxy else "") + \
            f" on {(args.database or 'sqlite').split(':', 1)[0]}"
        print(f"{'load (' + where + ')':<52} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'max ms':>7} {'errors':>6}")
        r = run_load(port, paths, args.seconds, args.rate, args.threads)
        print(f"{'mixed reads: API questions and pages, 4:1':<52} {r['requests']:>8} {r['rps']:>7.1f} "
              f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['max_ms']:>7.1f} {r['errors']:>6}")
    return 1 if r["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

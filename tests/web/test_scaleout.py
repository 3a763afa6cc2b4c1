"""The shared deployment docs/operations.md describes, for real: two `runlocal serve` instances on one PostgreSQL
behind Debian's nginx on loopback (bench/load.py starts them). A mixed read load through the proxy gets no errors,
and a bench run submitted through the proxy is seen by both instances."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import load  # noqa: E402  (bench/load.py)
from pg_support import PG_URL, pg_schema_url  # noqa: E402


@pytest.mark.skipif(not PG_URL, reason="RUNLOCAL_TEST_PG_URL is not set (CI sets it)")
def test_two_instances_behind_nginx_on_one_postgresql() -> None:
    assert load.nginx_binary(), "nginx is not installed (.ci/run installs nginx-light)"
    paths = load.mixed_paths()
    with pg_schema_url("s") as url, load.cluster(2, url, proxy=True) as (front, instances):
        for p in instances:
            load.warm(p, paths[:60])
        r = load.run_load(front, paths, seconds=5, rate=40, threads=4)
        print(f"2 instances behind nginx on PostgreSQL: {r['requests']} requests, {r['rps']:.1f}/s, "
              f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, {r['errors']} errors")
        assert r["errors"] == 0 and r["requests"] == 200
        body = json.dumps({"model_id": "smollm2-135m", "hardware_id": "ddr4-3200-2ch",
                           "model": {"sha256": "e" * 64},
                           "measured": {"decode_tokens_per_s": 90.0, "prefill_tokens_per_s": 250.0}}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{front}/api/v1/bench", data=body,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            rid = json.loads(resp.read())["id"]
        for p in instances:  # pending runs are not public, but both instances refuse the same run again
            dup = urllib.request.Request(f"http://127.0.0.1:{p}/api/v1/bench", data=body,
                                         headers={"content-type": "application/json"})
            try:
                urllib.request.urlopen(dup, timeout=30)
                raise AssertionError("duplicate accepted")
            except urllib.error.HTTPError as exc:
                assert exc.code == 409 and f"run {rid}" in json.loads(exc.read())["error"]["message"]

"""runlocal bench: run a GGUF here with llama.cpp and show measured next to estimated."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .render import table

EPILOG = """examples:
  runlocal bench ./SmolLM2-135M-Instruct-Q4_1.gguf --threads 2
  runlocal bench qwen3-8b --gpu-layers 99 --reps 5 --json
"""


def _progress(what: str, done: int, total: int) -> None:
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what:<12}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _f(x: float | None, fmt: str = "{:,.1f}") -> str:
    return "-" if x is None else fmt.format(x)


def render(r: dict[str, Any]) -> str:
    m, e, q, s = r["measured"], r["estimated"], r.get("ratio") or {}, r.get("settings") or {}
    gib = 2**30

    def mem(x: Any) -> float | None:
        return x / gib if x else None

    mem_ratio = q.get("model_memory_bytes")
    rows = [
        [f"generation (tg{s.get('tg', '?')})", f"{_f(m.get('decode_tokens_per_s'))} +/- {_f(m.get('decode_std'))}",
         _f(e.get("decode_tokens_per_s")), _f(q.get("decode_tokens_per_s"), "{:.2f}x")],
        [f"prompt (pp{s.get('pp', '?')})", f"{_f(m.get('prefill_tokens_per_s'))} +/- {_f(m.get('prefill_std'))}",
         _f(e.get("prefill_tokens_per_s")), _f(q.get("prefill_tokens_per_s"), "{:.2f}x")],
        ["memory (GiB)", _f(mem(m.get("model_memory_bytes") or m.get("peak_memory_bytes")), "{:.2f}"),
         _f(mem(e.get("peak_memory_bytes")), "{:.2f}"), _f(mem_ratio, "{:.2f}x")],
    ]
    head = (f"{r.get('model_id') or r['model'].get('path') or '?'} ({r['model'].get('quant') or '?'}) with "
            f"{r.get('runtime', 'llama.cpp')} on {r.get('hardware_id') or 'this machine'}"
            f"{', ' + str(s['threads']) + ' threads' if s.get('threads') else ''}, {s.get('reps', '?')} repetitions")
    if r.get("id"):
        head = f"run {r['id']} ({r.get('status')}): " + head
    versions = ", ".join(f"{k} {v}" for k, v in (r.get("versions") or {}).items())
    lines = [head, "", table(rows, ["tokens/s", "measured", "estimated", "est / meas"]), ""]
    if m.get("load_seconds") is not None:
        lines.append(f"load {m['load_seconds']:.2f} s; peak process memory "
                     f"{(m.get('peak_memory_bytes') or 0) / gib:.2f} GiB")
    lines += [f"versions: {versions}" if versions else "", f"reproduce: {r.get('command', '')}"]
    return "\n".join(x for x in lines if x is not None)


ACTIONS = ("list", "show", "export", "accept", "reject", "import")


def _submit(url: str, r: dict[str, Any], hardware_id: str | None) -> dict[str, Any]:
    """POST a run to a runlocal server's Bench API; its answer (or its error, as an error)."""
    import urllib.error
    import urllib.request

    from ..errors import InvalidField, UnsupportedQuestion

    if not url.startswith(("http://", "https://")):
        raise InvalidField(f"--submit: an http:// or https:// address of a runlocal server, not {url!r}")
    body = {k: v for k, v in r.items() if k not in ("id", "status", "origin", "created_at", "reason", "client")}
    if hardware_id:
        body["hardware_id"] = hardware_id
    req = urllib.request.Request(url.rstrip("/") + "/api/v1/bench", data=json.dumps(body, default=str).encode(),
                                 headers={"content-type": "application/json", "accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - the user's own server address
            return dict(json.loads(resp.read(1 << 20)))
    except urllib.error.HTTPError as exc:
        try:
            err = json.loads(exc.read(1 << 20)).get("error") or {}
        except ValueError:
            err = {}
        raise UnsupportedQuestion(f"{url} refused the run ({exc.code}): {err.get('message') or exc.reason}",
                                  list(err.get("suggestions") or [])) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise UnsupportedQuestion(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None


def _runs_table(rs: list[dict[str, Any]]) -> str:
    rows = [[str(r["id"]), r["status"], r.get("model_id") or "?", r.get("hardware_id") or "this machine",
             r["runtime"], r["model"].get("quant") or "", _f(r["measured"].get("decode_tokens_per_s")),
             _f(r["estimated"].get("decode_tokens_per_s")), _f(r["measured"].get("prefill_tokens_per_s")),
             _f(r["estimated"].get("prefill_tokens_per_s")), (r.get("created_at") or "")[:16]] for r in rs]
    return table(rows, ["id", "status", "model", "hardware", "runtime", "quant", "tg meas", "tg est", "pp meas",
                        "pp est", "when"])


def _action(args: argparse.Namespace) -> int:
    from ..errors import InvalidField
    from ..service import benchruns

    act = args.model
    if act == "list":
        rs = benchruns.runs(status=args.status, model_id=args.model_id, hardware_id=args.hardware,
                            limit=args.limit)
        print(json.dumps(rs, indent=2, default=str) if args.json else (_runs_table(rs) if rs else "no runs stored"))
        return 0
    if act == "export":
        rs = benchruns.export()
        text = "".join(json.dumps(r, default=str, sort_keys=True) + "\n" for r in rs)
        if args.output:
            from pathlib import Path

            Path(args.output).write_text(text, encoding="utf-8")
            print(f"{len(rs)} runs written to {args.output} (JSON Lines)", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    if act == "import":
        return _import(args)
    if not args.ref:
        raise InvalidField(f"runlocal bench {act} RUN_ID: which run (see runlocal bench list)")
    try:
        rid = int(args.ref)
    except ValueError:
        raise InvalidField(f"{args.ref!r} is not a run id (a number, see runlocal bench list)") from None
    if act == "show":
        r = benchruns.run(rid, shown_only=False)
        print(json.dumps(r, indent=2, default=str) if args.json else render(r))
        return 0
    r = benchruns.moderate(rid, "accepted" if act == "accept" else "rejected", args.reason)
    print(json.dumps(r, indent=2, default=str) if args.json else f"run {rid}: {r['status']}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from ..errors import InvalidField
    from ..service.bench import import_llama_bench

    if not args.ref:
        raise InvalidField("runlocal bench import FILE: llama-bench's output (-o json)")
    r = import_llama_bench(args.ref, model_file=args.file, model_id=args.model_id, hardware_id=args.hardware,
                           cpu_simd=args.cpu_simd)
    return _finish(args, r)


def _finish(args: argparse.Namespace, r: dict[str, Any]) -> int:
    from ..service.benchruns import save_local

    if not args.no_save:
        r["saved"] = save_local(r)
    if args.submit:
        r["submitted"] = _submit(args.submit, r, r.get("hardware_id"))
    if args.json:
        print(json.dumps(r, indent=2, default=str))
        return 0
    print(render(r))
    if r.get("saved"):
        print(f"stored as run {r['saved']['id']} (runlocal bench show {r['saved']['id']})")
    if r.get("submitted"):
        print(f"submitted: {r['submitted'].get('message')} ({args.submit.rstrip('/')}{r['submitted'].get('url')})")
    return 0


def run(args: argparse.Namespace) -> int:
    from ..service.bench import bench

    if args.model in ACTIONS:
        return _action(args)
    if args.ref:
        from ..errors import InvalidField

        raise InvalidField(f"unexpected {args.ref!r}: runlocal bench takes one model")
    r = bench(args.model, threads=args.threads, gpu_layers=args.gpu_layers, reps=args.reps, pp=args.pp, tg=args.tg,
              depth=args.depth, tool=args.tool, cpu_simd=args.cpu_simd, runtime=args.runtime,
              ollama_url=args.ollama_url, model_id=args.model_id,
              progress=None if args.json else _progress)
    if args.hardware:
        from ..service.benchruns import catalog_id

        r["hardware_id"] = catalog_id("hardware", args.hardware)
    return _finish(args, r)


def _pct(st: dict[str, Any] | None) -> str:
    return "-" if not st else f"{st['median_error'] * 100:.0f} % (worst {st['worst_error'] * 100:.0f} %, n={st['n']})"


def render_calibration(d: dict[str, Any]) -> str:
    rows = []
    for r in d["report"]:
        fac = "; ".join(f"{k} {v['before']:g} -> {v['after']:g}" for k, v in r["factors"].items())
        if not r.get("kept", True):
            fac += " (not kept: worse on the held-back runs)"
        rows.append([f"{r['figure'].split('_')[0]} ({r['backend']})", fac, _pct(r["used"]["before"]),
                     _pct(r["used"]["after"]), _pct(r["held_back"]["before"]), _pct(r["held_back"]["after"])])
    held = d.get("held_back") or []
    lines = [f"calibration for {d['scope_label']}: {len(d['runs'])} run(s) used, "
             f"{len(held)} held back" + ("" if held else " (three or more runs are needed to hold some back)"), "",
             table(rows, ["figure", "factors", "used: before", "used: after", "held back: before",
                          "held back: after"]), ""]
    if d.get("written"):
        lines.append(f"written to {d['written']}: later estimates for this machine use it and say so "
                     "(runlocal calibrate --reset to drop it)")
    else:
        lines.append("not written (--dry-run)")
    return "\n".join(lines)


def run_calibrate(args: argparse.Namespace) -> int:
    from ..service import calibrate

    if args.reset:
        gone = calibrate.reset()
        out = {"ok": True, "removed": gone, "path": str(calibrate.path())}
        print(json.dumps(out) if args.json else (f"removed {out['path']}" if gone else "no calibration to remove"))
        return 0
    d = calibrate.calibrate(hardware=args.hardware, backend=args.backend, write=not args.dry_run)
    print(json.dumps(d, indent=2, default=str) if args.json else render_calibration(d))
    return 0


def register(sub: Any) -> None:
    c = sub.add_parser("calibrate", help="fit the engine's efficiency factors to your bench runs",
                       description="Fit the efficiency factors that set decode and prefill speed (per thread "
                                   "and RAM share on the CPU, per backend on a GPU) to the runs `runlocal bench` "
                                   "stored for this machine, or to every shown run on a catalog machine "
                                   "(--hardware). Every third run is held back; the error before and after is "
                                   "printed for both shares. The factors are written as user-level assumption "
                                   "overrides that later estimates for that machine use and name in their notes.")
    c.add_argument("--hardware", "-H", help="calibrate a catalog machine from all its shown runs (default: this one)")
    c.add_argument("--backend", choices=["cuda", "rocm", "metal", "vulkan", "sycl", "cpu"],
                   help="calibrate a hardware class: every shown run on catalog machines of this backend")
    c.add_argument("--dry-run", action="store_true", help="fit and report, write nothing")
    c.add_argument("--reset", action="store_true", help="remove the calibration")
    c.add_argument("--json", action="store_true", help="JSON output")
    c.set_defaults(run=run_calibrate)

    b = sub.add_parser("bench", help="run a model here (llama.cpp or Ollama), compare with the estimate, keep it",
                       description="Measure prompt processing and generation like llama-bench (pp512, tg128, "
                                   "several repetitions) through llama-cpp-python or a running Ollama server, "
                                   "with load time and peak memory, next to the engine's estimate for this "
                                   "machine; each run is kept in the database. `runlocal bench list`, "
                                   "`show ID`, `export`, and `accept`/`reject ID` (moderating submitted runs).",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("model", help="a .gguf file, a catalog model whose GGUF is downloaded here, an Ollama model "
                                 "(with --runtime ollama), or list/show/export/accept/reject")
    b.add_argument("ref", nargs="?", help="the run id for show/accept/reject; the results file for import")
    b.add_argument("--file", help="import: the model file the llama-bench results are of (default: the file they "
                                  "name)")
    b.add_argument("--runtime", choices=["llama.cpp", "ollama"], default="llama.cpp",
                   help="llama.cpp through llama-cpp-python (default), or a running Ollama server")
    b.add_argument("--tool", choices=["auto", "llama-cpp-python", "llama-bench"], default="auto",
                   help="how llama.cpp runs: llama-cpp-python, or llama.cpp's own llama-bench binary from the PATH "
                        "(auto: llama-cpp-python when installed, else llama-bench)")
    b.add_argument("--cpu-simd", choices=["avx512", "avx2", "neon"],
                   help="the widest vectors the llama.cpp build uses, for the estimate, when it is not what the CPU "
                        "offers (a GGML_NATIVE=OFF llama-bench stops at AVX2; llama-cpp-python's build says itself)")
    b.add_argument("--ollama-url", default="http://127.0.0.1:11434", help="the Ollama server (default local)")
    b.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    b.add_argument("--gpu-layers", type=int, default=0, help="layers on the GPU (-ngl; 0 = CPU only, -1 or 99 = all)")
    b.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    b.add_argument("--pp", type=int, default=512, help="prompt tokens (default 512)")
    b.add_argument("--tg", type=int, default=128, help="generated tokens (default 128)")
    b.add_argument("--depth", type=int, default=0,
                   help="tokens already in the KV cache before each test (llama-bench's -d; default 0)")
    b.add_argument("--model-id", help="the catalog model the file is, when its name does not say")
    b.add_argument("--hardware", "-H", help="the catalog machine this is (kept with the run; needed to submit it)")
    b.add_argument("--no-save", action="store_true", help="do not keep the run in the database")
    b.add_argument("--submit", metavar="URL", help="send the run to a runlocal server's Bench API (POST /api/v1/bench)")
    b.add_argument("--status", choices=["local", "pending", "accepted", "rejected"], help="list: only these runs")
    b.add_argument("--limit", type=int, default=200, help="list: at most this many (default 200)")
    b.add_argument("--output", "-o", help="export: write JSON Lines here instead of standard output")
    b.add_argument("--reason", help="reject: why (kept with the run)")
    b.add_argument("--json", action="store_true", help="JSON output")
    b.set_defaults(run=run)

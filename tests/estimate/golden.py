"""Expected-output tables transcribed from llama.cpp's tests/snapshots/*.schema, shared by the tests that use them.

Notation (see test_quant_rules.py): ``"<default type>: name=type name@layers=type ..."``, listing every
quantizable tensor whose type differs from the file type's default; ``blk.N.`` prefix and ``.weight`` suffix
dropped, layers as comma-separated ranges (``0-2,4,7-9``). The schemas are made without an imatrix.
"""

from __future__ import annotations

from runlocal.estimate.ggml_types import FTYPES
from runlocal.estimate.gguf_layout import gguf_tensors
from runlocal.estimate.quant_rules import allows_quantization, assign_types
from runlocal.estimate.specs import Architecture

Snapshots = dict[str, dict[str, str]]  # model -> file type -> expected-output spec


def layer_ranges(spec: str) -> list[int]:
    """``"0-2,5"`` -> ``[0, 1, 2, 5]``."""
    out: list[int] = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out += range(int(lo), int(hi or lo) + 1)
    return out


def expand(spec: str) -> tuple[str, dict[str, str]]:
    """A snapshot spec -> (default type, {full tensor name: type} for every tensor that differs)."""
    default, _, rest = spec.partition(":")
    overrides: dict[str, str] = {}
    for tok in rest.split():
        name, ty = tok.rsplit("=", 1)
        if "@" in name:
            suffix, layers = name.split("@")
            for i in layer_ranges(layers):
                overrides[f"blk.{i}.{suffix}.weight"] = ty
        else:
            overrides[f"{name}.weight"] = ty
    return default, overrides


def cases(snapshots: Snapshots) -> list[tuple[str, str]]:
    """Every (model, file type) pair of a snapshot table, for ``pytest.mark.parametrize``."""
    return [(model, ftype) for model, table in snapshots.items() for ftype in table]


def assert_types_match_snapshot(arch: Architecture, ftype: str, spec: str) -> None:
    """The types ``assign_types`` picks for ``arch`` in ``ftype`` are exactly the snapshot's."""
    default, expected = expand(spec)
    assert FTYPES[ftype] == default
    tensors = gguf_tensors(arch)
    types = assign_types(ftype, arch, tensors, imatrix=False)
    got = {
        t.name: ty for t, ty in zip(tensors, types, strict=True) if allows_quantization(t) and ty != default
    }
    assert got == expected


def assert_quantizable_set_matches(arch: Architecture, mxfp4_spec: str) -> None:
    """In MXFP4_MOE every quantizable tensor that is not a 3-D expert stack is listed (as q8_0), so the
    snapshot's list is the model's set of quantizable non-expert tensors."""
    _, listed = expand(mxfp4_spec)
    mine = {
        t.name for t in gguf_tensors(arch) if allows_quantization(t) and not (t.n_dims == 3 and t.shape[2] > 1)
    }
    assert mine == set(listed)

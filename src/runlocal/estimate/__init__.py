"""The pure estimation engine: no I/O, no imports from the rest of runlocal (a test enforces this).

Names load lazily (PEP 562) so that light modules such as `estimate.workload` can be imported by the CLI's
argument parser without pulling in the engine."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .assumptions import DEFAULT, Assumptions
    from .diffusion import DiffusionEstimate, DiffusionModel, DiffusionQuery, estimate_diffusion
    from .engine import LLAMA_CPP, Estimate, Query, RuntimeSpec, Unsupported, estimate
    from .memory import UnknownKVType
    from .specs import Architecture, Device, Machine, ModelSpec
    from .weights import UnknownQuant
    from .workload import DEFAULT_WORKLOAD, Workload

_WHERE = {
    "DEFAULT": "assumptions", "Assumptions": "assumptions",
    "DiffusionEstimate": "diffusion", "DiffusionModel": "diffusion", "DiffusionQuery": "diffusion",
    "estimate_diffusion": "diffusion",
    "LLAMA_CPP": "engine", "Estimate": "engine", "Query": "engine", "RuntimeSpec": "engine",
    "Unsupported": "engine", "estimate": "engine",
    "UnknownKVType": "memory",
    "Architecture": "specs", "Device": "specs", "Machine": "specs", "ModelSpec": "specs",
    "UnknownQuant": "weights",
    "DEFAULT_WORKLOAD": "workload", "Workload": "workload",
}


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'runlocal.estimate' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{mod}", __name__), name)


__all__ = [
    "Architecture",
    "Assumptions",
    "DEFAULT",
    "DEFAULT_WORKLOAD",
    "Device",
    "DiffusionEstimate",
    "DiffusionModel",
    "DiffusionQuery",
    "Estimate",
    "LLAMA_CPP",
    "Machine",
    "ModelSpec",
    "Query",
    "RuntimeSpec",
    "UnknownKVType",
    "UnknownQuant",
    "Unsupported",
    "Workload",
    "estimate",
    "estimate_diffusion",
]

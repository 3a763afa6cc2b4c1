"""Typed answers: what the service returns to every edge. JSON is made from them in `contract.py` only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..catalog.load import Entity
from ..estimate.diffusion import DiffusionEstimate
from ..estimate.engine import Estimate
from ..estimate.workload import Workload
from .question import Kind, OffloadMode

TEXT_METHOD = ("runlocal physics engine: per-tensor weights, per-layer KV, llama.cpp-style placement, "
               "bandwidth-bound decode and compute-bound prefill with fitted efficiencies")
MEDIA_METHOD = ("runlocal diffusion engine: per-stage peak memory (ComfyUI's activation and VAE estimates), "
                "denoiser FLOPs per step over fitted compute efficiency")


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """A hand-written, dated verdict on a model + hardware pair (data/verdicts)."""

    date: str
    summary: str
    text: str


@dataclass(frozen=True, kw_only=True)
class _Common:
    id: Any
    model_entity: Entity | None
    hardware_entity: Entity | None
    runtime: str
    quant: str
    commands: dict[str, str]
    sources: tuple[str, ...]
    notes: tuple[str, ...]
    assumptions: dict[str, Any]

    @property
    def model_id(self) -> str | None:
        return self.model_entity.id if self.model_entity else None

    @property
    def hardware_id(self) -> str | None:
        return self.hardware_entity.id if self.hardware_entity else None


@dataclass(frozen=True, kw_only=True)
class TextAnswer(_Common):
    """A language model on a machine: the engine's Estimate plus what the service adds around it."""

    kind: Kind = "text"
    estimate: Estimate
    workload: Workload
    verdict: Verdict | None = None
    method: str = TEXT_METHOD

    @property
    def fits(self) -> str:
        return self.estimate.fits

    @property
    def decode_tokens_per_s(self) -> float | None:
        return self.estimate.speed.decode_tokens_per_s

    @property
    def total_bytes(self) -> int:
        return self.estimate.memory.total_bytes


@dataclass(frozen=True, kw_only=True)
class MediaSettingsUsed:
    """Image/video settings after the model's defaults were filled in."""

    width: int
    height: int
    steps: int
    cfg_scale: float
    batch: int
    frames: int
    offload: OffloadMode
    vae_tiling: bool
    sampler: str


@dataclass(frozen=True, kw_only=True)
class MediaAnswer(_Common):
    """An image or video model on a machine."""

    kind: Kind
    settings: MediaSettingsUsed
    estimate: DiffusionEstimate
    method: str = MEDIA_METHOD

    @property
    def fits(self) -> str:
        return self.estimate.fits

    @property
    def seconds(self) -> float | None:
        """Seconds per image or per video clip."""
        e = self.estimate
        return e.seconds_per_image if self.kind == "image" else e.seconds_per_video


Answer = TextAnswer | MediaAnswer

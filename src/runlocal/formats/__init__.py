"""Model files: GGUF and safetensors headers, Hugging Face folders and ``hf:`` references -> engine specs.

    load(path) -> Loaded (format, spec, raw header); model_spec_from_path(path) -> ModelSpec
    arch_from_gguf(GGUFFile), arch_from_config(config.json dict) -> (Architecture, params, active params)

Imported eagerly (``runlocal.formats.load`` the function shadows ``runlocal.formats.load`` the module on the
package, so a lazy ``__getattr__`` would hand back either one depending on import order). Nothing on the
CLI's start-up path imports this package.
"""

from __future__ import annotations

from .gguf_arch import arch_from_gguf
from .hfconfig import arch_from_config
from .load import Loaded, load, model_spec_from_path

__all__ = ["Loaded", "arch_from_config", "arch_from_gguf", "load", "model_spec_from_path"]

"""formats/ as a package: its small public face, and the CLI starting without it."""

from __future__ import annotations

import importlib
import subprocess
import sys

import runlocal.formats as formats
from runlocal.formats import gguf_arch, hfconfig


def test_public_face() -> None:
    # `from runlocal.formats import load` is the function; the module is reached through sys.modules
    load = importlib.import_module("runlocal.formats.load")
    assert formats.__all__ == sorted(formats.__all__)
    assert set(formats.__all__) == {"Loaded", "arch_from_config", "arch_from_gguf", "load", "model_spec_from_path"}
    assert formats.load is load.load and formats.Loaded is load.Loaded
    assert callable(formats.load)  # the function, not the module, whatever was imported first
    assert formats.model_spec_from_path is load.model_spec_from_path
    assert formats.arch_from_gguf is gguf_arch.arch_from_gguf
    assert formats.arch_from_config is hfconfig.arch_from_config


def test_cli_parser_does_not_import_formats() -> None:
    code = ("import sys, runlocal.cli.main as m; m.build_parser(); "
            "print(sorted(k for k in sys.modules if k.startswith('runlocal.formats')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

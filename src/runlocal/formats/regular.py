"""Opening files named from outside: only regular files, and small files read with a bound.

A FIFO blocks on open, a character device such as /dev/zero reads forever and reports size 0, and a directory
or a symlink loop fails in ways the readers would otherwise turn into tracebacks; each is refused here with the
path and the reason, before anything is read."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from ..errors import FileFormatError

MAX_METADATA_BYTES = 64 * 1024 * 1024
"""config.json, an index or a tokenizer file: the largest real ones are a few MB (a 250K-entry tokenizer)."""


def describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: str) -> BinaryIO:
    """`path` opened for binary reading, if it is a regular file (symlinks followed)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        why = exc.strerror or str(exc)
        if os.path.islink(path):
            why = f"a symlink that leads nowhere or loops ({why})"
        raise FileFormatError(f"{path}: cannot read the file: {why}") from None
    if not stat.S_ISREG(mode):
        raise FileFormatError(f"{path}: {describe(mode)}, not a model file; name a .gguf, .safetensors or "
                              "config.json file, or a folder that holds one")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def read_small(path: str, limit: int = MAX_METADATA_BYTES) -> bytes:
    """The whole of a small regular file, refused when larger than `limit` (never read past it)."""
    with open_regular(path) as f:
        if os.fstat(f.fileno()).st_size > limit:  # refused before reading any of it
            raise FileFormatError(f"{path}: larger than {limit:,} bytes, too large for a metadata file")
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise FileFormatError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise FileFormatError(f"{path}: larger than {limit:,} bytes, too large for a metadata file")
    return data

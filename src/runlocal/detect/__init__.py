"""This machine: GPUs, memory and CPU (`system`), and the models already downloaded here (`installed`)."""

from .system import GPU, SystemInfo, detect

__all__ = ["GPU", "SystemInfo", "detect"]

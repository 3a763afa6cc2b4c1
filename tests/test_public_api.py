"""The public surface: exactly what `runlocal.__all__` and `runlocal.service.__all__` name, each importable."""

from __future__ import annotations

import runlocal
import runlocal.service as service

PUBLIC = {
    "Ambiguous", "Assumptions", "DataError", "Estimate", "FileFormatError", "InvalidField", "Machine",
    "MediaAnswer", "ModelSpec", "NotFound", "Query", "Question", "RunlocalError", "TextAnswer",
    "UnknownHardware", "UnknownModel", "UnsupportedQuestion", "__version__", "answer", "ask", "will_it_run",
}


def test_exported_members() -> None:
    assert set(runlocal.__all__) == PUBLIC
    assert runlocal.__all__ == sorted(runlocal.__all__)
    for name in runlocal.__all__:
        member = getattr(runlocal, name)
        if name != "__version__":
            assert getattr(member, "__module__", "").startswith("runlocal."), name


def test_service_exports_are_sorted_and_resolve() -> None:
    assert service.__all__ == sorted(service.__all__)
    for name in service.__all__:
        assert getattr(service, name) is not None
    assert "_answer" not in dir(service)


def test_unknown_attribute_is_an_attribute_error() -> None:
    import pytest

    with pytest.raises(AttributeError):
        _ = runlocal.nothing_here  # type: ignore[attr-defined]


def test_no_service_module_shadows_a_service_name() -> None:
    """Importing runlocal.service.X sets attribute X on the package: a module named like an export (ask, answer)
    would replace that function for every later caller."""
    from pathlib import Path

    import runlocal.service as svc

    modules = {p.stem for p in Path(svc.__file__).parent.glob("*.py")}
    assert not modules & set(svc.__all__), modules & set(svc.__all__)

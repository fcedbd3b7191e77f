"""Cached kernels are dropped when any module with kernels changes (Numba keys its cache by a
kernel's own file only, and the kernels inline the loss algebra of another module)."""

import re
from pathlib import Path

import glassbox
from glassbox._jit_cache import KERNEL_MODULES, drop_stale

MODULES = ("losses.py", "kernels.py")


def _package(tmp_path):
    for name in MODULES:
        (tmp_path / name).write_text(f"{name}, first version\n")
    (tmp_path / "__pycache__").mkdir()
    return tmp_path


def _cache(folder):
    for name in ("kernels.f-10.py311.nbi", "kernels.f-10.py311.1.nbc", "losses.g-3.py311.nbi"):
        (folder / name).write_bytes(b"compiled")


def _cached(package):
    return sorted(p.name for p in (package / "__pycache__").glob("*.nb?"))


def test_the_cache_is_cleared_exactly_when_a_kernel_module_changes(tmp_path):
    package = _package(tmp_path)
    _cache(package / "__pycache__")
    drop_stale(package, MODULES)  # no record of the sources yet: nothing to trust
    assert _cached(package) == []

    _cache(package / "__pycache__")
    drop_stale(package, MODULES)  # unchanged sources: the cache stays
    assert len(_cached(package)) == 3

    (package / "losses.py").write_text("losses.py, second version\n")  # only the inlined one
    drop_stale(package, MODULES)
    assert _cached(package) == []


def test_a_package_without_a_cache_folder_gets_its_record(tmp_path):
    for name in MODULES:
        (tmp_path / name).write_text(name)
    drop_stale(tmp_path, MODULES)
    assert (tmp_path / "__pycache__" / "kernels.sha256").exists()


def test_every_module_with_kernels_is_watched():
    package = Path(glassbox.__file__).parent
    with_kernels = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                          if re.search(r"^@njit", p.read_text(), re.MULTILINE))
    assert with_kernels == sorted(KERNEL_MODULES)

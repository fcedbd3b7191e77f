"""Numba's disk cache knows a kernel's own source file only: it keys each compiled kernel by
that file's time stamp. The kernels inline functions from other modules (`_kernels` and
`_netkernels` inline `_losses`), so after only `_losses` changed, as after a `git pull` into an
editable install, they would keep their old machine code and compute with the old algebra
silently. Before any kernel compiles, `_losses` (which every module with kernels imports first)
calls `drop_stale`, which keeps a hash of all of their sources beside the cache and clears the
cache when it changes."""

import hashlib
from pathlib import Path

KERNEL_MODULES = ("_losses.py", "_kernels.py", "_netkernels.py")
"""The modules that hold Numba kernels (a test checks that no other module does)."""


def drop_stale(package=Path(__file__).parent, modules=KERNEL_MODULES):
    """Delete the cached kernels in `package`'s `__pycache__` if any of `modules` changed since
    they were cached. A cache elsewhere (NUMBA_CACHE_DIR) or a read-only install is left as it
    is: an upgrade rewrites every file of an installed package, so its stamps all change."""
    package = Path(package)
    folder = package / "__pycache__"
    digest = hashlib.sha256(b"".join((package / m).read_bytes() for m in modules)).hexdigest()
    stamp = folder / "kernels.sha256"
    try:
        if stamp.read_text() == digest:
            return
    except OSError:
        pass  # no record yet: the cached kernels cannot be trusted
    try:
        for cached in folder.glob("*.nb[ic]"):
            cached.unlink()
        folder.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:
        pass

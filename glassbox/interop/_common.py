"""What every importer shares: recognising a peer's estimator without importing its library,
checking the peer's version, and recording where an imported model came from."""

import json
from datetime import datetime, timezone

from .. import __version__
from .._model import build_model
from ..edit import _logged


def is_estimator(obj, library, names):
    """Whether `obj` is (a subclass of) one of the classes `names` of `library`, judged by the
    names and modules of its classes so that the library need not be imported."""
    return any(cls.__name__ in names and cls.__module__.split(".")[0] == library
               for cls in type(obj).__mro__)


def check_version(library, version, supported):
    """Raise a ValueError unless `version` (a string such as "0.7.8") lies within `supported`,
    a ((major, minor), (major, minor)) range: another version may lay its fitted state out
    differently, and a model read wrongly would silently predict wrongly."""
    try:
        major_minor = tuple(int(part) for part in str(version).split(".")[:2])
    except ValueError:
        major_minor = None
    low, high = supported
    if major_minor is None or not low <= major_minor <= high:
        raise ValueError(
            f"{library} {version} is not supported: glassbox.interop reads and writes the "
            f"fitted state of {library} {low[0]}.{low[1]} to {high[0]}.{high[1]}; install a "
            "version in that range.")


def json_ready(params):
    """The entries of a parameter dict that a model file can hold (tuples become lists, numpy
    numbers plain numbers); the others, such as callbacks, are left out."""
    kept = {}
    for key, value in params.items():
        try:
            kept[key] = json.loads(json.dumps(value, allow_nan=False, default=_plain))
        except (TypeError, ValueError):
            continue
    return kept


def _plain(value):
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


def imported_model(features, terms, intercept, *, link, classes, feature_names_in, source,
                   details, history=None):
    """A glassbox model built from imported pieces, its provenance naming the `source` (library,
    version, estimator and anything else worth keeping) and the import date, and its edit log
    opening with an "import" entry.

    `history`, a (provenance, edit log) pair carried by the imported object from an earlier
    glassbox model, replaces that provenance and is continued by the "import" entry."""
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if history is None:
        provenance, edit_log = {**source, "date": when,
                                "imported_with": f"glassbox {__version__}"}, ()
    else:
        provenance, edit_log = history
    model = build_model(features, terms, intercept, link=link, classes=classes,
                        provenance=provenance, edit_log=edit_log,
                        feature_names_in=feature_names_in)
    reason = f"imported from {source['library']} {source['version']} {source['estimator']}"
    return _logged(model, "import", None, reason, details)

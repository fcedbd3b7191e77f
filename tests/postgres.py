"""A throwaway PostgreSQL server, and DataFrames written into it, for tests and benchmarks.

`cluster()` runs `initdb` in a temporary directory, starts the server listening only on a Unix
socket in that directory (no TCP port, so nothing can clash with another server), yields a
connection string and stops the server and removes the directory afterwards, also when the
body fails. Durability is switched off (fsync, synchronous commit, full-page writes): the data
lives only as long as the cluster. PostgreSQL refuses to run as root, so as root the server runs
as the `postgres` user (or `nobody`). `Unavailable` says what is missing and how to install it.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

PORT = 5432  # the socket's name only: the server listens on no TCP port


class Unavailable(RuntimeError):
    """PostgreSQL or psycopg is not installed; the message says how to install it."""


def bindir():
    """The directory of PostgreSQL's server programs (initdb, pg_ctl)."""
    candidates = []
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                               check=False).stdout.strip()
        candidates.append(found)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb")).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                         else 0, reverse=True)
    for directory in candidates:
        if directory and all(os.access(Path(directory, tool), os.X_OK)
                             for tool in ("initdb", "pg_ctl")):
            return Path(directory)
    raise Unavailable("PostgreSQL is not installed (no initdb found); install it with "
                      "`apt-get install postgresql` (Debian/Ubuntu).")


def _server_user():
    """The command prefix that runs a server program as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            return ["runuser", "-u", name, "--"], pwd.getpwnam(name)
        except KeyError:
            continue
    raise Unavailable("Running as root and neither a `postgres` nor a `nobody` user exists to "
                      "run PostgreSQL as.")


@contextmanager
def cluster():
    """Start a throwaway PostgreSQL server; yield its libpq connection string."""
    try:
        import psycopg  # noqa: F401 - only checked here; callers connect
    except ImportError:
        raise Unavailable('psycopg is not installed: pip install "psycopg[binary]"') from None
    programs = bindir()
    prefix, user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="glassbox-pg-"))
    try:
        if user is not None:
            os.chown(root, user.pw_uid, user.pw_gid)
        data, log = root / "data", root / "server.log"

        def run(*command):
            result = subprocess.run([*prefix, *command], cwd=root, capture_output=True,
                                    text=True, check=False)
            if result.returncode != 0:
                server_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{result.stdout}"
                                   f"{result.stderr}{server_log}")

        run(programs / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync")
        options = (f"-k {root} -p {PORT} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        run(programs / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start")
        try:
            yield f"host={root} port={PORT} user=postgres dbname=postgres"
        finally:
            run(programs / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _column_type(series):
    """The PostgreSQL type of a DataFrame column: that of its values (of its categories)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _column_type(pd.Series(series.cat.categories))
    values = series.dropna()
    kinds = {("bool" if isinstance(v, (bool, np.bool_)) else
              "int" if isinstance(v, (int, np.integer)) else
              "float" if isinstance(v, (float, np.floating)) else "text") for v in values}
    if series.dtype.kind == "b" or kinds == {"bool"}:
        return "boolean"
    if series.dtype.kind in "iu" or kinds == {"int"}:
        return "bigint"
    if series.dtype.kind == "f" or kinds <= {"int", "float"} and kinds:
        return "double precision"
    return "text"


def _quote(name):
    return '"' + str(name).replace('"', '""') + '"'


def _value(value, floats):
    """A cell as COPY takes it: a Python scalar, None where missing (a float NaN stays NaN in a
    float column)."""
    if isinstance(value, np.generic):
        value = value.item()
    if pd.isna(value) and not (floats and isinstance(value, float)):
        return None
    return value


def write_frame(connection, frame, table):
    """Create `table` from a DataFrame and COPY its rows in: a float NaN stays a float 'NaN';
    None, pd.NA and any other missing value becomes NULL."""
    types = [_column_type(frame[c]) for c in frame.columns]
    values = [[_value(v, kind == "double precision") for v in frame[c].astype(object).tolist()]
              for c, kind in zip(frame.columns, types)]
    definition = ", ".join(f"{_quote(c)} {t}" for c, t in zip(frame.columns, types))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {_quote(table)} ({definition})")
        columns = ", ".join(_quote(c) for c in frame.columns)
        with cursor.copy(f"COPY {_quote(table)} ({columns}) FROM STDIN") as copy:
            for row in zip(*values):
                copy.write_row(row)
    connection.commit()

"""How every benchmark records where it ran and hands over its report."""

import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def commit():
    """The short commit the benchmark ran on, flagged if glassbox/ or benchmarks/ had
    uncommitted changes."""
    def git(*command):
        return subprocess.run(["git", "-C", str(REPO_ROOT), *command], capture_output=True,
                              text=True, check=False).stdout.strip()
    dirty = git("status", "--porcelain", "--", "glassbox", "benchmarks")
    return ((git("rev-parse", "--short", "HEAD") or "unknown")
            + (" (with uncommitted changes in glassbox/ or benchmarks/)" if dirty else ""))


def publish(text, output=None):
    """Print the report and, if `output` is a path, write it there (creating its folder);
    returns that path or None."""
    print(text, end="")
    if not output:
        return None
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    return output

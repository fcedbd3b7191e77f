"""Every ```python block of README.md and docs/*.md runs as written.

The blocks of one file run in order in one namespace (a later block may use what an earlier one
defined), in a temporary working directory, with matplotlib's non-interactive backend.
"""

import re
import textwrap
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<tag>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.MULTILINE | re.DOTALL)


def code_blocks(text):
    """(language tag, dedented body, line number) of every fenced block."""
    return [(m["tag"].strip(), textwrap.dedent(m["body"]), text.count("\n", 0, m.start()) + 1)
            for m in FENCE.finditer(text)]


def test_blocks_are_found():
    """The extraction sees indented blocks and tags, so a python block cannot escape the test."""
    text = "text\n\n```python\nx = 1\n```\n\n- item\n\n  ```python\n  y = x\n  ```\n\n```sh\nls\n```\n"
    assert code_blocks(text) == [("python", "x = 1\n", 3), ("python", "y = x\n", 9),
                                 ("sh", "ls\n", 13)]


@pytest.mark.parametrize("document", [d for d in DOCUMENTS
                                      if any(tag == "python"
                                             for tag, _, _ in code_blocks(d.read_text()))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(document, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    try:
        for tag, body, line in code_blocks(document.read_text()):
            if tag == "python":
                code = compile("\n" * line + body, str(document), "exec")  # tracebacks give doc lines
                exec(code, namespace)  # noqa: S102 - the point of the test
    finally:
        plt.close("all")

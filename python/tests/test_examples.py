"""Every example in the docs runs: each ```python block of README.md and docs/*.md is the whole
of a file in examples/python/, and each of those files runs to completion. Each ```cpp block
is the whole of a file in examples/cpp/ or a run of its lines (indented less, perhaps), which
CTest builds and runs (examples/cpp/CMakeLists.txt); a block fenced ```cpp sketch is a sketch
or a summary, not compiled."""
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(os.environ.get("DFSIM_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
EXAMPLES = sorted((ROOT / "examples" / "python").glob("*.py"))
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def code_blocks(doc, language):
    return re.findall(rf"^```{language}\n(.*?)^```$", doc.read_text(), flags=re.S | re.M)


def python_blocks(doc):
    return code_blocks(doc, "python")


CPP_EXAMPLES = sorted((ROOT / "examples" / "cpp").glob("*.[ch]pp"))


def cpp_blocks(doc):
    return code_blocks(doc, "cpp")


def whole_file(block, text):
    return block == text


def whole_or_lines_of(block, text):
    """The whole file, or a run of its whole lines with their common indentation taken off."""
    if block == text:
        return True
    lines, wanted = text.splitlines(keepends=True), block.splitlines(keepends=True)
    return any(textwrap.dedent("".join(lines[i:i + len(wanted)])) == block
               for i in range(len(lines) - len(wanted) + 1))


# One rule for both languages: each doc's blocks are (parts of) example files, each example
# file is shown. kind: (what the blocks are, their folder, its files, a doc's blocks, how a
# block shows a file).
KINDS = {"python": ("Python code", "examples/python/", EXAMPLES, python_blocks, whole_file),
         "cpp": ("C++", "examples/cpp/", CPP_EXAMPLES, cpp_blocks, whole_or_lines_of)}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_block_is_an_example_file(doc, kind):
    what, folder, examples, blocks, shows = KINDS[kind]
    texts = [f.read_text() for f in examples]
    for block in blocks(doc):
        assert any(shows(block, text) for text in texts), (
            f"{doc.name} shows {what} that is not in a file of {folder} (keep them equal):\n{block}")


@pytest.mark.parametrize("kind", KINDS)
def test_every_example_file_is_shown(kind):
    _, folder, examples, blocks, shows = KINDS[kind]
    shown = [block for doc in DOCS for block in blocks(doc)]
    assert examples, f"{folder} holds no example"
    for f in examples:
        text = f.read_text()
        assert any(shows(block, text) for block in shown), f"{folder}{f.name} appears in no doc"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(example, tmp_path):
    done = subprocess.run([sys.executable, str(example)], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr

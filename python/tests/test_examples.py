"""Every Python example in the docs runs: each ```python block of README.md and docs/*.md is
the whole of a file in examples/python/, and each of those files runs to completion. Each
```cpp block that is a whole program (it has a main) is the whole of a file in examples/cpp/,
which CTest builds and runs (examples/cpp/CMakeLists.txt)."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(os.environ.get("DFSIM_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
EXAMPLES = sorted((ROOT / "examples" / "python").glob("*.py"))
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def code_blocks(doc, language):
    return re.findall(rf"^```{language}\n(.*?)^```$", doc.read_text(), flags=re.S | re.M)


def python_blocks(doc):
    return code_blocks(doc, "python")


CPP_EXAMPLES = sorted((ROOT / "examples" / "cpp").glob("*.cpp"))


def cpp_programs(doc):
    return [b for b in code_blocks(doc, "cpp") if "int main(" in b]


# One rule for both languages: each doc's blocks are example files, each example file is a
# doc's block. kind: (what the blocks are, their folder, its files, a doc's blocks).
KINDS = {"python": ("Python code", "examples/python/", EXAMPLES, python_blocks),
         "cpp": ("a C++ program", "examples/cpp/", CPP_EXAMPLES, cpp_programs)}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_block_is_an_example_file(doc, kind):
    what, folder, examples, blocks = KINDS[kind]
    files = {f.read_text(): f.name for f in examples}
    for block in blocks(doc):
        assert block in files, (f"{doc.name} shows {what} that is not a file of "
                                f"{folder} (keep them equal):\n{block}")


@pytest.mark.parametrize("kind", KINDS)
def test_every_example_file_is_shown(kind):
    _, folder, examples, blocks = KINDS[kind]
    shown = {block for doc in DOCS for block in blocks(doc)}
    assert examples, f"{folder} holds no example"
    for f in examples:
        assert f.read_text() in shown, f"{folder}{f.name} appears in no doc"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(example, tmp_path):
    done = subprocess.run([sys.executable, str(example)], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr

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


def python_blocks(doc):
    return re.findall(r"^```python\n(.*?)^```$", doc.read_text(), flags=re.S | re.M)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_block_is_an_example_file(doc):
    files = {f.read_text(): f.name for f in EXAMPLES}
    for block in python_blocks(doc):
        assert block in files, (f"{doc.name} shows Python code that is not a file of "
                                f"examples/python/ (keep them equal):\n{block}")


def test_every_example_file_is_shown():
    shown = {block for doc in DOCS for block in python_blocks(doc)}
    for f in EXAMPLES:
        assert f.read_text() in shown, f"examples/python/{f.name} appears in no doc"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(example, tmp_path):
    done = subprocess.run([sys.executable, str(example)], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


CPP_EXAMPLES = sorted((ROOT / "examples" / "cpp").glob("*.cpp"))


def cpp_programs(doc):
    blocks = re.findall(r"^```cpp\n(.*?)^```$", doc.read_text(), flags=re.S | re.M)
    return [b for b in blocks if "int main(" in b]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_cpp_program_is_an_example_file(doc):
    files = {f.read_text(): f.name for f in CPP_EXAMPLES}
    for block in cpp_programs(doc):
        assert block in files, (f"{doc.name} shows a C++ program that is not a file of "
                                f"examples/cpp/ (keep them equal):\n{block}")


def test_every_cpp_example_is_shown():
    shown = {block for doc in DOCS for block in cpp_programs(doc)}
    assert CPP_EXAMPLES, "examples/cpp/ holds no program"
    for f in CPP_EXAMPLES:
        assert f.read_text() in shown, f"examples/cpp/{f.name} appears in no doc"

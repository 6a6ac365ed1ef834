"""What the tests share: the built command line (DFSIM_CLI, set by CTest) to compare against."""
import json
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def cli():
    """Runs the built `dfsim` with the given arguments and returns its parsed --json output."""
    binary = os.environ.get("DFSIM_CLI")
    if not binary:
        pytest.fail("DFSIM_CLI is not set: run the tests through ctest, or set it to build/release/cli/dfsim")

    def run(*args, expect_status=0):
        done = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
        assert done.returncode == expect_status, done.stderr
        return json.loads(done.stdout)

    return run

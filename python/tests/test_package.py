"""The package imports from the build folder and exposes its exceptions with the right bases."""
import os
import subprocess

import dfsim


def test_validation_errors_are_value_errors():
    assert issubclass(dfsim.InvalidArgument, ValueError)
    assert issubclass(dfsim.GraphError, dfsim.InvalidArgument)


def test_run_errors_carry_their_result():
    assert issubclass(dfsim.Deadlock, dfsim.RunError)
    assert issubclass(dfsim.UnitError, dfsim.RunError)
    error = dfsim.Deadlock("report", result="the result", blocked=[])
    assert error.result == "the result" and str(error) == "report"


def test_the_extension_sits_in_the_package():
    assert dfsim._dfsim.__name__ == "dfsim._dfsim"


def test_the_version_is_the_command_lines():
    done = subprocess.run([os.environ["DFSIM_CLI"], "--version"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"dfsim {dfsim.__version__}\n"
    assert dfsim.__version__.count(".") == 2

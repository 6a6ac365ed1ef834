"""The package imports from the build folder and exposes its exceptions with the right bases."""
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

# The Python package (python/, docs/python.md): `import dfsim` in Debian's /usr/bin/python3,
# built with Debian's pybind11. On by default when both are found; scripts/build.sh turns it
# off for the sanitizer builds, whose instrumented extension cannot load into an ordinary python.
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  # The python3 first on PATH may be another one (pyenv): the package is for the system's.
  set(Python_EXECUTABLE /usr/bin/python3)
endif()
find_package(Python 3 COMPONENTS Interpreter Development.Module QUIET)
if(Python_FOUND)
  set(PYBIND11_FINDPYTHON ON)
  find_package(pybind11 2.10 CONFIG QUIET)
endif()
option(DFSIM_BUILD_PYTHON "Build the Python package (needs pybind11)" ${pybind11_FOUND})
if(DFSIM_BUILD_PYTHON)
  if(NOT pybind11_FOUND)
    message(FATAL_ERROR "DFSIM_BUILD_PYTHON needs pybind11 and Python 3 headers: "
                        "apt-get install pybind11-dev python3-pybind11 python3-dev (scripts/setup.sh)")
  endif()
  # The extension links the static libraries into a shared object. Without semantic
  # interposition the code is the same as the default PIE's: no speed is lost.
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-fno-semantic-interposition)
  endif()
endif()

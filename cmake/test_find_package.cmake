# CTest's install test (cmake -P): installs the build into a fresh prefix, builds
# examples/find_package against it and runs it, then imports the installed Python package.
# -DBUILD_DIR= -DSOURCE_DIR= -DWORK_DIR= -DCXX= -DPYTHON= (empty: no Python package)
# -DSANITIZE= (the build's DFSIM_SANITIZE: the consumer is built with the same sanitizers, or
# it could not link the instrumented libraries)
function(step)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
set(sanitize_flags "")
if(SANITIZE)
  set(sanitize_flags -DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE} -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE})
endif()
step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/find_package -B ${WORK_DIR}/app -G Ninja
     -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix} ${sanitize_flags})
step(${CMAKE_COMMAND} --build ${WORK_DIR}/app)
step(${WORK_DIR}/app/two_contexts)
# source_of writes one value a cycle from cycle 0; each is visible one cycle later (latency 1),
# so the sink takes the last at cycle 3 (docs/semantics.md).
if(NOT output STREQUAL "completed in 3 cycles: 1 2 3\n")
  message(FATAL_ERROR "two_contexts printed '${output}', expected 'completed in 3 cycles: 1 2 3'")
endif()
# The same source, a Map of latency 1 (visible at 2, 3, 4) and a sink that takes the last at 4.
step(${WORK_DIR}/app/graph_from_data)
if(NOT output STREQUAL "completed in 4 cycles: 10 20 30\n")
  message(FATAL_ERROR "graph_from_data printed '${output}', expected 'completed in 4 cycles: 10 20 30'")
endif()
if(PYTHON)
  file(GLOB site ${prefix}/lib/python3*/dist-packages)
  step(${CMAKE_COMMAND} -E env PYTHONPATH=${site} ${PYTHON} -c
       "import dfsim\nprint(dfsim.__file__)\nprint(dfsim.sdpa.simulate(variant='naive', n=4).status)")
  if(NOT output MATCHES "^${prefix}/.*/dfsim/__init__.py\ncompleted\n$")
    message(FATAL_ERROR "the installed package is not the one imported:\n${output}")
  endif()
endif()

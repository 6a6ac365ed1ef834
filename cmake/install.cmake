# Installation (docs/python.md, "Installing"): the libraries, their headers and a CMake package
# config, so that a C++ project can
#   find_package(dfsim REQUIRED)
#   target_link_libraries(app PRIVATE dfsim::engine)
# Each layer's CMakeLists.txt installs its library with one line: dfsim_install_library(target).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(DFSIM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/dfsim")

# dfsim_install_library(dfsim_engine): installs the library as dfsim::engine, with the headers
# of its include/ folder. The include directories the layer declared (relative to its source
# folder) hold for the build only; the installed targets find headers under the prefix.
function(dfsim_install_library target)
  get_target_property(includes ${target} INTERFACE_INCLUDE_DIRECTORIES)
  set(relocatable "")
  foreach(dir IN LISTS includes)
    list(APPEND relocatable "$<BUILD_INTERFACE:${dir}>")
  endforeach()
  list(APPEND relocatable "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${relocatable}")
  string(REGEX REPLACE "^dfsim_" "" short_name ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${short_name})
  install(TARGETS ${target} EXPORT dfsimTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()

# Called once every layer has added its library.
function(dfsim_install_package)
  install(EXPORT dfsimTargets NAMESPACE dfsim:: DESTINATION ${DFSIM_INSTALL_CMAKEDIR})
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dfsimConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/dfsimConfig.cmake
                                INSTALL_DESTINATION ${DFSIM_INSTALL_CMAKEDIR})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/dfsimConfigVersion.cmake
                                   COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/dfsimConfig.cmake ${PROJECT_BINARY_DIR}/dfsimConfigVersion.cmake
          DESTINATION ${DFSIM_INSTALL_CMAKEDIR})
endfunction()

# The install test: a fresh prefix, a consumer project built against it, the Python package
# imported from it (cmake/test_find_package.cmake).
function(dfsim_add_install_test)
  set(python "")
  if(DFSIM_BUILD_PYTHON)
    set(python ${Python_EXECUTABLE})
  endif()
  add_test(NAME install.find_package
           COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${PROJECT_BINARY_DIR}/install_test -DCXX=${CMAKE_CXX_COMPILER}
                   -DPYTHON=${python} "-DSANITIZE=${DFSIM_SANITIZE}"
                   -P ${PROJECT_SOURCE_DIR}/cmake/test_find_package.cmake)
  set_tests_properties(install.find_package PROPERTIES TIMEOUT 300)
endfunction()

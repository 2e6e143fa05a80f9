# The functions every CMakeLists.txt of wharf uses. Adding a component or a
# dependency is one line:
#
#   a component folder   add its name to WHARF_COMPONENTS (CMakeLists.txt); its
#                        broker/<name>/, tests/<name>/ and bench/<name>/
#                        CMakeLists.txt are then added in that order.
#   a library            wharf_cc_library(NAME wharf_x SRCS ... DEPS ...). When
#                        the Broker (wharf_service) or the endpoint (wharf_wire)
#                        links it, directly or not, it is in the installed
#                        package by itself (cmake/wharf_package.cmake).
#   a dependency         wharf_find_package(<Package> [args] [PKG_CONFIG ...])
#                        or wharf_find_pkg_config(<PREFIX> <module>), in the
#                        dependency block of CMakeLists.txt or in the component
#                        that alone needs it; then name its target in DEPS. The
#                        installed wharfConfig.cmake and wharf.pc find it again.
#   a program            wharf_cc_binary (tools: installed), wharf_cc_test,
#                        wharf_cc_bench, wharf_cc_fuzzer.

# Internal include paths: the repository root (broker/ headers) and the
# header-only libraries broker code uses. Linked PRIVATE by wharf's own
# targets, so a user of wharf::wharf sees include/ only.
add_library(wharf_internal INTERFACE)
target_include_directories(wharf_internal INTERFACE ${PROJECT_SOURCE_DIR})
target_include_directories(wharf_internal SYSTEM INTERFACE ${CONCURRENTQUEUE_INCLUDE_DIR}
                           ${RAPIDJSON_INCLUDE_DIR})

# Fuzz builds count edges in all of wharf's own code (cheap counters, no
# comparison tracing), so that a fuzzer over the whole broker
# (tests/wire/broker_fuzzer.cc) is guided by the services it reaches; other
# programs of that tree run with the counters unused.
if(WHARF_BUILD_FUZZ)
  target_compile_options(wharf_internal INTERFACE -fsanitize-coverage=inline-8bit-counters,pc-table)
endif()

# wharf_cc_library(NAME name SRCS ... DEPS ...): a static library of broker code.
function(wharf_cc_library)
  cmake_parse_arguments(W "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(${W_NAME} STATIC ${W_SRCS})
  target_compile_features(${W_NAME} PUBLIC cxx_std_20)
  target_include_directories(${W_NAME} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>)
  target_compile_options(${W_NAME} PRIVATE ${WHARF_WARNINGS})
  target_link_libraries(${W_NAME} PUBLIC ${W_DEPS} Threads::Threads PRIVATE wharf_internal)
  set_property(GLOBAL APPEND PROPERTY WHARF_LIBRARIES ${W_NAME})
endfunction()

# wharf_cc_binary(NAME name SRCS ... DEPS ... [NO_INSTALL]): a program of
# broker/tools, installed to bin/ unless NO_INSTALL.
function(wharf_cc_binary)
  cmake_parse_arguments(W "NO_INSTALL" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${W_NAME} ${W_SRCS})
  target_compile_options(${W_NAME} PRIVATE ${WHARF_WARNINGS})
  target_link_libraries(${W_NAME} PRIVATE ${W_DEPS} wharf_internal)
  if(WHARF_INSTALL AND NOT W_NO_INSTALL)
    install(TARGETS ${W_NAME} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endfunction()

# wharf_cc_test(NAME name SRCS ... DEPS ... [LABELS ...]): a GoogleTest binary registered with ctest.
function(wharf_cc_test)
  if(NOT WHARF_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(W "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${W_NAME} ${W_SRCS})
  target_compile_options(${W_NAME} PRIVATE ${WHARF_WARNINGS})
  target_link_libraries(${W_NAME} PRIVATE ${W_DEPS} wharf_internal wharf_testing GTest::gmock
                        GTest::gtest_main)
  gtest_discover_tests(${W_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${W_LABELS}")
endfunction()

# wharf_durable_rerun(test ...): registers the tests of each wharf_cc_test
# binary once more with ctest, prefixed "durable/" and run with
# WHARF_TEST_DURABLE=1, for fixtures that then use a durable broker.
function(wharf_durable_rerun)
  foreach(t ${ARGN})
    if(TARGET ${t})
      gtest_discover_tests(${t} TEST_PREFIX "durable/" DISCOVERY_TIMEOUT 60
                           PROPERTIES LABELS core ENVIRONMENT WHARF_TEST_DURABLE=1)
    endif()
  endforeach()
endfunction()

# wharf_cc_bench(NAME name SRCS ... DEPS ...): a Google Benchmark binary (not run by ctest).
function(wharf_cc_bench)
  if(NOT WHARF_BUILD_BENCH)
    return()
  endif()
  cmake_parse_arguments(W "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${W_NAME} ${W_SRCS})
  target_compile_options(${W_NAME} PRIVATE ${WHARF_WARNINGS})
  target_link_libraries(${W_NAME} PRIVATE ${W_DEPS} wharf_internal benchmark::benchmark)
endfunction()

# wharf_cc_fuzzer(NAME name SRCS ... DEPS ... CORPUS dir): a libFuzzer target
# (WHARF_BUILD_FUZZ, clang) under ASan+UBSan, with a short run over its seed
# corpus (the folder `dir` beside the CMakeLists.txt) as the ctest
# <name>_smoke (label fuzz), which .ci/run's fuzz step runs. New inputs go to
# <dir>_out in the build tree.
function(wharf_cc_fuzzer)
  cmake_parse_arguments(W "" "NAME;CORPUS" "SRCS;DEPS" ${ARGN})
  set(sanitizers -fsanitize=address,undefined -fno-omit-frame-pointer)
  add_executable(${W_NAME} ${W_SRCS})
  target_compile_options(${W_NAME} PRIVATE ${WHARF_WARNINGS} ${sanitizers} -fsanitize=fuzzer)
  target_link_options(${W_NAME} PRIVATE ${sanitizers} -fsanitize=fuzzer)
  target_link_libraries(${W_NAME} PRIVATE ${W_DEPS})
  file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/${W_CORPUS}_out)
  add_test(NAME ${W_NAME}_smoke
           COMMAND ${W_NAME} -max_total_time=10 -max_len=4096 ${CMAKE_CURRENT_BINARY_DIR}/${W_CORPUS}_out
                   ${CMAKE_CURRENT_SOURCE_DIR}/${W_CORPUS})
  set_tests_properties(${W_NAME}_smoke PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()

# wharf_add_components(): add_subdirectory for each folder of the current
# directory named in WHARF_COMPONENTS, in that order (the layers': a folder
# may test `if(TARGET ...)` for targets of the folders before it). "tools"
# only with WHARF_BUILD_TOOLS.
function(wharf_add_components)
  foreach(component IN LISTS WHARF_COMPONENTS)
    if(component STREQUAL "tools" AND NOT WHARF_BUILD_TOOLS)
      continue()
    endif()
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${component}/CMakeLists.txt)
      add_subdirectory(${component})
    endif()
  endforeach()
endfunction()

# wharf_find_package(<Package> [<find_package arguments>...] [PKG_CONFIG <module>...])
#
# find_package(<Package> ... REQUIRED) for what wharf's libraries link. The
# installed wharfConfig.cmake repeats it (find_dependency) for an exported
# target that links one of the package's targets, and wharf.pc requires its
# PKG_CONFIG modules, where "<name>" stands for the lower-cased name of the
# linked target: absl::strings with "absl_<name>" requires absl_strings.
# The package's imported targets are made global, so a component folder can
# find what only it needs.
function(wharf_find_package package)
  cmake_parse_arguments(W "" "" "PKG_CONFIG" ${ARGN})
  get_directory_property(before IMPORTED_TARGETS)
  find_package(${package} ${W_UNPARSED_ARGUMENTS} REQUIRED)
  get_directory_property(after IMPORTED_TARGETS)
  # The package's targets are known by their namespace (OpenSSL::Crypto:
  # OpenSSL); also by the package name, for when a parent project found the
  # package first and no target is new here.
  set(namespaces ${package})
  foreach(target IN LISTS after)
    if(NOT target IN_LIST before)
      set_property(TARGET ${target} PROPERTY IMPORTED_GLOBAL TRUE)
      if(target MATCHES "^(.+)::")
        list(APPEND namespaces ${CMAKE_MATCH_1})
      endif()
    endif()
  endforeach()
  list(REMOVE_DUPLICATES namespaces)
  list(JOIN W_UNPARSED_ARGUMENTS " " arguments)
  string(STRIP "${package} ${arguments}" arguments)
  foreach(namespace IN LISTS namespaces)
    set_property(GLOBAL PROPERTY WHARF_FIND_${namespace} "find_dependency(${arguments})")
    set_property(GLOBAL PROPERTY WHARF_PKG_CONFIG_${namespace} "${W_PKG_CONFIG}")
  endforeach()
endfunction()

# wharf_find_pkg_config(<PREFIX> <module>): a dependency known to pkg-config
# only; its target is PkgConfig::<PREFIX>. Remembered as wharf_find_package's.
function(wharf_find_pkg_config prefix module)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(${prefix} REQUIRED IMPORTED_TARGET GLOBAL ${module})
  set_property(GLOBAL PROPERTY WHARF_FIND_PkgConfig::${prefix}
    "find_dependency(PkgConfig)\npkg_check_modules(${prefix} REQUIRED IMPORTED_TARGET ${module})")
  set_property(GLOBAL PROPERTY WHARF_PKG_CONFIG_PkgConfig::${prefix} ${module})
endfunction()

# Helpers that give every qarch target the same standard, warnings and sanitizer flags.

set(QARCH_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough)
if(QARCH_WERROR)
  list(APPEND QARCH_WARNINGS -Werror)
endif()

if(QARCH_SANITIZE)
  set(QARCH_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
      -fno-sanitize-recover=undefined)
  # GCC 12's -Wmaybe-uninitialized gives false positives inside libstdc++ (std::regex,
  # std::function) when instrumented; keep it a warning there. (Clang has no such warning.)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND QARCH_WARNINGS -Wno-error=maybe-uninitialized)
  endif()
endif()

if(QARCH_SANITIZE_THREAD)
  if(QARCH_SANITIZE)
    message(FATAL_ERROR "QARCH_SANITIZE and QARCH_SANITIZE_THREAD cannot be combined")
  endif()
  set(QARCH_SANITIZER_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
endif()

# Flags for code we own (libraries, executables, tests).
function(qarch_apply_flags target)
  target_compile_options(${target} PRIVATE ${QARCH_WARNINGS})
  if(QARCH_SANITIZE OR QARCH_SANITIZE_THREAD)
    target_compile_options(${target} PRIVATE ${QARCH_SANITIZER_FLAGS})
    target_link_options(${target} PRIVATE ${QARCH_SANITIZER_FLAGS})
  endif()
endfunction()

# qarch_library(<name> SOURCES ... DEPS ...): the library for one folder under src/, as
# qarch_<name> with the alias qarch::<name>. Headers live next to sources and are included as
# "<name>/header.hpp" (the include root is src/).
function(qarch_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(qarch_${name} STATIC ${ARG_SOURCES})
  add_library(qarch::${name} ALIAS qarch_${name})
  target_include_directories(qarch_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(qarch_${name} PUBLIC ${ARG_DEPS})
  qarch_apply_flags(qarch_${name})
endfunction()

# qarch_test(<name> LABEL <label> SOURCES ... DEPS ...): one GoogleTest binary whose tests ctest
# discovers one by one.
function(qarch_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
      QARCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}" QARCH_BINARY_DIR="${PROJECT_BINARY_DIR}")
  qarch_apply_flags(${name})
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()

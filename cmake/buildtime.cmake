# Build-time switches for the project's own targets, applied once by ipseckit_build_speedups()
# at the end of the top-level CMakeLists.txt (after every target exists).
#
# IPSECKIT_UNITY (default ON): the libcore libraries and tools listed in IPSECKIT_UNITY_TARGETS
# are compiled as one translation unit each (CMake unity build, like the unit tests in
# tests/CMakeLists.txt): their files share their headers and, above all, the code instantiated
# from them; CLI11 2.1 alone costs ~4.5 s of CPU per file that includes it (it is header-only and
# emits its inline virtual functions and validator objects in every such file). File-local
# names (anonymous namespace, static) must therefore differ between the files of a listed
# target; a target whose files clash is simply not listed (libcore crypto, wire, store, policy,
# esp, ppp: e.g. each wire codec has its own malformed() with its protocol's message prefix and
# error code, the netsh contexts each their own kCommands).
#
# IPSECKIT_PCH: precompiled header, see below.
option(IPSECKIT_UNITY "Compile the libraries and tools in IPSECKIT_UNITY_TARGETS as one file each" ON)
set(IPSECKIT_UNITY_TARGETS
  ipseckit_base ipseckit_ike ipseckit_l2tp ipseckit_policydb ipseckit_sys
  espd ikeview ipsecpol l2tpd netdiag policyagent)

# Precompiled header (IPSECKIT_PCH): the common standard headers, fmt and nlohmann/json are
# parsed (and, with clang, their templates instantiated) once per build into one PCH that every
# target compiled with the project's flags reuses (REUSE_FROM), instead of once per file.
# Clang + ASan/UBSan + libFuzzer build (scripts/test.sh sanitize): about 1 s of CPU less per
# file (20-40 %). Turn it off with -DIPSECKIT_PCH=OFF (e.g. to check that every file includes
# what it uses).
#
# Default ON with clang only. With GCC 12 and a PCH, middle-end warnings inside libstdc++
# (-Wstringop-overflow/-overread in std::string, inlined into our code) are no longer
# suppressed as system-header warnings, so -Werror fails on false positives that the same
# code without a PCH never reports (e.g. libcore/store/protocol_parse.cpp); GCC at -O3 also
# gains less (code generation dominates).
#
# Left out: CLI/CLI.hpp (CLI11 2.1 is header-only and emits its inline virtual functions and
# validator objects in every file that includes it; a PCH saves ~0.5 s of its ~4.5 s per file,
# and would add the rest to every file that does not use it), doctest and OpenSSL (cheap).
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(IPSECKIT_PCH_DEFAULT ON)
else()
  set(IPSECKIT_PCH_DEFAULT OFF)
endif()
option(IPSECKIT_PCH "Compile the common heavy headers once per build (precompiled header)"
       ${IPSECKIT_PCH_DEFAULT})

set(IPSECKIT_PCH_HEADERS
  <algorithm> <array> <chrono> <cstddef> <cstdint> <cstdio> <cstdlib> <cstring> <functional>
  <map> <memory> <optional> <set> <span> <string> <string_view> <utility> <vector>
  <fmt/format.h> <nlohmann/json.hpp>)

# ipseckit_build_speedups(): called once at the end of the top-level CMakeLists.txt. Every static
# library or executable that links ipseckit_warnings (so is compiled with exactly the project's
# flags) reuses the PCH of ipseckit_pch; a target opts out with
# set_target_properties(t PROPERTIES DISABLE_PRECOMPILE_HEADERS ON). The libFuzzer binaries
# (-fsanitize=fuzzer, other flags) are left out.
function(ipseckit_build_speedups)
  if(IPSECKIT_UNITY)
    foreach(t ${IPSECKIT_UNITY_TARGETS})
      if(TARGET ${t})
        set_target_properties(${t} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
      endif()
    endforeach()
  endif()
  if(NOT IPSECKIT_PCH)
    return()
  endif()
  set(host_src ${CMAKE_BINARY_DIR}/ipseckit_pch_host.cpp)
  file(CONFIGURE OUTPUT ${host_src} CONTENT "// PCH host: see cmake/buildtime.cmake\n")
  add_library(ipseckit_pch OBJECT ${host_src})
  # The same flags and usage requirements (FMT_SHARED) as the targets that reuse it.
  target_link_libraries(ipseckit_pch PRIVATE ipseckit_warnings fmt::fmt nlohmann_json::nlohmann_json)
  target_precompile_headers(ipseckit_pch PRIVATE ${IPSECKIT_PCH_HEADERS})

  set(dirs ${PROJECT_SOURCE_DIR})
  while(dirs)
    list(POP_FRONT dirs dir)
    get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    list(APPEND dirs ${subdirs})
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(t ${targets})
      get_target_property(type ${t} TYPE)
      get_target_property(libs ${t} LINK_LIBRARIES)
      get_target_property(opts ${t} COMPILE_OPTIONS)
      get_target_property(off ${t} DISABLE_PRECOMPILE_HEADERS)
      if(type MATCHES "^(STATIC_LIBRARY|EXECUTABLE)$" AND NOT off
         AND "ipseckit_warnings" IN_LIST libs AND NOT "-fsanitize=fuzzer" IN_LIST opts)
        target_precompile_headers(${t} REUSE_FROM ipseckit_pch)
      endif()
    endforeach()
  endwhile()
endfunction()

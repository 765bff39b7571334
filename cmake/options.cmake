# Compiler warnings (as errors) and the sanitizer build switch, applied to our targets only
# through the ipseckit_warnings interface library.
option(IPSECKIT_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(IPSECKIT_WERROR "Treat warnings as errors" ON)
option(IPSECKIT_LIBFUZZER "Build libFuzzer binaries for the fuzz targets (clang only)" OFF)

add_library(ipseckit_warnings INTERFACE)
target_compile_options(ipseckit_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wformat=2
  -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports -Wrestrict and -Wmaybe-uninitialized false positives inside libstdc++'s
  # std::string / std::optional<std::variant> at -O2/-O3 (GCC PR105329, PR80635); the clang
  # and sanitizer builds keep the equivalent checks.
  target_compile_options(ipseckit_warnings INTERFACE -Wno-restrict -Wno-maybe-uninitialized)
endif()
if(IPSECKIT_WERROR)
  target_compile_options(ipseckit_warnings INTERFACE -Werror)
endif()

if(IPSECKIT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()

if(IPSECKIT_LIBFUZZER AND IPSECKIT_SANITIZE)
  # Coverage instrumentation for everything we compile (libcore's parsers and engines, not just
  # the fuzz targets' own files), or libFuzzer would mutate blind. Binaries not linked with
  # -fsanitize=fuzzer get the sanitizer runtime's no-op coverage callbacks (hence only with
  # IPSECKIT_SANITIZE; without it, only the fuzz targets' own files are instrumented).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# What users link, in the source tree (add_subdirectory, FetchContent) and
# installed (find_package, pkg-config).
#
# wharf_package(<part> ROOT <library> [USES <part>...] DESCRIPTION <text>)
#
# The exported target wharf::<part>. In the source tree it is an INTERFACE
# target, <name> (wharf, or wharf_<part>), over the internal library ROOT.
# Installed, it is one static library, lib<name>.a, holding the objects of ROOT
# and of every wharf_cc_library ROOT links directly or not, minus those of the
# parts in USES (which it links instead), with <stem>-targets.cmake,
# <stem>-dependencies.cmake and <stem>.pc (<stem>: <name> with "-" for "_").
# Its link interface is the external targets those libraries link; each must
# come from wharf_find_package or wharf_find_pkg_config (checked here), which
# is how wharfConfig.cmake and the .pc file learn how to find them.
function(wharf_package export_name)
  cmake_parse_arguments(W "" "ROOT;DESCRIPTION" "USES" ${ARGN})
  if(export_name STREQUAL "wharf")
    set(name wharf)
  else()
    set(name wharf_${export_name})
  endif()
  string(REPLACE "_" "-" stem ${name})

  add_library(${name} INTERFACE)
  target_link_libraries(${name} INTERFACE ${W_ROOT})
  add_library(wharf::${export_name} ALIAS ${name})

  # The libraries ROOT reaches, and the external targets they link.
  get_property(internal GLOBAL PROPERTY WHARF_LIBRARIES)
  set(excluded)
  foreach(used IN LISTS W_USES)
    get_property(used_members GLOBAL PROPERTY WHARF_PACKAGE_MEMBERS_${used})
    list(APPEND excluded ${used_members})
  endforeach()
  set(members)
  set(external)
  set(pending ${W_ROOT})
  while(pending)
    list(POP_FRONT pending library)
    if(library IN_LIST members OR library IN_LIST excluded)
      continue()
    endif()
    list(APPEND members ${library})
    get_target_property(links ${library} LINK_LIBRARIES)
    foreach(link IN LISTS links)
      if(link IN_LIST internal)
        list(APPEND pending ${link})
      elseif(link MATCHES "::")
        list(APPEND external ${link})
      endif()
    endforeach()
  endwhile()
  list(REMOVE_DUPLICATES external)
  set_property(GLOBAL PROPERTY WHARF_PACKAGE_MEMBERS_${export_name} ${members})

  # The installed library.
  set(archive ${name}_archive)
  list(TRANSFORM members REPLACE "(.+)" "$<TARGET_OBJECTS:\\1>" OUTPUT_VARIABLE objects)
  if(WHARF_INSTALL)
    add_library(${archive} STATIC ${objects})
  else()
    add_library(${archive} STATIC EXCLUDE_FROM_ALL ${objects})
  endif()
  set_target_properties(${archive} PROPERTIES OUTPUT_NAME ${name} EXPORT_NAME ${export_name}
                                              LINKER_LANGUAGE CXX)
  target_compile_features(${archive} INTERFACE cxx_std_20)
  target_include_directories(${archive} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set(uses_archives)
  foreach(used IN LISTS W_USES)
    get_property(used_archive GLOBAL PROPERTY WHARF_PACKAGE_ARCHIVE_${used})
    list(APPEND uses_archives ${used_archive})
  endforeach()
  target_link_libraries(${archive} INTERFACE ${uses_archives} ${external})
  set_property(GLOBAL PROPERTY WHARF_PACKAGE_ARCHIVE_${export_name} ${archive})
  set_property(GLOBAL PROPERTY WHARF_PACKAGE_STEM_${export_name} ${stem})
  set_property(GLOBAL APPEND PROPERTY WHARF_PACKAGES ${export_name})

  if(NOT WHARF_INSTALL)
    return()
  endif()

  # How a consumer finds the external targets: the find_dependency calls and
  # the pkg-config modules recorded by wharf_find_package.
  set(finds)
  set(requires)
  set(required_by_uses)
  foreach(used IN LISTS W_USES)
    get_property(used_stem GLOBAL PROPERTY WHARF_PACKAGE_STEM_${used})
    list(APPEND requires ${used_stem})
    get_property(used_requires GLOBAL PROPERTY WHARF_PACKAGE_REQUIRES_${used})
    list(APPEND required_by_uses ${used_requires})
  endforeach()
  foreach(target IN LISTS external)
    string(REGEX REPLACE "::.*" "" namespace ${target})
    string(REGEX REPLACE ".*::" "" target_name ${target})
    string(TOLOWER ${target_name} target_name)
    get_property(find GLOBAL PROPERTY WHARF_FIND_${target})
    get_property(modules GLOBAL PROPERTY WHARF_PKG_CONFIG_${target})
    if(NOT find)
      get_property(find GLOBAL PROPERTY WHARF_FIND_${namespace})
      get_property(modules GLOBAL PROPERTY WHARF_PKG_CONFIG_${namespace})
    endif()
    if(NOT find)
      message(FATAL_ERROR "wharf::${export_name} links ${target}, which was not found with "
                          "wharf_find_package() or wharf_find_pkg_config() (cmake/wharf_helpers.cmake), "
                          "so an installed wharf could not find it again.")
    endif()
    list(APPEND finds "${find}")
    string(REPLACE "<name>" "${target_name}" modules "${modules}")
    list(REMOVE_ITEM modules ${required_by_uses})
    list(APPEND requires ${modules})
  endforeach()
  list(REMOVE_DUPLICATES finds)
  list(REMOVE_DUPLICATES requires)
  set_property(GLOBAL PROPERTY WHARF_PACKAGE_REQUIRES_${export_name} ${requires})
  list(JOIN finds "\n" finds)
  file(WRITE ${PROJECT_BINARY_DIR}/${stem}-dependencies.cmake
       "# What wharf::${export_name} links (generated by cmake/wharf_package.cmake).\n${finds}\n")

  install(TARGETS ${archive} EXPORT ${stem}-targets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT ${stem}-targets NAMESPACE wharf:: DESTINATION ${WHARF_INSTALL_CMAKEDIR})
  install(FILES ${PROJECT_BINARY_DIR}/${stem}-dependencies.cmake
          DESTINATION ${WHARF_INSTALL_CMAKEDIR})

  # pkg-config: relocatable (paths relative to the .pc file's directory).
  set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  file(RELATIVE_PATH pc_to_prefix /${pc_dir} /)
  string(REGEX REPLACE "/$" "" pc_to_prefix ${pc_to_prefix})
  set(WHARF_PC_NAME ${stem})
  set(WHARF_PC_DESCRIPTION ${W_DESCRIPTION})
  set(WHARF_PC_PREFIX "\${pcfiledir}/${pc_to_prefix}")
  list(JOIN requires " " WHARF_PC_REQUIRES)
  set(WHARF_PC_LIB ${name})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/wharf.pc.in ${PROJECT_BINARY_DIR}/${stem}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${stem}.pc DESTINATION ${pc_dir})
endfunction()

# wharf_install_package(): headers, wharfConfig.cmake and its version file.
# After the last wharf_package().
function(wharf_install_package)
  if(NOT WHARF_INSTALL)
    return()
  endif()
  # include/wharf, less the headers of targets not built.
  set(excluded)
  if(NOT TARGET wharf_endpoint)
    list(APPEND excluded PATTERN endpoint.h EXCLUDE)
  endif()
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/wharf DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          ${excluded})

  include(CMakePackageConfigHelpers)
  get_property(WHARF_PACKAGES GLOBAL PROPERTY WHARF_PACKAGES)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/wharfConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/wharfConfig.cmake
                                INSTALL_DESTINATION ${WHARF_INSTALL_CMAKEDIR})
  # 0.x: a minor version may break the API.
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/wharfConfigVersion.cmake
                                   COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/wharfConfig.cmake ${PROJECT_BINARY_DIR}/wharfConfigVersion.cmake
          DESTINATION ${WHARF_INSTALL_CMAKEDIR})
endfunction()

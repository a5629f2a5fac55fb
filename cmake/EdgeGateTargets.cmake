# SPDX-License-Identifier: Apache-2.0
# Strict Qt flags and warnings, applied target by target.
function(edgegate_strict target)
    target_compile_definitions(${target} PRIVATE
        QT_NO_CAST_FROM_ASCII
        QT_NO_CAST_TO_ASCII
        QT_NO_URL_CAST_FROM_STRING
        QT_NO_CAST_FROM_BYTEARRAY
        QT_NO_CONTEXTLESS_CONNECT
        QT_NO_FOREACH
        QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
        QT_USE_QSTRINGBUILDER)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
        -Woverloaded-virtual -Wcast-align -Wformat=2)
endfunction()

# Makes the headers of `target` reachable as "<folder>/..." (folders relative to the project) only
# through `target`: each folder is linked into an include directory of the target's own, and the
# project root is on no include path of the service. A layer that does not link `target` cannot
# include its headers.
function(edgegate_layer_headers target)
    set(root ${CMAKE_BINARY_DIR}/layer-headers/${target})
    foreach(folder ${ARGN})
        get_filename_component(parent ${root}/${folder} DIRECTORY)
        file(MAKE_DIRECTORY ${parent})
        file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${root}/${folder} SYMBOLIC)
    endforeach()
    target_include_directories(${target} PUBLIC ${root})
endfunction()

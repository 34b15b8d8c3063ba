/* libffi, through pkg-config `libffi` (Debian: libffi-dev). */
#include <ffi.h>

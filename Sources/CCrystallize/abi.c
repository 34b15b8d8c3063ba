/* The C module exists for its header (include/crystallize.h); this file gives SwiftPM a source. */
#include "crystallize.h"

/** The ABI version this header declares, for tools that want it at run time. */
const char *crys_header_abi_version(void) { return "1.1"; }

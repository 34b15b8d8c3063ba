/* The reliability test plugin has no public API beyond crystallize.h's entry point. */
#include "crystallize.h"

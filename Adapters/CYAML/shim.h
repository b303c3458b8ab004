#ifndef HEALTHSYNC_CYAML_SHIM_H
#define HEALTHSYNC_CYAML_SHIM_H
#include <yaml.h>
#endif

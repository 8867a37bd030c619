/* Directories fleetdeck creates for its own files. */
#ifndef FLEETDECK_UTIL_DIRS_H
#define FLEETDECK_UTIL_DIRS_H

#include <stddef.h>

/* mkdir -p for the directory part of path, new directories 0700 (the
 * audit log's, the key rotation's state files'). Returns 0, or -1 with
 * err naming the directory that could not be made. */
int dirs_make_for(const char *path, char *err, size_t errlen);

#endif

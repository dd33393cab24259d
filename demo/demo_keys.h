/* Human-readable names for X keysyms, as the demo desktop shows them next to the hex code. */
#ifndef VV_DEMO_KEYS_H
#define VV_DEMO_KEYS_H

#include <stddef.h>
#include <stdint.h>

/* Writes a short UTF-8 description into buf ("a", "Return", "F2", "é", "U+20AC €",
 * "0x1008ff13") and returns buf. */
const char *demo_keysym_name(uint32_t keysym, char *buf, size_t n);

#endif

/* `vncview trust add|list|remove`: manage certificate pins from the command line. No SDL. */
#ifndef VV_TRUST_CMD_H
#define VV_TRUST_CMD_H

#include <stdio.h>

/* argv holds the arguments after "trust". Returns the exit status: 0, 1 (remove found no pin),
 * VV_ERR_USAGE (2) for malformed arguments, VV_ERR_STORE (20) when the store cannot be used.
 * Results go to stdout, errors to stderr. */
int trust_cmd_run(int argc, char **argv);
/* The subcommand's usage text. */
void trust_cmd_print_usage(FILE *f);

#endif

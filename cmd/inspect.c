/* SPDX-License-Identifier: MIT */
/* minirun inspect PID: STUB, being written. */
#include <stdio.h>

#include "commands.h"

int
mr_cmd_inspect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "minirun: inspect: not yet implemented\n");
	return 125;
}

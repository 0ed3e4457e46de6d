/* SPDX-License-Identifier: MIT */
/* minirun profile check|explain|diff|convert: STUB, being written. */
#include <stdio.h>

#include "commands.h"

int
mr_cmd_profile(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "minirun: profile: not yet implemented\n");
	return 2;
}

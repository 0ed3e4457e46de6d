/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LAUNCH_H
#define MINIRUN_LAUNCH_H

#include "common/error.h"
#include "container/prepare.h"

/*
 * Run the container to completion: create it, relay its terminal, forward
 * signals, reap it.  On success returns 0 and stores the container's exit
 * status (its code, or 128+N if it died of signal N) in *exit_status.  On
 * failure returns -1 with err->exit_status 125, 126 or 127.
 */
int mr_run(struct mr_prepared *p, int *exit_status, struct mr_error *err);

#endif

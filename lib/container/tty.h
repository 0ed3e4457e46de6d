/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_TTY_H
#define MINIRUN_LIB_TTY_H

#include <stdbool.h>
#include <termios.h>

#include "common/error.h"

/*
 * Container process, after pivot_root: a new pseudo-terminal from the
 * container's own devpts instance.  The peer is obtained with TIOCGPTPEER,
 * never by path (CVE-2025-52565), made the controlling terminal of the
 * (already new) session and installed as fds 0, 1 and 2.  Returns the master
 * fd, which the caller hands to the parent.
 */
int mr_tty_open_in_container(struct mr_error *err);

/* Parent: put the caller's terminal in raw mode, remembering how it was. */
struct mr_tty_state {
	bool saved;
	int fd;
	struct termios termios;
};

int mr_tty_make_raw(int fd, struct mr_tty_state *st, struct mr_error *err);
void mr_tty_restore(struct mr_tty_state *st);

/* Copy the window size of from (if a terminal) to to. */
void mr_tty_copy_winsize(int from, int to);

/*
 * Move what is readable on from to to.  Returns the bytes moved, 0 at end of
 * input (EOF, or EIO from a master whose peer is closed), -1 with errno.
 */
long mr_tty_pump(int from, int to);

#endif

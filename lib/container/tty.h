/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_TTY_H
#define MINIRUN_LIB_TTY_H

#include <stdbool.h>
#include <stddef.h>
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
 * One of the caller's outputs (stdout, stderr) that relayed output goes to,
 * with what was read and is not written yet.  Written without ever blocking
 * minirun (so it goes on acting on signals and the container's exit while
 * the reader stalls) and without O_NONBLOCK on the caller's own file
 * description, which its shell and the rest of its job share: through a
 * description of minirun's own (mr_out_flush).  At most one read is held:
 * while it waits, minirun reads no more from the container's pty or pipe,
 * and the container's writes wait in turn (back-pressure, nothing lost).
 */
#define MR_OUT_BUF 65536
/* The buffer's size: the extra holds minirun's own lines (mr_out_say). */
#define MR_OUT_SIZE (MR_OUT_BUF + 1024)

struct mr_out {
	int fd;	   /* STDOUT_FILENO or STDERR_FILENO: the caller's */
	int own;   /* minirun's O_NONBLOCK description of fd, -1 without */
	int how;   /* MR_OUT_*, chosen at the first write */
	bool gone; /* a write failed (EPIPE, EIO): nothing more is written */
	size_t off, len;
	/*
	 * MR_OUT_SIZE bytes, allocated at the first read: every start has an
	 * mr_out, most never relay (a 65 KiB array in the frame cost six page
	 * faults per start, 10 us each on a VM whose faults trap).
	 */
	char *buf;
};

void mr_out_init(struct mr_out *o, int fd);
void mr_out_close(struct mr_out *o);

/* Read from `from` into the empty buffer: the bytes read, 0 at end (EOF, or
   EIO from a master whose peer is closed), -1 with errno (ENOMEM without a
   buffer). */
long mr_out_fill(struct mr_out *o, int from);

/* Append minirun's own message, and write what can be written. */
void mr_out_say(struct mr_out *o, const char *msg, size_t len);

/* Write what can be written now: 0 (the rest, if any, waits for POLLOUT on
   mr_out_pollfd), -1 with errno when the reader is gone (o->gone). */
int mr_out_flush(struct mr_out *o);

static inline bool
mr_out_pending(const struct mr_out *o)
{
	return !o->gone && o->off < o->len;
}

/* What to poll for POLLOUT while mr_out_pending. */
int mr_out_pollfd(const struct mr_out *o);

#endif

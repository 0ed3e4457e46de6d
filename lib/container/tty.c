/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "container/tty.h"
#include "common/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int
mr_tty_open_in_container(struct mr_error *err)
{
	cleanup_close int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return mr_error_set(err, errno, "tty: open /dev/ptmx");
	if (unlockpt(master) < 0)
		return mr_error_set(err, errno, "tty: unlockpt");
	cleanup_close int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0)
		return mr_error_set(err, errno, "tty: TIOCGPTPEER");
	/* Start with the caller's window size so the first prompt fits. */
	mr_tty_copy_winsize(STDIN_FILENO, peer);
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		return mr_error_set(err, errno, "tty: make it the controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(peer, i) < 0)
			return mr_error_set(err, errno, "tty: dup2 to fd %d", i);
	return mr_steal_fd(&master);
}

int
mr_tty_make_raw(int fd, struct mr_tty_state *st, struct mr_error *err)
{
	struct termios raw;

	st->saved = false;
	st->fd = fd;
	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &st->termios) < 0)
		return mr_error_set(err, errno, "tty: tcgetattr");
	raw = st->termios;
	cfmakeraw(&raw);
	/* Keep output post-processing off too: the container's pty does it. */
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return mr_error_set(err, errno, "tty: raw mode");
	st->saved = true;
	return 0;
}

void
mr_tty_restore(struct mr_tty_state *st)
{
	if (st->saved) {
		tcsetattr(st->fd, TCSADRAIN, &st->termios);
		st->saved = false;
	}
}

void
mr_tty_copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

enum { OUT_UNSET, OUT_OWN, OUT_SOCKET, OUT_SMALL, OUT_BLOCK };

void
mr_out_init(struct mr_out *o, int fd)
{
	o->fd = fd;
	o->own = -1;
	o->how = OUT_UNSET;
	o->gone = false;
	o->off = o->len = 0;
	o->buf = NULL;
}

void
mr_out_close(struct mr_out *o)
{
	if (o->own >= 0)
		close(mr_steal_fd(&o->own));
	free(o->buf);
	o->buf = NULL;
}

static bool
out_buffer(struct mr_out *o)
{
	if (o->buf == NULL)
		o->buf = malloc(MR_OUT_SIZE);
	return o->buf != NULL;
}

/*
 * How o->fd is written without blocking minirun.  O_NONBLOCK on the caller's
 * own description would reach every process sharing it (the shell would
 * read EAGAIN from its terminal, `cmd | minirun ... | less` would break), so
 * a terminal or a pipe is opened again through /proc: a description of the
 * same terminal or pipe that is minirun's alone, O_NONBLOCK from the start.
 * Only those: reopening another device can have effects of its own (a tape
 * rewinds on close).  A socket takes MSG_DONTWAIT per call.  A file (or
 * another device) never waits for a reader: written as before.  A terminal
 * or pipe that cannot be reopened (TIOCEXCL, no /proc) gets what POLLOUT
 * promises: a pipe takes PIPE_BUF bytes without blocking once it has room.
 */
static void
out_choose(struct mr_out *o)
{
	struct stat st, own;
	char path[32];

	o->how = OUT_BLOCK;
	if (fstat(o->fd, &st) < 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		o->how = OUT_SOCKET;
		return;
	}
	if (!S_ISFIFO(st.st_mode) && !(S_ISCHR(st.st_mode) && isatty(o->fd)))
		return;
	o->how = OUT_SMALL;
	/*
	 * Not /dev/console or a pty master (5:1, 5:2): opened again, they are
	 * the console of now, or a new pty pair, not necessarily what fd is.
	 * /dev/tty (5:0) opened again is minirun's controlling terminal: fd's
	 * terminal only when TIOCGSID on fd answers, which it does for the
	 * caller's own controlling terminal alone (`minirun ... > /dev/tty`,
	 * stalled, blocked minirun in write() and no SIGTERM was forwarded).
	 */
	pid_t sid;
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 &&
	    (minor(st.st_rdev) != 0 || ioctl(o->fd, TIOCGSID, &sid) < 0))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", o->fd);
	cleanup_close int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &own) < 0 || own.st_dev != st.st_dev || own.st_ino != st.st_ino ||
	    own.st_rdev != st.st_rdev)
		return;
	o->own = mr_steal_fd(&fd);
	o->how = OUT_OWN;
}

int
mr_out_pollfd(const struct mr_out *o)
{
	return o->how == OUT_OWN ? o->own : o->fd;
}

int
mr_out_flush(struct mr_out *o)
{
	if (o->gone) {
		errno = EPIPE;
		return -1;
	}
	/* Chosen at the first write: a run that writes nothing opens nothing. */
	if (o->how == OUT_UNSET && o->off < o->len)
		out_choose(o);
	while (mr_out_pending(o)) {
		const char *p = o->buf + o->off;
		size_t n = o->len - o->off;
		ssize_t w;
		if (o->how == OUT_OWN) {
			w = write(o->own, p, n);
		} else if (o->how == OUT_SOCKET) {
			w = send(o->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		} else if (o->how == OUT_SMALL) {
			struct pollfd pfd = {.fd = o->fd, .events = POLLOUT};
			if (poll(&pfd, 1, 0) <= 0)
				return 0;
			w = write(o->fd, p, n > PIPE_BUF ? PIPE_BUF : n);
		} else {
			w = write(o->fd, p, n);
		}
		if (w < 0) {
			/* EAGAIN also when the caller's own description is O_NONBLOCK. */
			if (errno == EINTR || errno == EAGAIN)
				return 0;
			o->gone = true;
			return -1;
		}
		o->off += (size_t)w;
	}
	o->off = o->len = 0;
	return 0;
}

long
mr_out_fill(struct mr_out *o, int from)
{
	if (!out_buffer(o)) {
		errno = ENOMEM;
		return -1;
	}
	ssize_t n = read(from, o->buf, MR_OUT_BUF);
	if (n == 0)
		return 0;
	if (n < 0) {
		/* A master reads EIO once every peer is closed: that is the end. */
		if (errno == EIO)
			return 0;
		return -1;
	}
	o->off = 0;
	o->len = (size_t)n;
	return n;
}

void
mr_out_say(struct mr_out *o, const char *msg, size_t len)
{
	if (o->gone || !out_buffer(o))
		return;
	if (o->off == o->len)
		o->off = o->len = 0;
	if (len > MR_OUT_SIZE - o->len)
		len = MR_OUT_SIZE - o->len;
	memcpy(o->buf + o->len, msg, len);
	o->len += len;
	(void)mr_out_flush(o);
}

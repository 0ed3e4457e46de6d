/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
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

long
mr_tty_pump(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n == 0)
		return 0;
	if (n < 0) {
		/* A master reads EIO once every peer is closed: that is the end. */
		if (errno == EIO)
			return 0;
		return -1;
	}
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct timespec ts = {0, 1000000};
				nanosleep(&ts, NULL);
				continue;
			}
			return -1;
		}
		off += w;
	}
	return n;
}

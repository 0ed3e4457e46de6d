/* SPDX-License-Identifier: MIT */
/*
 * The seccomp agent of an SCMP_ACT_NOTIFY profile: runtime-spec
 * config-linux.md, "listenerPath" and "The Container Process State".  One
 * connection per container, one message on it (the state as JSON, the
 * listener as SCM_RIGHTS), then closed: the spec forbids reusing it.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "seccomp/program.h"
#include "common/util.h"

int
mr_seccomp_agent_connect(const struct mr_seccomp_prepared *p, int *sock, struct mr_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	*sock = -1;
	if (p->listener_path == NULL || strlen(p->listener_path) >= sizeof(sa.sun_path))
		return mr_error_set(err, EINVAL, "seccomp listenerPath %s",
				    p->listener_path ? p->listener_path : "(none)");
	memcpy(sa.sun_path, p->listener_path, strlen(p->listener_path) + 1);
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return mr_error_set(err, errno, "seccomp listenerPath %s: socket",
				    p->listener_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return mr_error_set(err, errno,
				    "seccomp listenerPath %s: cannot connect to the seccomp agent",
				    p->listener_path);
	*sock = mr_steal_fd(&fd);
	return 0;
}

char *
mr_seccomp_agent_message(const struct mr_seccomp_prepared *p, pid_t pid, const json_t *state)
{
	const char *version = json_string_value(json_object_get(state, "ociVersion"));
	json_auto_t *msg =
	    json_pack("{s:s, s:[s], s:I, s:O}", "ociVersion", version ? version : "1.0.2", "fds",
		      "seccompFd", "pid", (json_int_t)pid, "state", state);
	if (msg == NULL ||
	    (p->listener_metadata != NULL &&
	     json_object_set_new(msg, "metadata", json_string(p->listener_metadata)) < 0))
		return NULL;
	return json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

int
mr_seccomp_agent_send(const struct mr_seccomp_prepared *p, int sock, int listener, const char *text,
		      size_t len, struct mr_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = {0};
	struct iovec iov = {.iov_base = (void *)text, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &listener, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	/* runtime-spec: with several sends, the fds go with the first one only. */
	for (size_t off = n > 0 ? (size_t)n : 0; n >= 0 && off < len; off += (size_t)n) {
		n = send(sock, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			n = 0;
	}
	if (n < 0)
		return mr_error_set(err, errno,
				    "seccomp listenerPath %s: send to the seccomp agent",
				    p->listener_path);
	return 0;
}

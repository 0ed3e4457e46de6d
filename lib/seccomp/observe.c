/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "seccomp/argclass.h"
#include "seccomp/bpf-eval.h"
#include "seccomp/arch.h"
#include "seccomp/calls.h"
#include "seccomp/equivalents.h"
#include "seccomp/observe.h"
#include "common/escape.h"
#include "common/outfile.h"
#include "common/util.h"

#define MAX_NR 1024

/*
 * The summary's counts, per distinct (arch, syscall, outcome).  The
 * container chooses how many distinct calls it makes (any number is a
 * syscall number to the filter), so the table is bounded: the first
 * TALLY_ITEMS are itemised (a line each in the summary), the rest are only
 * counted.  Counting them exactly needs their keys: up to TALLY_KEYS_MAX
 * keys are kept (12 bytes each, in a hash table at most half full, 4 MiB),
 * past that the number of distinct calls is a lower bound.
 */
#define TALLY_ITEMS    4096
#define TALLY_KEYS_MAX (1u << 17)

struct tally {
	uint32_t arch;
	int nr;
	uint32_t ret;
	const char *rule;
	const char *fallback; /* an expected fallback: why it is harmless (seccomp/calls.h) */
	const char *hint;     /* the capability that would allow it (mr_cap_hint) */
	unsigned long count;
	char name[64];
};

struct tally_slot {
	uint32_t arch;
	int32_t nr;
	uint32_t ret;
	uint32_t item; /* 0: empty; 1..TALLY_ITEMS: tallies[item - 1]; TALLY_MORE: counted only */
};
#define TALLY_MORE UINT32_MAX

struct seen_arch {
	uint32_t arch;
	unsigned char nr[MAX_NR / 8];
};

struct mr_observer {
	struct mr_observer_config cfg;
	enum mr_seccomp_observe mode;
	int listener;
	int kmsg;		   /* audit records: the audit multicast socket, or /dev/kmsg */
	bool audit_nl;		   /* kmsg is a NETLINK_AUDIT socket */
	struct mr_outfile report;  /* --seccomp-report=FILE (else the report goes to stderr) */
	struct mr_outfile learned; /* --seccomp-learn=FILE */
	int write_errno;	   /* the first failed write of the report, 0 if none */
	unsigned long lost;	   /* records that could not be encoded (out of memory) */
	bool json;
	struct seccomp_notif_sizes sizes;
	struct tally *tallies; /* itemised, in the order first seen */
	size_t n_tallies;
	struct tally_slot *slots; /* every key seen (up to TALLY_KEYS_MAX), hashed */
	size_t n_slots;		  /* a power of two, or 0 */
	size_t n_keys;
	unsigned long total;	     /* denied calls, fallbacks included */
	unsigned long fallbacks;     /* of which expected fallbacks (seccomp/calls.h) */
	unsigned long fallback_keys; /* distinct (arch, syscall, outcome) among them */
	unsigned long more_distinct; /* keys past TALLY_ITEMS */
	unsigned long more_denied;   /* their denials */
	bool more_inexact;	     /* TALLY_KEYS_MAX reached: more_distinct is a lower bound */
	unsigned long kills;
	int procev;	   /* proc connector: who belongs to the container, who died how */
	pid_t self;	   /* minirun */
	uint64_t *members; /* bit per host tgid: the container's processes, past and present */
	size_t member_words;
	pid_t *sigsys_deaths; /* members that died of SIGSYS */
	size_t n_sigsys_deaths;
	pid_t *reported; /* members whose kill the audit log named */
	size_t n_reported;
	struct seen_arch *arches; /* learn mode */
	size_t n_arches;
	struct mr_arglearn *args; /* --seccomp-learn-args */
};

/* The flag the user gave, for messages. */
static const char *
mode_flag(const struct mr_observer *o)
{
	return o->mode == MR_OBSERVE_COMPLAIN ? "--seccomp-complain" : "--seccomp-report";
}

/*
 * Whether fd is a terminal that does not turn "\n" into "\r\n" itself: the
 * caller's terminal while -t relays it in raw mode (OPOST off).
 */
static bool
raw_terminal(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) < 0)
		return false;
	return !(t.c_oflag & OPOST) || !(t.c_oflag & ONLCR);
}

/*
 * A text line of the report on stderr, as the user should see it: with
 * --name, "minirun: NAME: ..." as errors and warnings are; on a raw terminal
 * every "\n" as "\r\n", or each line would start where the last one ended
 * (a staircase).  Returns a new string, or NULL when s is fine as it is (or
 * on ENOMEM: s is still better than nothing).
 */
static char *
for_terminal(const struct mr_observer *o, const char *s)
{
	static const char prefix[] = "minirun: ";
	const char *name = o->cfg.name;
	bool named = name != NULL && strncmp(s, prefix, sizeof(prefix) - 1) == 0;
	bool crlf = raw_terminal(STDERR_FILENO);
	if (!named && !crlf)
		return NULL;

	size_t len = strlen(s), extra = named ? strlen(name) + 2 : 0;
	for (const char *c = s; crlf && *c; c++)
		extra += *c == '\n';
	char *t = malloc(len + extra + 1), *w = t;
	if (t == NULL)
		return NULL;
	if (named) {
		w = stpcpy(stpcpy(stpcpy(w, prefix), name), ": ");
		s += sizeof(prefix) - 1;
	}
	for (; *s; s++) {
		if (crlf && *s == '\n')
			*w++ = '\r';
		*w++ = *s;
	}
	*w = '\0';
	return t;
}

static void out(struct mr_observer *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out(struct mr_observer *o, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->lost++;
		return;
	}
	if (o->report.fd >= 0) {
		/* A report with a hole must not pass for whole: told at the end. */
		if (mr_outfile_write(&o->report, s, (size_t)n) < 0 && o->write_errno == 0)
			o->write_errno = errno;
	} else {
		char *t = for_terminal(o, s);
		if (t != NULL) {
			free(s);
			s = t;
			n = (int)strlen(s);
		}
		struct mr_outfile err_out = {.fd = STDERR_FILENO};
		(void)mr_outfile_write(&err_out, s, (size_t)n); /* nowhere to tell */
	}
	free(s);
}

/*
 * One JSON line of the report.  A record that cannot be encoded or printed
 * is counted (o->lost), never dropped without a word: the summary and the
 * exit status tell.
 */
static void
out_json(struct mr_observer *o, json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (s == NULL) {
		o->lost++;
		return;
	}
	out(o, "%s\n", s);
	free(s);
}

static int open_proc_connector(void);

/*
 * The audit subsystem's read-only multicast group (Linux 3.16,
 * CAP_AUDIT_READ): every record, not rate-limited like the console copy,
 * and without taking auditd's place.
 */
static int
open_audit_multicast(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
	if (s < 0)
		return -1;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
				 .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1)};
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

int
mr_observer_open(const struct mr_observer_config *cfg, struct mr_observer **res,
		 struct mr_error *err)
{
	struct mr_observer *o = calloc(1, sizeof(*o));

	*res = NULL;
	if (o == NULL)
		return mr_error_oom(err, "seccomp observer");
	o->cfg = *cfg;
	o->mode = cfg->seccomp->observe;
	o->listener = -1;
	o->kmsg = -1;
	o->procev = -1;
	o->report = (struct mr_outfile)MR_OUTFILE_INIT;
	o->learned = (struct mr_outfile)MR_OUTFILE_INIT;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &o->sizes) < 0) {
		free(o);
		return mr_error_set(err, errno,
				    "seccomp: SECCOMP_GET_NOTIF_SIZES (user "
				    "notification needs Linux 5.0)");
	}
	/*
	 * Both output files are opened here, before clone: the path may be in
	 * the rootfs, and once the container runs it can put a symlink or a
	 * FIFO there (lib/common/outfile.h).  The report is emptied now (its
	 * lines are written as they come); a learned profile replaces the
	 * old one only at the end, so a run that fails early keeps it.
	 */
	if ((o->mode == MR_OBSERVE_REPORT || o->mode == MR_OBSERVE_COMPLAIN) &&
	    cfg->report_file != NULL) {
		if (mr_outfile_open(&o->report, mode_flag(o), cfg->report_file, true, err) < 0) {
			free(o);
			return -1;
		}
		o->json = true;
	}
	if (o->mode == MR_OBSERVE_LEARN && cfg->learn_file != NULL &&
	    mr_outfile_open(&o->learned, "--seccomp-learn", cfg->learn_file, false, err) < 0) {
		free(o);
		return -1;
	}
	if (o->mode == MR_OBSERVE_LEARN && cfg->learn_args) {
		o->args = mr_arglearn_new();
		if (o->args == NULL) {
			mr_outfile_close(&o->learned);
			free(o);
			return mr_error_oom(err, "--seccomp-learn-args");
		}
	}
	if (o->mode == MR_OBSERVE_REPORT) {
		/*
		 * Kills are audited by default (actions_logged): their records
		 * name the syscall.  Only new records matter.  Without access
		 * to the kernel log (not root), kills are reported from the
		 * exit status alone.
		 */
		o->kmsg = open_audit_multicast();
		o->audit_nl = o->kmsg >= 0;
		if (o->kmsg < 0) {
			/* The console copy is rate-limited (printk): a fallback only. */
			o->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (o->kmsg >= 0)
				lseek(o->kmsg, 0, SEEK_END);
		}
		/*
		 * The audit log names every process on the host, and drops
		 * records under load: the proc connector tells which processes
		 * are the container's (fork events from its init down) and
		 * which of them died of SIGSYS, record or not.
		 */
		if (o->kmsg >= 0)
			o->procev = open_proc_connector();
		o->self = getpid();
	}
	*res = o;
	return 0;
}

static int
open_proc_connector(void)
{
	int s = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
	if (s < 0)
		return -1;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC};
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) msg = {
	    .nl = {.nlmsg_len = sizeof(msg), .nlmsg_type = NLMSG_DONE, .nlmsg_pid = 0},
	    .cn = {.id = {.idx = CN_IDX_PROC, .val = CN_VAL_PROC},
		   .len = sizeof(enum proc_cn_mcast_op)},
	    .op = PROC_CN_MCAST_LISTEN,
	};
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || send(s, &msg, sizeof(msg), 0) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static bool
pid_in(const pid_t *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

static void
pid_add(pid_t **v, size_t *n, pid_t pid)
{
	if (pid_in(*v, *n, pid))
		return;
	pid_t *nv = realloc(*v, (*n + 1) * sizeof(pid_t));
	if (nv == NULL)
		return;
	nv[(*n)++] = pid;
	*v = nv;
}

/*
 * The container's pids, as a bitmap (pid_max is at most 2^22: 512 KiB at
 * worst): a workload that forks a lot made a list searched on every event.
 */
static bool
is_member(const struct mr_observer *o, pid_t pid)
{
	size_t w = (size_t)pid / 64;
	return pid > 0 && w < o->member_words && (o->members[w] >> (pid % 64) & 1);
}

static void
set_member(struct mr_observer *o, pid_t pid, bool on)
{
	size_t w = (size_t)pid / 64;
	if (pid <= 0 || (!on && w >= o->member_words))
		return;
	if (w >= o->member_words) {
		size_t words = w + 1 > 2 * o->member_words ? w + 1 : 2 * o->member_words;
		uint64_t *v = realloc(o->members, words * sizeof(*v));
		if (v == NULL)
			return;
		memset(v + o->member_words, 0, (words - o->member_words) * sizeof(*v));
		o->members = v;
		o->member_words = words;
	}
	if (on)
		o->members[w] |= UINT64_C(1) << (pid % 64);
	else
		o->members[w] &= ~(UINT64_C(1) << (pid % 64));
}

void
mr_observer_set_init(struct mr_observer *o, pid_t pid)
{
	set_member(o, pid, true);
}

int
mr_observer_procev_fd(const struct mr_observer *o)
{
	return o->procev;
}

void
mr_observer_handle_procev(struct mr_observer *o)
{
	union {
		char buf[8192];
		struct nlmsghdr align;
	} u;
	for (;;) {
		ssize_t got = recv(o->procev, u.buf, sizeof(u.buf), 0);
		if (got <= 0)
			return;
		int n = (int)got; /* signed: see mr_observer_handle_kmsg */
		for (struct nlmsghdr *nl = &u.align; NLMSG_OK(nl, n); nl = NLMSG_NEXT(nl, n)) {
			struct cn_msg *cn = NLMSG_DATA(nl);
			if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC)
				continue;
			/* cn_msg's payload is only 4-byte aligned: copy it out. */
			struct proc_event evbuf;
			size_t len = cn->len < sizeof(evbuf) ? cn->len : sizeof(evbuf);
			memset(&evbuf, 0, sizeof(evbuf));
			memcpy(&evbuf, cn->data, len);
			const struct proc_event *ev = &evbuf;
			/*
			 * A pid the container freed and another process took
			 * is that one's from now on: its kill is not ours.
			 * minirun's own children: mr_observer_set_init says
			 * (their events come after it).
			 */
			if (ev->what == PROC_EVENT_FORK &&
			    ev->event_data.fork.parent_tgid != o->self)
				set_member(o, ev->event_data.fork.child_tgid,
					   is_member(o, ev->event_data.fork.parent_tgid));
			else if (ev->what == PROC_EVENT_EXIT &&
				 is_member(o, ev->event_data.exit.process_tgid) &&
				 (ev->event_data.exit.exit_code & 0x7f) == SIGSYS)
				pid_add(&o->sigsys_deaths, &o->n_sigsys_deaths,
					ev->event_data.exit.process_tgid);
		}
	}
}

void
mr_observer_set_listener(struct mr_observer *o, int listener)
{
	o->listener = listener;
}

int
mr_observer_listener_fd(const struct mr_observer *o)
{
	return o->listener;
}

int
mr_observer_kmsg_fd(const struct mr_observer *o)
{
	return o->kmsg;
}

/* --- decoding arguments ------------------------------------------------- */

enum arg_kind {
	A_END = 0,
	A_INT,
	A_HEX,
	A_DIRFD,
	A_PATH,
	A_MODE,
	A_OFLAGS,
	A_PTR,
	A_SIG,
	A_AF,
};

/*
 * The name in place, not a pointer: a table of pointers is relocated (written)
 * at every start of the static-pie, and this one took half a page of it.  A
 * name may fill the array without a NUL: find_sig compares it as fixed-width.
 */
struct sig {
	char name[MR_SYSCALL_NAME_MAX];
	enum arg_kind args[6];
};

static const struct sig sigs[] = {
    {"open", {A_PATH, A_OFLAGS, A_MODE}},
    {"openat", {A_DIRFD, A_PATH, A_OFLAGS, A_MODE}},
    {"openat2", {A_DIRFD, A_PATH, A_PTR, A_INT}},
    {"creat", {A_PATH, A_MODE}},
    {"mkdir", {A_PATH, A_MODE}},
    {"mkdirat", {A_DIRFD, A_PATH, A_MODE}},
    {"rmdir", {A_PATH}},
    {"unlink", {A_PATH}},
    {"unlinkat", {A_DIRFD, A_PATH, A_HEX}},
    {"chmod", {A_PATH, A_MODE}},
    {"fchmod", {A_INT, A_MODE}},
    {"fchmodat", {A_DIRFD, A_PATH, A_MODE}},
    {"fchmodat2", {A_DIRFD, A_PATH, A_MODE, A_HEX}},
    {"chown", {A_PATH, A_INT, A_INT}},
    {"lchown", {A_PATH, A_INT, A_INT}},
    {"fchown", {A_INT, A_INT, A_INT}},
    {"fchownat", {A_DIRFD, A_PATH, A_INT, A_INT, A_HEX}},
    {"rename", {A_PATH, A_PATH}},
    {"renameat", {A_DIRFD, A_PATH, A_DIRFD, A_PATH}},
    {"renameat2", {A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_HEX}},
    {"link", {A_PATH, A_PATH}},
    {"linkat", {A_DIRFD, A_PATH, A_DIRFD, A_PATH, A_HEX}},
    {"symlink", {A_PATH, A_PATH}},
    {"symlinkat", {A_PATH, A_DIRFD, A_PATH}},
    {"mknod", {A_PATH, A_MODE, A_HEX}},
    {"mknodat", {A_DIRFD, A_PATH, A_MODE, A_HEX}},
    {"access", {A_PATH, A_INT}},
    {"faccessat", {A_DIRFD, A_PATH, A_INT}},
    {"faccessat2", {A_DIRFD, A_PATH, A_INT, A_HEX}},
    {"stat", {A_PATH, A_PTR}},
    {"lstat", {A_PATH, A_PTR}},
    {"newfstatat", {A_DIRFD, A_PATH, A_PTR, A_HEX}},
    {"statx", {A_DIRFD, A_PATH, A_HEX, A_HEX, A_PTR}},
    {"readlink", {A_PATH, A_PTR, A_INT}},
    {"readlinkat", {A_DIRFD, A_PATH, A_PTR, A_INT}},
    {"truncate", {A_PATH, A_INT}},
    {"chdir", {A_PATH}},
    {"chroot", {A_PATH}},
    {"execve", {A_PATH, A_PTR, A_PTR}},
    {"execveat", {A_DIRFD, A_PATH, A_PTR, A_PTR, A_HEX}},
    {"mount", {A_PATH, A_PATH, A_PATH, A_HEX, A_PTR}},
    {"umount2", {A_PATH, A_HEX}},
    {"pivot_root", {A_PATH, A_PATH}},
    {"sethostname", {A_PTR, A_INT}},
    {"socket", {A_AF, A_HEX, A_INT}},
    {"kill", {A_INT, A_SIG}},
    {"tkill", {A_INT, A_SIG}},
    {"tgkill", {A_INT, A_INT, A_SIG}},
    {"clone", {A_HEX, A_PTR, A_PTR, A_PTR, A_HEX}},
    {"clone3", {A_PTR, A_INT}},
    {"unshare", {A_HEX}},
    {"setns", {A_INT, A_HEX}},
    {"personality", {A_HEX}},
    {"ptrace", {A_INT, A_INT, A_PTR, A_PTR}},
    {"ioctl", {A_INT, A_HEX, A_PTR}},
    {"prctl", {A_INT, A_HEX, A_HEX, A_HEX, A_HEX}},
    {"setuid", {A_INT}},
    {"setgid", {A_INT}},
    {"setresuid", {A_INT, A_INT, A_INT}},
    {"setresgid", {A_INT, A_INT, A_INT}},
    {"reboot", {A_HEX, A_HEX, A_HEX, A_PTR}},
    {"swapon", {A_PATH, A_HEX}},
    {"swapoff", {A_PATH}},
    {"acct", {A_PATH}},
    {"init_module", {A_PTR, A_INT, A_PTR}},
    {"delete_module", {A_PATH, A_HEX}},
};

static const struct sig *
find_sig(const char *name)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(sigs); i++) {
		size_t n = strnlen(sigs[i].name, sizeof(sigs[i].name));
		if (strncmp(sigs[i].name, name, n) == 0 && name[n] == '\0')
			return &sigs[i];
	}
	return NULL;
}

/*
 * Whether the caller still waits for our answer.  Once it is gone (killed,
 * or another thread's exit_group), its pid can be reused, and /proc/PID or
 * its memory are another process's: what was read is trusted only if the
 * notification was still pending after the read (seccomp_unotify(2),
 * SECCOMP_IOCTL_NOTIF_ID_VALID).
 */
static bool
notif_valid(const struct mr_observer *o, uint64_t id)
{
	return ioctl(o->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* Read a NUL-terminated string from the stopped process (best effort). */
static bool
read_string(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;
	if (addr == 0)
		return false;
	while (got + 1 < size) {
		/* Stay inside one page: the next one may not be mapped. */
		size_t page_left = 4096 - ((addr + got) & 4095);
		size_t want = size - 1 - got;
		if (want > page_left)
			want = page_left;
		struct iovec local = {buf + got, want};
		struct iovec remote = {(void *)(uintptr_t)(addr + got), want};
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			break;
		if (memchr(buf + got, '\0', (size_t)n) != NULL)
			return true;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got > 0;
}

static void append(char **s, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
append(char **s, size_t *len, const char *fmt, ...)
{
	char tmp[1200];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	char *ns = realloc(*s, *len + (size_t)n + 1);
	if (ns == NULL)
		return;
	memcpy(ns + *len, tmp, (size_t)n + 1);
	*s = ns;
	*len += (size_t)n;
}

/* A string from the container, quoted and escaped (common/escape.h). */
static void
append_escaped(char **s, size_t *len, const char *str)
{
	cleanup_free char *e = mr_escape_str(str, MR_ESCAPE_QUOTE);
	if (e == NULL)
		return;
	size_t n = strlen(e);
	char *ns = realloc(*s, *len + n + 3);
	if (ns == NULL)
		return;
	ns[*len] = '"';
	memcpy(ns + *len + 1, e, n);
	memcpy(ns + *len + 1 + n, "\"", 2);
	*s = ns;
	*len += n + 2;
}

static void
append_oflags(char **s, size_t *len, uint64_t v)
{
	static const struct {
		int flag;
		const char *name;
	} f[] = {
	    {O_CREAT, "O_CREAT"},	  {O_EXCL, "O_EXCL"},	      {O_NOCTTY, "O_NOCTTY"},
	    {O_TRUNC, "O_TRUNC"},	  {O_APPEND, "O_APPEND"},     {O_NONBLOCK, "O_NONBLOCK"},
	    {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"}, {O_CLOEXEC, "O_CLOEXEC"},
	    {O_PATH, "O_PATH"},
	};
	int acc = (int)(v & O_ACCMODE);
	append(s, len, "%s",
	       acc == O_RDONLY	 ? "O_RDONLY"
	       : acc == O_WRONLY ? "O_WRONLY"
				 : "O_RDWR");
	uint64_t rest = v & ~(uint64_t)O_ACCMODE;
	for (size_t i = 0; i < MR_ARRAY_SIZE(f); i++)
		if (rest & (uint64_t)f[i].flag) {
			append(s, len, "|%s", f[i].name);
			rest &= ~(uint64_t)f[i].flag;
		}
	if (rest)
		append(s, len, "|%#llx", (unsigned long long)rest);
}

/* read_mem false: path arguments as their addresses (the caller is gone). */
static char *
decode_call(const char *name, const struct seccomp_notif *n, bool read_mem)
{
	const struct sig *sg = find_sig(name);
	char *s = NULL;
	size_t len = 0;
	char buf[512];

	/*
	 * Only the arguments the call has: the other registers hold whatever
	 * the caller left there.  A call the tables do not know gets all six,
	 * marked, rather than a guess that hides one that matters.
	 */
	int arity = sg ? 6 : mr_syscall_arity(name);
	append(&s, &len, "%s(", name);
	for (int i = 0; i < 6; i++) {
		enum arg_kind k = sg ? sg->args[i] : (arity < 0 || i < arity ? A_HEX : A_END);
		uint64_t v = n->data.args[i];
		if (k == A_END)
			break;
		if (i)
			append(&s, &len, ", ");
		switch (k) {
		case A_INT:
			append(&s, &len, "%d", (int)v);
			break;
		case A_DIRFD:
			if ((int)v == AT_FDCWD)
				append(&s, &len, "AT_FDCWD");
			else
				append(&s, &len, "%d", (int)v);
			break;
		case A_PATH:
			if (read_mem && read_string((pid_t)n->pid, v, buf, sizeof(buf)))
				append_escaped(&s, &len, buf);
			else
				append(&s, &len, "%#llx", (unsigned long long)v);
			break;
		case A_MODE:
			append(&s, &len, "0%03llo", (unsigned long long)v);
			break;
		case A_OFLAGS:
			append_oflags(&s, &len, v);
			break;
		case A_SIG:
			if (sigabbrev_np((int)v))
				append(&s, &len, "SIG%s", sigabbrev_np((int)v));
			else
				append(&s, &len, "%d", (int)v);
			break;
		case A_AF: {
			/* Automatic: a static array of pointers is relocated at every start. */
			const char *const af[] = {
			    [1] = "AF_UNIX",	 [2] = "AF_INET",    [10] = "AF_INET6",
			    [16] = "AF_NETLINK", [17] = "AF_PACKET", [38] = "AF_ALG",
			    [40] = "AF_VSOCK",
			};
			if (v < MR_ARRAY_SIZE(af) && af[v] != NULL)
				append(&s, &len, "%s", af[v]);
			else
				append(&s, &len, "%d", (int)v);
			break;
		}
		case A_END: /* stopped above */
		case A_PTR:
		case A_HEX:
		default:
			append(&s, &len, "%#llx", (unsigned long long)v);
			break;
		}
	}
	append(&s, &len, arity < 0 ? " /* arity unknown: all 6 registers */)" : ")");
	return s;
}

/* --- answering ------------------------------------------------------------ */

static const char *
syscall_name(uint32_t arch, int nr, char *buf, size_t size)
{
	char *name = seccomp_syscall_resolve_num_arch(arch, nr);
	if (name == NULL) {
		snprintf(buf, size, "syscall_%d", nr);
	} else {
		snprintf(buf, size, "%s", name);
		free(name);
	}
	return buf;
}

static void
describe_result(uint32_t ret, char *buf, size_t size)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ERRNO: {
		int e = (int)(ret & SECCOMP_RET_DATA);
		const char *name = strerrorname_np(e);
		if (e == 0)
			snprintf(buf, size, "0");
		else if (name)
			snprintf(buf, size, "-%s", name);
		else
			snprintf(buf, size, "-%d", e);
		return;
	}
	case SECCOMP_RET_TRACE:
		snprintf(buf, size, "-ENOSYS (TRACE, no tracer)");
		return;
	case SECCOMP_RET_KILL_PROCESS:
		snprintf(buf, size, "killed (KILL_PROCESS)");
		return;
	case SECCOMP_RET_KILL_THREAD:
		snprintf(buf, size, "killed (KILL_THREAD)");
		return;
	case SECCOMP_RET_TRAP:
		snprintf(buf, size, "SIGSYS (TRAP)");
		return;
	case SECCOMP_RET_LOG:
		snprintf(buf, size, "allowed (LOG)");
		return;
	default:
		snprintf(buf, size, "allowed");
	}
}

static bool
cond_holds(const struct mr_rule_cond *c, const uint64_t *args)
{
	uint64_t a = args[c->index < 6 ? c->index : 0];
	switch (c->op) {
	case SCMP_CMP_NE:
		return a != c->value;
	case SCMP_CMP_LT:
		return a < c->value;
	case SCMP_CMP_LE:
		return a <= c->value;
	case SCMP_CMP_EQ:
		return a == c->value;
	case SCMP_CMP_GE:
		return a >= c->value;
	case SCMP_CMP_GT:
		return a > c->value;
	case SCMP_CMP_MASKED_EQ:
		return (a & c->value) == c->value_two;
	default:
		break;
	}
	return false;
}

/* args NULL (a kill read from the audit log): the arguments are unknown. */
static bool
rule_matches(const struct mr_rule_ref *r, const uint64_t *args)
{
	if (r->n_conds == 0 || args == NULL)
		return true;
	for (size_t i = 0; i < r->n_conds; i++) {
		bool h = cond_holds(&r->conds[i], args);
		if (r->any && h)
			return true;
		if (!r->any && !h)
			return false;
	}
	return !r->any;
}

/*
 * The rule that gave this outcome: one naming the syscall, with the same
 * action, whose conditions hold for these arguments.  The outcome itself is
 * known exactly (the program was run on the same data); this only names it.
 */
static const char *
rule_for(const struct mr_observer *o, uint32_t arch, int nr, uint32_t ret, const uint64_t *args)
{
	const struct mr_seccomp_prepared *sc = o->cfg.seccomp;
	if (arch == seccomp_arch_native())
		for (size_t i = 0; i < sc->n_rule_refs; i++) {
			const struct mr_rule_ref *r = &sc->rule_refs[i];
			if (r->nr == nr && r->action == ret && rule_matches(r, args))
				return r->desc;
		}
	if (ret == (SECCOMP_RET_ERRNO | ENOSYS) && ret != sc->default_action)
		return "ENOSYS stub: newer than every syscall the profile names";
	return "default action";
}

/* The capability that would allow this call (a rule dropped for want of it), or NULL. */
static const char *
cap_hint_for(const struct mr_observer *o, uint32_t arch, int nr)
{
	const struct mr_seccomp_prepared *sc = o->cfg.seccomp;
	if (arch != seccomp_arch_native())
		return NULL;
	for (size_t i = 0; i < sc->n_cap_hints; i++)
		if (sc->cap_hints[i].nr == nr)
			return sc->cap_hints[i].text;
	return NULL;
}

/* The errno the caller sees for a refusing outcome, or 0 (a kill, a trap). */
static int
refusal_errno(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ERRNO:
		return (int)(ret & SECCOMP_RET_DATA);
	case SECCOMP_RET_TRACE:
		return ENOSYS;
	default:
		return 0;
	}
}

/* An expected fallback (seccomp/calls.h): why it is harmless, or NULL. */
static const char *
fallback_for(const char *name, uint32_t ret)
{
	int e = refusal_errno(ret);
	return e != 0 ? mr_syscall_fallback(name, e) : NULL;
}

static void
container_pid_and_exe(pid_t host_pid, int *cpid, char *exe, size_t size)
{
	char path[64], line[256];
	*cpid = -1; /* gone before the read */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)host_pid);
	FILE *f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, "NSpid:", 6) == 0) {
				char *last = strrchr(line, '\t');
				if (last)
					*cpid = atoi(last + 1);
				break;
			}
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)host_pid);
	ssize_t n = readlink(path, exe, size - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (n <= 0)
		snprintf(exe, size, "?");
}

static size_t
tally_hash(uint32_t arch, int32_t nr, uint32_t ret)
{
	/* murmur3's finaliser over the three words. */
	uint32_t h = arch * 0x9e3779b1u ^ (uint32_t)nr * 0x85ebca77u ^ ret * 0xc2b2ae3du;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The slot of the key, or the empty slot where it goes (the table is never full). */
static struct tally_slot *
tally_find(struct tally_slot *slots, size_t n_slots, uint32_t arch, int32_t nr, uint32_t ret)
{
	size_t mask = n_slots - 1;
	for (size_t i = tally_hash(arch, nr, ret) & mask;; i = (i + 1) & mask) {
		struct tally_slot *sl = &slots[i];
		if (sl->item == 0 || (sl->arch == arch && sl->nr == nr && sl->ret == ret))
			return sl;
	}
}

/* Room for one more key (at most half full: short probes); false if not. */
static bool
tally_reserve(struct mr_observer *o)
{
	if (o->n_keys >= TALLY_KEYS_MAX)
		return false;
	if ((o->n_keys + 1) * 2 <= o->n_slots)
		return true;
	size_t n = o->n_slots ? o->n_slots * 2 : 256;
	struct tally_slot *slots = calloc(n, sizeof(*slots));
	if (slots == NULL)
		return false;
	for (size_t i = 0; i < o->n_slots; i++) {
		const struct tally_slot *sl = &o->slots[i];
		if (sl->item != 0)
			*tally_find(slots, n, sl->arch, sl->nr, sl->ret) = *sl;
	}
	free(o->slots);
	o->slots = slots;
	o->n_slots = n;
	return true;
}

/* Counted; true when the key is new (or could not be kept: then always). */
static bool
tally(struct mr_observer *o, uint32_t arch, int nr, uint32_t ret, const char *rule,
      const char *name)
{
	o->total++;
	const char *fallback = fallback_for(name, ret);
	if (fallback != NULL)
		o->fallbacks++;
	struct tally_slot *sl = o->n_slots ? tally_find(o->slots, o->n_slots, arch, nr, ret) : NULL;
	if (sl != NULL && sl->item != 0) {
		if (sl->item == TALLY_MORE)
			o->more_denied++;
		else
			o->tallies[sl->item - 1].count++;
		return false;
	}
	if (fallback != NULL)
		o->fallback_keys++;
	if (!tally_reserve(o)) {
		/* Not kept (the key bound, or no memory): counted, not as distinct. */
		o->more_denied++;
		o->more_inexact = true;
		return true;
	}
	sl = tally_find(o->slots, o->n_slots, arch, nr, ret);
	*sl = (struct tally_slot){.arch = arch, .nr = nr, .ret = ret, .item = TALLY_MORE};
	o->n_keys++;
	if (o->n_tallies < TALLY_ITEMS) {
		if (o->n_tallies == 0) {
			/* Allocated once, whole: 4096 items are 400 KiB. */
			o->tallies = calloc(TALLY_ITEMS, sizeof(*o->tallies));
		}
		if (o->tallies != NULL) {
			struct tally *t = &o->tallies[o->n_tallies++];
			*t = (struct tally){.arch = arch,
					    .nr = nr,
					    .ret = ret,
					    .rule = rule,
					    .fallback = fallback,
					    .hint = fallback ? NULL : cap_hint_for(o, arch, nr),
					    .count = 1};
			snprintf(t->name, sizeof(t->name), "%s", name);
			sl->item = (uint32_t)o->n_tallies;
			return true;
		}
	}
	o->more_distinct++;
	o->more_denied++;
	return true;
}

/* clone3's flags, the first field of its struct clone_args; false if unknown. */
static bool
clone3_flags(const struct mr_observer *o, const struct seccomp_notif *n, uint64_t *flags)
{
	struct iovec local = {flags, sizeof(*flags)};
	struct iovec remote = {(void *)(uintptr_t)n->data.args[0], sizeof(*flags)};
	return n->data.args[0] != 0 &&
	       process_vm_readv((pid_t)n->pid, &local, 1, &remote, 1, 0) == sizeof(*flags) &&
	       notif_valid(o, n->id);
}

static void
learn(struct mr_observer *o, const struct seccomp_notif *n)
{
	uint32_t arch = n->data.arch;
	int nr = n->data.nr;
	const uint64_t *args = (const uint64_t *)n->data.args;
	uint64_t flags;
	if (o->args != NULL && mr_arglearn_is_clone3(o->args, arch, nr))
		mr_arglearn_note_clone3(o->args, clone3_flags(o, n, &flags) ? &flags : NULL);
	else if (o->args != NULL)
		mr_arglearn_note(o->args, arch, nr, args);
	if (nr < 0 || nr >= MAX_NR)
		return;
	for (size_t i = 0; i < o->n_arches; i++)
		if (o->arches[i].arch == arch) {
			o->arches[i].nr[nr / 8] |= (unsigned char)(1u << (nr % 8));
			return;
		}
	struct seen_arch *a = realloc(o->arches, (o->n_arches + 1) * sizeof(*a));
	if (a == NULL)
		return;
	o->arches = a;
	memset(&a[o->n_arches], 0, sizeof(a[0]));
	a[o->n_arches].arch = arch;
	a[o->n_arches].nr[nr / 8] |= (unsigned char)(1u << (nr % 8));
	o->n_arches++;
}

static void
report(struct mr_observer *o, const struct seccomp_notif *n, uint32_t ret)
{
	char name[64], result[64], raw_exe[PATH_MAX];
	int cpid;
	const char *rule =
	    rule_for(o, n->data.arch, n->data.nr, ret, (const uint64_t *)n->data.args);

	syscall_name(n->data.arch, n->data.nr, name, sizeof(name));
	describe_result(ret, result, sizeof(result));
	container_pid_and_exe((pid_t)n->pid, &cpid, raw_exe, sizeof(raw_exe));
	cleanup_free char *call = decode_call(name, n, true);
	if (!notif_valid(o, n->id)) {
		/* The pid may be another process's by now: none of it is the caller's. */
		cpid = -1;
		snprintf(raw_exe, sizeof(raw_exe), "?");
		free(call);
		call = decode_call(name, n, false);
	}
	/* The container names its executables: no raw newline or escape
	   sequence in the report, and valid UTF-8 for JSON. */
	cleanup_free char *exe = mr_escape_str(raw_exe, 0);
	char pid_text[16] = "?";
	if (cpid >= 0)
		snprintf(pid_text, sizeof(pid_text), "%d", cpid);
	bool first = tally(o, n->data.arch, n->data.nr, ret, rule, name);
	const char *fallback = fallback_for(name, ret);
	const char *hint = fallback ? NULL : cap_hint_for(o, n->data.arch, n->data.nr);

	if (exe == NULL) {
		o->lost++;
		return;
	}
	if (!o->json) {
		/* Eight threads make eight clone3 calls: the first tells, the summary counts. */
		if (fallback != NULL && first)
			out(o,
			    "minirun: seccomp: fallback, harmless: %s = %s  [pid %s %s; %s]: %s "
			    "(repeats only counted in the summary)\n",
			    call ? call : name, result, pid_text, exe, rule, fallback);
		else if (fallback == NULL)
			out(o, "minirun: seccomp: %s %s = %s  [pid %s %s; %s%s%s]\n",
			    o->mode == MR_OBSERVE_COMPLAIN ? "would deny" : "denied",
			    call ? call : name, result, pid_text, exe, rule, hint ? "; " : "",
			    hint ? hint : "");
		return;
	}
	json_t *j = json_pack(
	    "{s:s, s:i, s:s, s:s, s:i, s:o, s:s, s:s}", "syscall", name, "nr", n->data.nr, "call",
	    call ? call : name, "result", result, "errno",
	    (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO ? (int)(ret & SECCOMP_RET_DATA)
								 : -1,
	    "pid", cpid >= 0 ? json_integer(cpid) : json_null(), "exe", exe, "rule", rule);
	/* Keys only when they apply: a plain denial's object stays as it was. */
	if (j != NULL && fallback != NULL &&
	    json_object_set_new(j, "fallback", json_string(fallback)) < 0)
		json_decref(j), j = NULL;
	if (j != NULL && hint != NULL && json_object_set_new(j, "hint", json_string(hint)) < 0)
		json_decref(j), j = NULL;
	if (j != NULL && o->mode == MR_OBSERVE_COMPLAIN &&
	    json_object_set_new(j, "enforced", json_false()) < 0)
		json_decref(j), j = NULL;
	out_json(o, j);
}

int
mr_observer_handle(struct mr_observer *o, bool before_exec, struct mr_error *err)
{
	const struct mr_seccomp_prepared *sc = o->cfg.seccomp;
	cleanup_free struct seccomp_notif *req = calloc(1, o->sizes.seccomp_notif);
	cleanup_free struct seccomp_notif_resp *resp = calloc(1, o->sizes.seccomp_notif_resp);

	if (req == NULL || resp == NULL)
		return mr_error_oom(err, "seccomp observer");
	if (ioctl(o->listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		/* ENOENT: the caller died before we read it. */
		if (errno == EINTR || errno == ENOENT)
			return 0;
		return mr_error_set(err, errno, "seccomp: SECCOMP_IOCTL_NOTIF_RECV");
	}

	uint32_t ret = SECCOMP_RET_ALLOW;
	/* The profile's own answer: its original program on the same data.  If
	   that cannot be had, refuse: observing must never let a call through. */
	if (mr_bpf_eval(sc->insns, sc->n_insns, &req->data, &ret) < 0)
		ret = SECCOMP_RET_ERRNO | EPERM;

	resp->id = req->id;
	if (o->mode == MR_OBSERVE_COMPLAIN && !before_exec) {
		/*
		 * Complain: say what the profile would do, then let the call
		 * run.  CONTINUE is unsafe only for a supervisor that checks
		 * arguments and then lets the call go (they can change in
		 * between: seccomp_unotify(2)); nothing is enforced here, so
		 * there is nothing to bypass.
		 */
		switch (ret & SECCOMP_RET_ACTION_FULL) {
		case SECCOMP_RET_ALLOW:
		case SECCOMP_RET_LOG:
			break;
		default:
			report(o, req, ret);
			break;
		}
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (o->mode == MR_OBSERVE_LEARN) {
		learn(o, req);
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		switch (ret & SECCOMP_RET_ACTION_FULL) {
		case SECCOMP_RET_ERRNO:
			resp->error = -(int)(ret & SECCOMP_RET_DATA);
			break;
		case SECCOMP_RET_TRACE:
			/* What the kernel does for TRACE when no tracer is attached. */
			resp->error = -ENOSYS;
			break;
		default:
			/* Only refusing outcomes are notified; anything else runs. */
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			break;
		}
		/* Before exec it is minirun itself (its read-back of the user and
		   capabilities): answered like any call, but not the workload's.
		   Complain mode too: minirun's own calls meet the profile as they
		   would without observing (prepare.c checked they pass). */
		if (resp->flags == 0 && !before_exec)
			report(o, req, ret);
	}
	if (ioctl(o->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
		return mr_error_set(err, errno, "seccomp: SECCOMP_IOCTL_NOTIF_SEND");
	return 0;
}

/* "... pid=9178 comm="mkdir" exe="/bin/busybox" sig=31 arch=c000003e syscall=83 ...
 * code=0x80000000" */
static bool
field(const char *rec, const char *key, char *val, size_t size)
{
	const char *p = strstr(rec, key);
	if (p == NULL)
		return false;
	p += strlen(key);
	size_t n = 0;
	if (*p == '"') {
		p++;
		while (p[n] && p[n] != '"' && n + 1 < size)
			n++;
	} else {
		while (p[n] && p[n] != ' ' && p[n] != '\n' && n + 1 < size)
			n++;
	}
	memcpy(val, p, n);
	val[n] = '\0';
	return true;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * A string the audit subsystem took from the process (comm, exe): quoted
 * when it is plain text, else the bytes in hex, unquoted
 * (audit_log_n_untrustedstring).  The bytes, into val (not NUL-terminated);
 * returns their number.  "?" when the field is absent.
 */
static size_t
untrusted_field(const char *rec, const char *key, char *val, size_t size)
{
	const char *p = strstr(rec, key);
	if (p == NULL) {
		memcpy(val, "?", 1);
		return 1;
	}
	p += strlen(key);
	size_t n = 0;
	if (*p == '"') {
		p++;
		while (p[n] && p[n] != '"' && n < size)
			n++;
		memcpy(val, p, n);
		return n;
	}
	size_t end = strcspn(p, " \n");
	bool hex = end > 0 && end % 2 == 0;
	for (size_t i = 0; hex && i < end; i++)
		hex = hex_digit(p[i]) >= 0;
	if (!hex) {
		/* "(null)", or the kernel log's own form: kept as it is (escaped later). */
		n = end < size ? end : size;
		memcpy(val, p, n);
		return n;
	}
	for (size_t i = 0; i < end && n < size; i += 2)
		val[n++] = (char)(hex_digit(p[i]) << 4 | hex_digit(p[i + 1]));
	return n;
}

/* One AUDIT_SECCOMP record: "... pid=N comm=... exe=... arch=c000003e syscall=83 ...
 * code=0x80000000". */
static void
handle_record(struct mr_observer *o, const char *rec)
{
	do {
		char pid[16], raw_comm[128], raw_exe[2048], arch[16], nr[16], code[16];
		if (!field(rec, " pid=", pid, sizeof(pid)) ||
		    !field(rec, " syscall=", nr, sizeof(nr)) ||
		    !field(rec, " arch=", arch, sizeof(arch)) ||
		    !field(rec, " code=", code, sizeof(code)))
			continue;
		size_t comm_len = untrusted_field(rec, " comm=", raw_comm, sizeof(raw_comm));
		size_t exe_len = untrusted_field(rec, " exe=", raw_exe, sizeof(raw_exe));
		/* Fork events are queued before the kill they lead to: read them first. */
		if (o->procev >= 0) {
			mr_observer_handle_procev(o);
			if (!is_member(o, (pid_t)atoi(pid)))
				continue;
			pid_add(&o->reported, &o->n_reported, (pid_t)atoi(pid));
		}
		uint32_t action = (uint32_t)strtoul(code, NULL, 16) & SECCOMP_RET_ACTION_FULL;
		if (action != SECCOMP_RET_KILL_PROCESS && action != SECCOMP_RET_KILL_THREAD &&
		    action != SECCOMP_RET_TRAP)
			continue;
		uint32_t a = (uint32_t)strtoul(arch, NULL, 16);
		int num = atoi(nr);
		char name[64], result[64];
		syscall_name(a, num, name, sizeof(name));
		describe_result(action, result, sizeof(result));
		const char *rule = rule_for(o, a, num, action, NULL);
		tally(o, a, num, action, rule, name);
		o->kills++;
		/* The container's own bytes, escaped like every other string it names. */
		cleanup_free char *comm = mr_escape(raw_comm, comm_len, 0);
		cleanup_free char *exe = mr_escape(raw_exe, exe_len, 0);
		if (comm == NULL || exe == NULL) {
			o->lost++;
			continue;
		}
		if (o->json) {
			out_json(o, json_pack("{s:s, s:i, s:s, s:i, s:s, s:s, s:s}", "syscall",
					      name, "nr", num, "result", result, "host_pid",
					      atoi(pid), "comm", comm, "exe", exe, "rule", rule));
		} else {
			out(o, "minirun: seccomp: %s %s()  [host pid %s %s (%s); %s]\n", result,
			    name, pid, exe, comm, rule);
		}
	} while (0);
}

void
mr_observer_handle_kmsg(struct mr_observer *o)
{
	union {
		char buf[8192];
		struct nlmsghdr align;
	} u;
	char rec[2048];

	for (;;) {
		if (!o->audit_nl) {
			ssize_t n = read(o->kmsg, rec, sizeof(rec) - 1);
			if (n < 0 && errno == EPIPE)
				continue; /* overwritten records: skip ahead */
			if (n <= 0)
				return;
			rec[n] = '\0';
			if (strstr(rec, "type=1326") != NULL)
				handle_record(o, rec);
			continue;
		}
		ssize_t got = recv(o->kmsg, u.buf, sizeof(u.buf), 0);
		if (got <= 0)
			return;
		/*
		 * Signed on purpose: the audit subsystem does not pad its last
		 * message, so NLMSG_NEXT can step below zero, and NLMSG_OK only
		 * stops there when the length is a signed int.
		 */
		int n = (int)got;
		for (struct nlmsghdr *nl = &u.align; NLMSG_OK(nl, n); nl = NLMSG_NEXT(nl, n)) {
			if (nl->nlmsg_type != AUDIT_SECCOMP)
				continue;
			size_t len = nl->nlmsg_len - NLMSG_HDRLEN;
			if (len > sizeof(rec) - 2)
				len = sizeof(rec) - 2;
			rec[0] = ' ';
			memcpy(rec + 1, NLMSG_DATA(nl), len);
			rec[len + 1] = '\0';
			handle_record(o, rec);
		}
	}
}

/* --- the end of the run ------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names seen, sorted and unique, as a JSON array. */
static json_t *
learned_names(const struct mr_observer *o, json_t **arches)
{
	char **names = NULL;
	size_t n = 0;
	*arches = json_array();
	for (size_t i = 0; i < o->n_arches; i++) {
		const char *an = mr_arch_scmp_name(o->arches[i].arch);
		if (an)
			json_array_append_new(*arches, json_string(an));
		for (int nr = 0; nr < MAX_NR; nr++) {
			if (!(o->arches[i].nr[nr / 8] & (1u << (nr % 8))))
				continue;
			char *name = seccomp_syscall_resolve_num_arch(o->arches[i].arch, nr);
			if (name == NULL)
				continue;
			/* Written as argument rules instead (write_learned). */
			if (mr_arglearn_covers(o->args, name)) {
				free(name);
				continue;
			}
			char **v = realloc(names, (n + 1) * sizeof(char *));
			if (v == NULL) {
				free(name);
				continue;
			}
			names = v;
			names[n++] = name;
		}
	}
	if (n)
		qsort(names, n, sizeof(char *), cmp_str);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			json_array_append_new(arr, json_string(names[i]));
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return arr;
}

static bool
json_names_have(json_t *names, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return true;
	}
	return false;
}

/* The names rules allow whatever the arguments and capabilities (a base's too). */
static json_t *
allowed_names(json_t *syscalls)
{
	json_t *have = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(syscalls, i, r)
	{
		json_t *action = json_object_get(r, "action");
		json_t *args = json_object_get(r, "args");
		if (!json_is_string(action) ||
		    strcmp(json_string_value(action), "SCMP_ACT_ALLOW") != 0 ||
		    json_array_size(args) > 0 || json_object_get(r, "includes") != NULL ||
		    json_object_get(r, "excludes") != NULL)
			continue;
		json_t *names = json_object_get(r, "names");
		if (json_is_array(names))
			json_array_extend(have, names);
		else if (json_is_string(json_object_get(r, "name")))
			json_array_append(have, json_object_get(r, "name"));
	}
	return have;
}

/*
 * --target: one rule per extra group, with only the names no rule allows
 * yet.  Its comment says why the names are there: the run never showed them
 * (they are the runtime's, made before the workload starts).
 */
static int
add_learn_extra(const struct mr_observer *o, json_t *doc)
{
	json_t *syscalls = json_object_get(doc, "syscalls");
	if (!json_is_array(syscalls)) {
		syscalls = json_array();
		if (syscalls == NULL || json_object_set_new(doc, "syscalls", syscalls) < 0)
			return -1;
	}
	json_t *have = allowed_names(syscalls);
	if (have == NULL)
		return -1;
	for (size_t i = 0; i < o->cfg.n_learn_extra; i++) {
		const struct mr_learn_extra *x = &o->cfg.learn_extra[i];
		json_t *names = json_array();
		for (size_t j = 0; names != NULL && j < x->n; j++) {
			if (json_names_have(have, x->names[j]))
				continue;
			if (json_array_append_new(names, json_string(x->names[j])) < 0 ||
			    json_array_append_new(have, json_string(x->names[j])) < 0) {
				json_decref(names);
				names = NULL;
			}
		}
		if (names == NULL) {
			json_decref(have);
			return -1;
		}
		if (json_array_size(names) == 0) {
			json_decref(names);
			continue;
		}
		if (json_array_append_new(syscalls,
					  json_pack("{s:o, s:s, s:s}", "names", names, "action",
						    "SCMP_ACT_ALLOW", "comment", x->comment)) < 0) {
			json_decref(have);
			return -1;
		}
	}
	json_decref(have);
	return 0;
}

static int
write_learned(struct mr_observer *o, struct mr_error *err)
{
	const struct mr_seccomp_prepared *sc = o->cfg.seccomp;
	json_t *arches = NULL;
	json_t *names = learned_names(o, &arches);
	json_t *doc;
	json_error_t je;
	/* --seccomp-learn-args: the values seen, as rules after the names. */
	json_t *arg_rules = mr_arglearn_rules(o->args, "added by minirun --seccomp-learn-args: "
						       "the argument values this workload used");
	if (arg_rules == NULL) {
		json_decref(names);
		json_decref(arches);
		return mr_error_oom(err, "--seccomp-learn-args");
	}

	/* --arch: the names those arches use for the same calls (mkdirat for mkdir). */
	if (mr_equiv_widen(names, arches, o->cfg.learn_arches, o->cfg.n_learn_arches) < 0) {
		json_decref(names);
		json_decref(arches);
		return mr_error_oom(err, "--seccomp-learn");
	}

	if (sc->learn_base != NULL) {
		doc = json_loadb(sc->learn_base, sc->learn_base_len, 0, &je);
		if (doc == NULL || !json_is_object(doc)) {
			json_decref(names);
			json_decref(arches);
			json_decref(arg_rules);
			json_decref(doc);
			return mr_error_set(
			    err, 0, "--seccomp-learn: re-reading the base profile: %s", je.text);
		}
		json_decref(arches);
		json_t *syscalls = json_object_get(doc, "syscalls");
		if (!json_is_array(syscalls) &&
		    (json_array_size(names) > 0 || json_array_size(arg_rules) > 0)) {
			syscalls = json_array();
			json_object_set_new(doc, "syscalls", syscalls);
		}
		if (json_array_size(names) > 0) {
			json_array_append_new(
			    syscalls,
			    json_pack("{s:o, s:s, s:s}", "names", names, "action", "SCMP_ACT_ALLOW",
				      "comment",
				      "added by minirun --seccomp-learn: what the base profile "
				      "lacked for this workload"));
		} else {
			json_decref(names);
		}
		if (json_array_size(arg_rules) > 0)
			json_array_extend(syscalls, arg_rules);
		json_decref(arg_rules);
	} else {
		doc = json_pack("{s:s, s:o, s:[{s:o, s:s}]}", "defaultAction", "SCMP_ACT_ERRNO",
				"architectures", arches, "syscalls", "names", names, "action",
				"SCMP_ACT_ALLOW");
		json_t *syscalls = doc ? json_object_get(doc, "syscalls") : NULL;
		if (syscalls != NULL && json_array_extend(syscalls, arg_rules) < 0) {
			json_decref(doc);
			doc = NULL;
		}
		json_decref(arg_rules);
	}
	if (doc == NULL)
		return mr_error_oom(err, "--seccomp-learn");
	if (o->cfg.n_learn_extra > 0 && add_learn_extra(o, doc) < 0) {
		json_decref(doc);
		return mr_error_oom(err, "--seccomp-learn --target");
	}
	/* Through the descriptor opened before the container existed: never
	   the path, which the container may have made a symlink since. */
	cleanup_free char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL)
		return mr_error_oom(err, "--seccomp-learn");
	size_t len = strlen(text);
	text[len] = '\n'; /* json_dumps' NUL: the file ends with a newline */
	if (mr_outfile_replace(&o->learned, text, len + 1) < 0)
		return mr_error_set(err, errno, "--seccomp-learn=%s: write", o->cfg.learn_file);
	return 0;
}

static void summary_json(struct mr_observer *o);
static void summary_text(struct mr_observer *o);

static void
finish_report(struct mr_observer *o)
{
	if (o->kmsg >= 0) {
		/* Audit records reach the log asynchronously (kauditd). */
		struct pollfd pfd = {.fd = o->kmsg, .events = POLLIN};
		if (o->procev >= 0)
			mr_observer_handle_procev(o);
		while (poll(&pfd, 1, 30) > 0)
			mr_observer_handle_kmsg(o);
	}
	for (size_t i = 0; i < o->n_sigsys_deaths; i++) {
		if (pid_in(o->reported, o->n_reported, o->sigsys_deaths[i]))
			continue;
		/* The kernel rate-limits audit lines on the console (printk). */
		tally(o, 0, -1, SECCOMP_RET_KILL_PROCESS, "audit record dropped by the kernel",
		      "(unknown syscall)");
		if (o->json)
			out(o,
			    "{\"syscall\":null,\"result\":\"killed by SIGSYS\",\"host_pid\":%d,"
			    "\"rule\":\"unknown: the kernel's audit log dropped the record\"}\n",
			    (int)o->sigsys_deaths[i]);
		else
			out(o,
			    "minirun: seccomp: host pid %d was killed by SIGSYS (a KILL or TRAP "
			    "rule); "
			    "which syscall is unknown: the kernel dropped its audit record (rate "
			    "limit)\n",
			    (int)o->sigsys_deaths[i]);
	}
	if (o->json)
		summary_json(o);
	else
		summary_text(o);
}

/* The JSON summary object: the counts, and the calls past the itemised ones. */
static void
summary_json(struct mr_observer *o)
{
	unsigned long denied = o->total - o->fallbacks;
	json_t *arr = json_array();
	bool complete = arr != NULL;
	for (size_t i = 0; complete && i < o->n_tallies; i++) {
		const struct tally *t = &o->tallies[i];
		char result[64];
		describe_result(t->ret, result, sizeof(result));
		json_t *j = json_pack("{s:s, s:I, s:s, s:s}", "syscall", t->name, "count",
				      (json_int_t)t->count, "result", result, "rule", t->rule);
		if (j != NULL && t->fallback != NULL &&
		    json_object_set_new(j, "fallback", json_string(t->fallback)) < 0)
			json_decref(j), j = NULL;
		if (j != NULL && t->hint != NULL &&
		    json_object_set_new(j, "hint", json_string(t->hint)) < 0)
			json_decref(j), j = NULL;
		complete = j != NULL && json_array_append_new(arr, j) == 0;
	}
	json_t *j = NULL;
	if (complete && o->mode == MR_OBSERVE_COMPLAIN)
		j = json_pack("{s:o, s:I, s:I}", "summary", arr, "would_deny", (json_int_t)denied,
			      "distinct", (json_int_t)(o->n_keys - o->fallback_keys));
	else if (complete)
		j = json_pack("{s:o, s:I}", "summary", arr, "denied", (json_int_t)denied);
	else
		json_decref(arr);
	/* Only when there are some: the usual summary keeps its keys. */
	if (j != NULL && o->fallbacks > 0 &&
	    json_object_set_new(j, "fallbacks", json_integer((json_int_t)o->fallbacks)) < 0)
		json_decref(j), j = NULL;
	if (j != NULL && o->lost > 0 &&
	    json_object_set_new(j, "lost", json_integer((json_int_t)o->lost)) < 0)
		json_decref(j), j = NULL;
	/* The calls past the itemised ones, when there are any. */
	if (j != NULL && o->more_denied > 0 &&
	    json_object_set_new(
		j, "more",
		json_pack("{s:I, s:I, s:b}", "distinct", (json_int_t)o->more_distinct, "denied",
			  (json_int_t)o->more_denied, "exact", !o->more_inexact)) < 0)
		json_decref(j), j = NULL;
	out_json(o, j);
}

/*
 * The summary's first line.  Fallbacks are not denials: they are counted
 * apart, so "N denied" is what the user may need to act on.
 */
static void
summary_header(struct mr_observer *o, const char *src)
{
	unsigned long denied = o->total - o->fallbacks, f = o->fallbacks;
	char fb[64] = "";
	if (f > 0)
		snprintf(fb, sizeof(fb), ", and %lu harmless fallback%s", f, f == 1 ? "" : "s");
	if (o->mode == MR_OBSERVE_COMPLAIN) {
		unsigned long distinct = o->n_keys - o->fallback_keys;
		if (denied == 0)
			out(o,
			    "minirun: seccomp: summary: would have denied no call under %s%s%s\n",
			    src, fb, f ? ":" : "");
		else
			out(o,
			    "minirun: seccomp: summary: would have denied %lu call%s (%s%lu "
			    "distinct) under %s%s:\n",
			    denied, denied == 1 ? "" : "s", o->more_inexact ? "at least " : "",
			    distinct, src, fb);
		return;
	}
	if (denied == 0)
		out(o, "minirun: seccomp: summary: no syscall was denied by %s%s%s\n", src, fb,
		    f ? ":" : "");
	else
		out(o, "minirun: seccomp: summary: %lu denied call%s%s (%s):\n", denied,
		    denied == 1 ? "" : "s", fb, src);
}

static void
summary_text(struct mr_observer *o)
{
	const char *src = o->cfg.seccomp->source ? o->cfg.seccomp->source : "the profile";
	if (o->total == 0) {
		if (o->mode == MR_OBSERVE_COMPLAIN)
			out(o, "minirun: seccomp: summary: would have denied no call under %s\n",
			    src);
		else
			out(o, "minirun: seccomp: summary: no syscall was denied by %s\n", src);
		return;
	}
	summary_header(o, src);
	bool enosys = false, eperm = false;
	for (size_t i = 0; i < o->n_tallies; i++) {
		const struct tally *t = &o->tallies[i];
		char result[64];
		describe_result(t->ret, result, sizeof(result));
		if (t->fallback != NULL) {
			out(o,
			    "minirun: seccomp:   %-16s %5lu x  %s  [%s]  fallback, harmless: %s\n",
			    t->name, t->count, result, t->rule, t->fallback);
			continue;
		}
		enosys |= refusal_errno(t->ret) == ENOSYS;
		eperm |= refusal_errno(t->ret) == EPERM;
		out(o, "minirun: seccomp:   %-16s %5lu x  %s  [%s%s%s]\n", t->name, t->count,
		    result, t->rule, t->hint ? "; " : "", t->hint ? t->hint : "");
	}
	if (o->more_denied > 0)
		out(o, "minirun: seccomp:   ... and %s%lu more distinct call%s, %lu denial%s\n",
		    o->more_inexact ? "at least " : "", o->more_distinct,
		    o->more_distinct == 1 ? "" : "s", o->more_denied,
		    o->more_denied == 1 ? "" : "s");
	/* The two answers users confuse, explained once, only when they occur. */
	if (enosys)
		out(o, "minirun: seccomp: note: -ENOSYS: the profile does not know the call (a "
		       "rule says so, or the stub answers for calls newer than the profile); "
		       "programs take it as \"not implemented\" and may fall back\n");
	if (eperm)
		out(o, "minirun: seccomp: note: -EPERM: a rule or the default action refused the "
		       "call; a call the profile allows can still fail EPERM for want of a "
		       "capability, which seccomp does not see\n");
}

int
mr_observer_finish(struct mr_observer *o, struct mr_error *err)
{
	if (o->mode == MR_OBSERVE_LEARN)
		return write_learned(o, err);
	finish_report(o);
	if (o->lost > 0)
		return mr_error_set(err, ENOMEM, "%s: %lu record%s could not be written",
				    mode_flag(o), o->lost, o->lost == 1 ? "" : "s");
	if (o->write_errno != 0)
		return mr_error_set(err, o->write_errno, "%s=%s: write", mode_flag(o),
				    o->report.path);
	return 0;
}

void
mr_observer_abort(struct mr_observer *o)
{
	if (o == NULL)
		return;
	mr_outfile_discard(&o->report);
	mr_outfile_discard(&o->learned);
}

void
mr_observer_free(struct mr_observer *o)
{
	if (o == NULL)
		return;
	if (o->listener >= 0)
		close(o->listener);
	if (o->kmsg >= 0)
		close(o->kmsg);
	if (o->procev >= 0)
		close(o->procev);
	free(o->members);
	free(o->sigsys_deaths);
	free(o->reported);
	mr_outfile_close(&o->report);
	mr_outfile_close(&o->learned);
	free(o->tallies);
	free(o->slots);
	free(o->arches);
	mr_arglearn_free(o->args);
	free(o);
}

/* SPDX-License-Identifier: MIT */
/*
 * --init: a minimal PID 1 of minirun's own, as `docker run --init` puts
 * tini there.  Why it exists:
 *
 *  - The container must not outlive minirun.  PR_SET_PDEATHSIG is the only
 *    link, and the workload can undo it: prctl(PR_SET_PDEATHSIG, 0) is
 *    allowed by Docker's default profile, and the kernel clears it on a
 *    setuid/setgid exec or a credential change.  The init is a process the
 *    workload cannot touch (non-dumpable, no exec, its own credentials), so
 *    its parent-death signal stays; when minirun dies the init dies, and
 *    the death of a PID namespace's init makes the kernel SIGKILL every
 *    process in it (pid_namespaces(7)).
 *  - The kernel ignores, in a PID namespace's init, every signal it has no
 *    handler for, so a command run as PID 1 ignores SIGTERM and SIGINT.
 *    Under --init the command is PID 2 and gets default dispositions.
 *  - Orphans are reparented to PID 1; someone must reap them.
 *
 * The init runs no code of the image and no filter: it is forked before the
 * identity is taken and the seccomp filter installed (a profile that denied
 * wait4 or kill would otherwise break the supervision it is there for).
 */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/init.h"
#include "common/caps.h"

/* Everything but SIGCHLD is forwarded, except what only the kernel sends for a fault. */
static void
init_sigset(sigset_t *set)
{
	static const int own[] = {SIGFPE, SIGILL,  SIGSEGV, SIGBUS,  SIGABRT, SIGTRAP,
				  SIGSYS, SIGTTIN, SIGTTOU, SIGTSTP, SIGKILL, SIGSTOP};
	sigfillset(set);
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		sigdelset(set, own[i]);
}

/*
 * The workload's own permitted set, and CAP_KILL to signal it when it runs
 * as another user.  No less: PTRACE_TRACEME is refused to a process whose
 * parent holds fewer capabilities than it does.
 */
static void
drop_caps(mr_capset keep)
{
	struct mr_error ignored = {0};
	keep |= (mr_capset)1 << CAP_KILL;
	mr_caps_set(keep, keep, 0, &ignored);
}

/* Reap what has ended; returns only while the workload is still running. */
static void
reap(pid_t workload)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
		/*
		 * The workload may ptrace(PTRACE_TRACEME), which makes us its
		 * tracer: never leave it in a ptrace stop (see launch.c).
		 */
		if (WIFSTOPPED(st)) {
			ptrace(PTRACE_DETACH, pid, NULL, (void *)(intptr_t)WSTOPSIG(st));
			continue;
		}
		if (pid != workload)
			continue;
		/*
		 * A signal cannot be re-raised: the kernel ignores it in a
		 * namespace's init.  128+N is what minirun reports for a
		 * signal, so the status is the same as without --init.
		 */
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
}

static _Noreturn void
init_main(pid_t workload, const sigset_t *set, mr_capset keep)
{
	/* Nothing of the caller's and no terminal: only signals and wait. */
	syscall(SYS_close_range, 0U, ~0U, 0U);
	prctl(PR_SET_NAME, "minirun-init", 0, 0, 0);
	drop_caps(keep);
	/*
	 * Our parent is minirun: outlive it by nothing.  Set again after the
	 * last credential change (a change can clear it), and never touched
	 * again: nothing of the workload's runs in this process.
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);

		if (sig == SIGCHLD)
			reap(workload);
		else if (sig > 0)
			kill(workload, sig);
	}
}

int
mr_init_fork(mr_capset keep, struct mr_error *err)
{
	sigset_t set, old;

	/*
	 * Blocked before the fork, so nothing sent in between is lost.  A
	 * SIGCHLD the caller ignored (inherited through exec) would make the
	 * kernel reap the workload without telling us.
	 */
	signal(SIGCHLD, SIG_DFL);
	init_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return mr_error_set(err, e, "--init: fork");
	}
	if (pid > 0)
		init_main(pid, &set, keep);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

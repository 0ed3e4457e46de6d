/* SPDX-License-Identifier: MIT */
/*
 * CVE-2019-5736: a container that gets the kernel to execute the runtime's
 * own binary (directly, as "#!/proc/self/exe", or as the PT_INTERP of an
 * ELF file) gets a handle on the host's executable.  Before execve, minirun
 * works out every file the kernel would load for the command, the way
 * fs/binfmt_script.c and fs/binfmt_elf.c (and compat_binfmt_elf.c for
 * ELFCLASS32) read it, and refuses if one of them is minirun.
 *
 * The ELF reader must see what the kernel sees, not what well-formed files
 * contain: the kernel reads every program header (not a fixed number) of a
 * table of up to 64 KiB, accepts any PT_INTERP of 2 to PATH_MAX bytes ending in NUL (the path is
 * the string up to the first NUL, so padding is allowed), and runs 32-bit
 * binaries on 64-bit machines.  Files in the other byte order are read too:
 * they only run through binfmt_misc, but reading them costs nothing.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/exec-check.h"
#include "common/util.h"

/* fs/binfmt_script.c reads the "#!" line from the first BINPRM_BUF_SIZE bytes. */
#define BINPRM_BUF_SIZE 256
/*
 * Program headers read per pread, into a buffer on the stack: the check
 * runs in the container process before every execve, where a malloc of
 * the whole table grew the heap and gave it back (two brk calls and a page
 * fault per start).  Executables have about a dozen headers; 2 KiB holds
 * 36 of 64-bit ones.
 */
#define PHDR_CHUNK 2048
/* fs/binfmt_elf.c load_elf_phdrs: the largest program header table it reads. */
#define PHDR_TABLE_MAX 65536

struct elf_reader {
	bool is64, big;
};

static uint64_t
get_u(const struct elf_reader *r, const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[r->big ? n - 1 - i : i] << (8 * i);
	return v;
}

static bool
read_exact(int fd, void *buf, size_t len, uint64_t off)
{
	if (off > (uint64_t)INT64_MAX - len)
		return false;
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

static void
shebang_interpreter(unsigned char *head, ssize_t n, char *out, size_t size)
{
	head[n] = '\0';
	char *s = (char *)head + 2;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strcspn(s, " \t\n");
	if (len > 0 && len < size) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
}

/*
 * The real number of program headers: e_phnum, or with PN_XNUM (0xffff)
 * the sh_info of section header 0 (elf(5)).
 */
static bool
elf_phnum(int fd, const struct elf_reader *r, const unsigned char *eh, uint64_t *phnum)
{
	*phnum = get_u(r, eh + (r->is64 ? 56 : 44), 2);
	if (*phnum != PN_XNUM)
		return true;
	uint64_t shoff = get_u(r, eh + (r->is64 ? 40 : 32), r->is64 ? 8 : 4);
	unsigned char sh[sizeof(Elf64_Shdr)];
	size_t shsize = r->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (shoff == 0 || !read_exact(fd, sh, shsize, shoff))
		return false;
	*phnum = get_u(
	    r, sh + (r->is64 ? offsetof(Elf64_Shdr, sh_info) : offsetof(Elf32_Shdr, sh_info)), 4);
	return true;
}

static void
elf_interpreter(int fd, const unsigned char *eh, char *out, size_t size)
{
	struct elf_reader r = {
	    .is64 = eh[EI_CLASS] == ELFCLASS64,
	    .big = eh[EI_DATA] == ELFDATA2MSB,
	};
	const size_t phsize = r.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	uint64_t phoff = get_u(&r, eh + (r.is64 ? 32 : 28), r.is64 ? 8 : 4);
	uint64_t phentsize = get_u(&r, eh + (r.is64 ? 54 : 42), 2);
	uint64_t phnum;

	/* The kernel refuses (ENOEXEC) any other e_phentsize before loading anything. */
	if (phentsize != phsize || !elf_phnum(fd, &r, eh, &phnum))
		return;
	/*
	 * And a table of more than 64 KiB (load_elf_phdrs: e_phnum * e_phentsize
	 * > 65536, which PN_XNUM itself already is): such a file never loads.
	 * Unbounded, a sparse file with PN_XNUM and an sh_info of 2^32-1 kept
	 * minirun reading 240 GB of zeros, as root on the host, before every
	 * start.
	 */
	if (phnum > PHDR_TABLE_MAX / phsize)
		return;
	unsigned char buf[PHDR_CHUNK];
	const uint64_t per_chunk = PHDR_CHUNK / phsize;
	for (uint64_t i = 0; i < phnum; i += per_chunk) {
		uint64_t n = phnum - i < per_chunk ? phnum - i : per_chunk;
		/* A table cut short: the kernel cannot read it either (ENOEXEC/EIO). */
		if (!read_exact(fd, buf, n * phsize, phoff + i * phsize))
			return;
		for (uint64_t j = 0; j < n; j++) {
			const unsigned char *ph = buf + j * phsize;
			if (get_u(&r, ph, 4) != PT_INTERP)
				continue;
			/* The first PT_INTERP is the one the kernel uses, or fails on. */
			uint64_t off = get_u(&r, ph + (r.is64 ? 8 : 4), r.is64 ? 8 : 4);
			uint64_t len = get_u(&r, ph + (r.is64 ? 32 : 16), r.is64 ? 8 : 4);
			if (len < 2 || len > PATH_MAX || len > size)
				return; /* ENOEXEC */
			if (!read_exact(fd, out, len, off) || out[len - 1] != '\0')
				out[0] = '\0'; /* the kernel refuses a path not ending in NUL */
			return;
		}
	}
}

void
mr_exec_interpreter_of(int fd, char *out, size_t size)
{
	unsigned char head[BINPRM_BUF_SIZE + 1];
	ssize_t n = pread(fd, head, BINPRM_BUF_SIZE, 0);

	out[0] = '\0';
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		shebang_interpreter(head, n, out, size);
		return;
	}
	if (n < (ssize_t)sizeof(Elf32_Ehdr))
		return;
	if (memcmp(head, ELFMAG, SELFMAG) != 0)
		return;
	if (head[EI_CLASS] == ELFCLASS64 && n < (ssize_t)sizeof(Elf64_Ehdr))
		return;
	if ((head[EI_CLASS] != ELFCLASS32 && head[EI_CLASS] != ELFCLASS64) ||
	    (head[EI_DATA] != ELFDATA2LSB && head[EI_DATA] != ELFDATA2MSB))
		return;
	elf_interpreter(fd, head, out, size);
}

/*
 * Open PATH for the check.  In the container (rootfd < 0): open(2), as
 * before exec.  In ROOTFS's own tree (rootfd, before clone, on the host): an
 * O_PATH lookup that never leaves the tree, reopened for reading only when
 * it is a regular file, so no device or FIFO of the image is ever opened on
 * the host.  A file that cannot be read is still returned (O_PATH): its
 * identity is what matters.
 */
static int
open_for_check(int rootfd, const char *path)
{
	if (rootfd < 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 && (errno == EACCES || errno == EPERM))
			fd = open(path, O_PATH | O_CLOEXEC);
		return fd;
	}
	struct stat st;
	char proc[64];
	cleanup_close int pfd = mr_open_in_root(rootfd, path, O_PATH, 0);
	if (pfd < 0 || fstat(pfd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode))
		return mr_steal_fd(&pfd);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	int fd = open(proc, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		return mr_steal_fd(&pfd);
	return fd;
}

static bool
is_self(const struct mr_prepared *p, const struct stat *st)
{
	for (int i = 0; i < p->n_self; i++)
		if (st->st_dev == p->self_dev[i] && st->st_ino == p->self_ino[i])
			return true;
	return false;
}

static int
check_chain(const struct mr_prepared *p, const char *target, int rootfd, struct mr_error *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", target);

	/* Followed as deep as the kernel follows scripts (4 levels), plus the ELF interpreter. */
	for (int depth = 0; depth < 6 && path[0] != '\0'; depth++) {
		struct stat st;
		cleanup_close int fd = open_for_check(rootfd, path);
		if (fd < 0) {
			if (depth > 0)
				return 0; /* the kernel will report the missing interpreter */
			int status = errno == ENOENT ? MR_EXIT_NOT_FOUND : MR_EXIT_CANNOT_EXEC;
			return mr_error_set_status(err, status, errno, "exec %s", target);
		}
		if (fstat(fd, &st) < 0)
			return mr_error_set_status(err, MR_EXIT_CANNOT_EXEC, errno, "exec %s",
						   target);
		if (is_self(p, &st))
			return mr_error_set_status(
			    err, MR_EXIT_CANNOT_EXEC, 0,
			    "exec %s: refusing to execute minirun's own binary inside the "
			    "container%s%s (CVE-2019-5736)",
			    target, depth ? " as the interpreter " : "", depth ? path : "");
		if (!S_ISREG(st.st_mode))
			return 0;
		char interp[PATH_MAX];
		mr_exec_interpreter_of(fd, interp, sizeof(interp));
		memcpy(path, interp, strlen(interp) + 1);
	}
	return 0;
}

int
mr_exec_check_target(const struct mr_prepared *p, struct mr_error *err)
{
	return check_chain(p, p->exec_path, -1, err);
}

int
mr_exec_check_path(const struct mr_prepared *p, const char *path, struct mr_error *err)
{
	return check_chain(p, path, -1, err);
}

int
mr_exec_check_image(const struct mr_prepared *p, struct mr_error *err)
{
	return check_chain(p, p->exec_path, p->rootfs_fd, err);
}

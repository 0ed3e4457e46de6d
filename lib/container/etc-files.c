/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/etc-files.h"
#include "container/prepare.h"
#include "container/spec.h"
#include "common/file.h"
#include "common/util.h"

/* The host's files are small; a bigger one is not a resolv.conf or a hosts file. */
#define HOST_FILE_MAX (1024 * 1024)

static const char none_resolv[] =
    "# minirun: --network none: the container has no network, so no name server.\n";

char *
mr_etc_hosts_default(const char *hostname)
{
	char *s = NULL;
	/*
	 * Docker's default entries.  For --network none Docker lists the host
	 * name nowhere (it has no address to give it); minirun puts it on
	 * 127.0.1.1, as Debian does for a machine without a fixed address, so
	 * that a program resolving its own name (Java's getLocalHost, sudo,
	 * many servers at start) works as it does on a bridge network.
	 */
	if (asprintf(&s,
		     "127.0.0.1\tlocalhost\n"
		     "::1\tlocalhost ip6-localhost ip6-loopback\n"
		     "fe00::0\tip6-localnet\n"
		     "ff00::0\tip6-mcastprefix\n"
		     "ff02::1\tip6-allnodes\n"
		     "ff02::2\tip6-allrouters\n"
		     "127.0.1.1\t%s\n",
		     hostname) < 0)
		return NULL;
	return s;
}

/*
 * A host file, read once: symlinks followed (the host's /etc/resolv.conf
 * is often one), but only a regular file is opened.  1 when it is missing.
 */
static int
read_host_file(const char *path, char **out, struct mr_error *err)
{
	struct stat st;
	cleanup_close int fd = mr_open_regular_read(AT_FDCWD, path, 0, &st);
	if (fd == MR_NOT_REGULAR)
		return mr_error_set(err, 0, "--network host: %s is not a regular file", path);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return mr_error_set(err, errno, "--network host: %s", path);
	}
	cleanup_free char *buf = malloc(HOST_FILE_MAX + 1);
	size_t len = 0;
	if (buf == NULL)
		return mr_error_oom(err, path);
	for (;;) {
		ssize_t n = read(fd, buf + len, HOST_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mr_error_set(err, errno, "--network host: read %s", path);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > HOST_FILE_MAX)
			return mr_error_set(err, EFBIG, "--network host: %s", path);
	}
	buf[len] = '\0';
	*out = mr_steal_pointer(&buf);
	return 0;
}

/* A resolv.conf line whose first word is KEY. */
static bool
line_is(const char *line, size_t len, const char *key)
{
	size_t k = strlen(key);
	return len > k && strncmp(line, key, k) == 0 && (line[k] == ' ' || line[k] == '\t');
}

static void
put_words(FILE *f, const char *key, char **words, size_t n)
{
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(words[i], ".") == 0) /* docker's --dns-search .: no search domain */
			continue;
		fprintf(f, "%s%s", any ? " " : key, words[i]);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

/*
 * --dns, --dns-search, --dns-option as docker applies them: each replaces
 * its own lines of the file the container would get (the host's with
 * --network host), the rest is kept.  --dns-search replaces "domain" too:
 * the resolver uses whichever of the two comes last.
 */
static char *
resolv_with_options(const struct mr_spec *spec, const char *base)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	if (f == NULL)
		return NULL;
	for (const char *l = base; *l != '\0';) {
		size_t len = strcspn(l, "\n");
		bool drop = (spec->n_dns > 0 && line_is(l, len, "nameserver")) ||
			    (spec->n_dns_search > 0 &&
			     (line_is(l, len, "search") || line_is(l, len, "domain"))) ||
			    (spec->n_dns_options > 0 && line_is(l, len, "options"));
		if (!drop)
			fprintf(f, "%.*s\n", (int)len, l);
		l += len + (l[len] == '\n');
	}
	for (size_t i = 0; i < spec->n_dns; i++)
		fprintf(f, "nameserver %s\n", spec->dns[i]);
	put_words(f, "search ", spec->dns_search, spec->n_dns_search);
	put_words(f, "options ", spec->dns_options, spec->n_dns_options);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Docker appends --add-host lines to its default /etc/hosts, or to the host's. */
static int
etc_files_edit(const struct mr_spec *spec, struct mr_etc_files *out)
{
	if (spec->n_dns + spec->n_dns_search + spec->n_dns_options > 0) {
		/* With a name server given, --network none's explanation is wrong. */
		const char *base = out->resolv;
		if (spec->network != MR_NETWORK_HOST && spec->n_dns > 0)
			base = "";
		char *r = resolv_with_options(spec, base);
		if (r == NULL)
			return -1;
		free(out->resolv);
		out->resolv = r;
	}
	for (size_t i = 0; i < spec->n_add_hosts; i++) {
		char *h = NULL;
		size_t len = strlen(out->hosts);
		if (asprintf(&h, "%s%s%s\n", out->hosts,
			     len > 0 && out->hosts[len - 1] != '\n' ? "\n" : "",
			     spec->add_hosts[i]) < 0)
			return -1;
		free(out->hosts);
		out->hosts = h;
	}
	return 0;
}

int
mr_etc_files_prepare(const struct mr_spec *spec, const char *hostname, struct mr_etc_files *out,
		     struct mr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (asprintf(&out->hostname, "%s\n", hostname) < 0) {
		out->hostname = NULL;
		return mr_error_oom(err, "/etc/hostname");
	}
	if (spec->network == MR_NETWORK_HOST) {
		/*
		 * The host's own files, as Docker copies them for --network
		 * host.  A loopback name server (systemd-resolved's 127.0.0.53)
		 * is kept: the container shares the host's network namespace, so
		 * it reaches it.  Docker swaps in
		 * /run/systemd/resolve/resolv.conf only for containers with a
		 * network namespace of their own, where 127.0.0.53 is nobody.
		 */
		if (read_host_file("/etc/hosts", &out->hosts, err) < 0 ||
		    read_host_file("/etc/resolv.conf", &out->resolv, err) < 0) {
			mr_etc_files_clear(out);
			return -1;
		}
	}
	if ((out->hosts == NULL && (out->hosts = mr_etc_hosts_default(hostname)) == NULL) ||
	    (out->resolv == NULL && (out->resolv = strdup(none_resolv)) == NULL) ||
	    etc_files_edit(spec, out) < 0) {
		mr_etc_files_clear(out);
		return mr_error_oom(err, "/etc/hosts");
	}
	return 0;
}

void
mr_etc_files_clear(struct mr_etc_files *f)
{
	free(f->hostname);
	free(f->hosts);
	free(f->resolv);
	memset(f, 0, sizeof(*f));
}

/* --- the container process -------------------------------------------------- */

struct etc_file {
	const char *name; /* in /etc */
	const char *text;
};

static void
etc_files_list(const struct mr_prepared *p, struct etc_file out[3])
{
	out[0] = (struct etc_file){"hostname", p->etc_files.hostname};
	out[1] = (struct etc_file){"hosts", p->etc_files.hosts};
	out[2] = (struct etc_file){"resolv.conf", p->etc_files.resolv};
}

/* A -v, --mount or --tmpfs on /etc/NAME replaces minirun's file (Docker's rule). */
static bool
volume_on(const struct mr_spec *spec, const char *name)
{
	for (size_t i = 0; i < spec->n_volumes; i++) {
		const char *t = spec->volumes[i].target;
		if (strncmp(t, "/etc/", 5) == 0 && strcmp(t + 5, name) == 0)
			return true;
	}
	return false;
}

static bool
forbidden_fs(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return true;
	return sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC ||
	       sf.f_type == CGROUP_SUPER_MAGIC || sf.f_type == CGROUP2_SUPER_MAGIC;
}

static int
refuse(const char *name, struct mr_error *err)
{
	return mr_error_set(err, 0,
			    "/etc/%s in the image is not a regular file of the image (it "
			    "resolves into /proc, /sys, a device or a directory: a symlink "
			    "in the image?); refusing to mount over it",
			    name);
}

/*
 * /etc/NAME as the container resolves it (the image's symlinks followed,
 * but never out of the root), created empty if missing -- in the overlay's
 * upper layer, or in ROOTFS with --rootfs (a mount point, as podman makes
 * them; the text never goes there).  With --read-only the root is a
 * read-only bind of ROOTFS itself: nothing can be created and nothing may
 * be written into the image, so a missing file is left out (0, *fd -1).  What it resolves
 * to must be a regular file, and not in procfs, sysfs or a cgroup
 * filesystem: an image whose /etc is a symlink to /proc/sys/kernel must not
 * get the host's kernel.hostname -- or anything else -- mounted over.
 */
static int
open_target(const struct mr_prepared *p, int rootfd, const char *name, int *out,
	    struct mr_error *err)
{
	char rel[32];
	*out = -1;
	snprintf(rel, sizeof(rel), "etc/%s", name);
	int fd = mr_open_in_root(rootfd, rel, O_PATH, RESOLVE_NO_MAGICLINKS);
	if (fd < 0 && errno == ENOENT && p->spec->read_only)
		return 0;
	if (fd < 0 && errno == ENOENT) {
		/*
		 * Missing (or a dangling symlink, followed in the root): create
		 * it, read-only and non-blocking in case something else appears
		 * there first.  A missing /etc is made a directory.
		 */
		struct open_how how = {
		    .flags = O_RDONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		    .mode = 0644,
		    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		fd = mr_openat2(rootfd, rel, &how);
		if (fd < 0 && errno == ENOENT && mkdirat(rootfd, "etc", 0755) == 0)
			fd = mr_openat2(rootfd, rel, &how);
		/*
		 * A root the container cannot write (rootless on a ROOTFS it
		 * does not own, a read-only submount): left out, as with
		 * --read-only -- unless /etc resolves into a kernel filesystem,
		 * which is refused as loudly as an existing file there.
		 */
		if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
			int saved = errno;
			cleanup_close int etc = mr_open_in_root(rootfd, "etc", O_PATH | O_DIRECTORY,
								RESOLVE_NO_MAGICLINKS);
			if (etc >= 0 && !forbidden_fs(etc))
				return 0;
			errno = saved;
			if (etc >= 0)
				return refuse(name, err);
		}
	}
	if (fd < 0)
		return mr_error_set(err, errno, "/etc/%s in the container", name);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || forbidden_fs(fd)) {
		close(fd);
		return refuse(name, err);
	}
	*out = fd;
	return 0;
}

static int
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int
mr_etc_files_build(const struct mr_prepared *p, struct mr_error *err)
{
	struct etc_file files[3];

	/*
	 * Its own tmpfs, shared with no other file the container reaches:
	 * through a bind of one, open_by_handle_at (CAP_DAC_READ_SEARCH)
	 * decodes handles of any file on its filesystem; 4 MiB and 16 inodes
	 * bound what the container can write into the files.
	 */
	cleanup_close int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "4m", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "nr_inodes", "16", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return mr_error_set(err, errno, "/etc files: tmpfs");
	/* The binds are clones of this mount: they take its flags. */
	cleanup_close int mnt = fsmount(fsfd, FSMOUNT_CLOEXEC,
					MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return mr_error_set(err, errno, "/etc files: tmpfs: fsmount");
	etc_files_list(p, files);
	/* 0644 whatever the caller's umask (minirun has no other thread to share it). */
	cleanup_umask mode_t umask_was = umask(0);
	for (size_t i = 0; i < MR_ARRAY_SIZE(files); i++) {
		if (volume_on(p->spec, files[i].name))
			continue;
		cleanup_close int fd = openat(
		    mnt, files[i].name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 || write_all(fd, files[i].text, strlen(files[i].text)) < 0)
			return mr_error_set(err, errno, "/etc/%s: write", files[i].name);
	}
	/* Docker: writable, except with --read-only (moby NetworkMounts). */
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	if (p->spec->read_only &&
	    syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return mr_error_set(err, errno, "/etc files: read-only");
	return mr_steal_fd(&mnt);
}

int
mr_etc_files_attach(const struct mr_prepared *p, int rootfd, int at, int files_mnt,
		    struct mr_error *err)
{
	struct etc_file files[3];
	cleanup_close int mnt = files_mnt;

	/* Attached first: before 6.15 open_tree clones only from a mount in our namespace. */
	if (move_mount(mnt, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mr_error_set(err, errno, "/etc files: attach their tmpfs");
	etc_files_list(p, files);
	for (size_t i = 0; i < MR_ARRAY_SIZE(files); i++) {
		if (volume_on(p->spec, files[i].name))
			continue;
		cleanup_close int target = -1;
		if (open_target(p, rootfd, files[i].name, &target, err) < 0)
			return -1;
		if (target < 0)
			continue; /* --read-only, and the image has no such file */
		cleanup_close int tree = (int)syscall(SYS_open_tree, mnt, files[i].name,
						      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
							  AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT);
		if (tree < 0)
			return mr_error_set(err, errno, "/etc/%s: bind", files[i].name);
		if (move_mount(tree, "", target, "",
			       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return mr_error_set(err, errno, "/etc/%s: mount", files[i].name);
	}
	return 0;
}

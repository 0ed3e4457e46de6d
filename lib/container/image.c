/* SPDX-License-Identifier: MIT */
/*
 * ROOTFS as an image (see image.h): tell what ROOTFS is, find or make its
 * unpacked copy in the cache, and merge its config into the spec.  Every
 * byte of an image is the image's to choose; unpack.c makes the files, this
 * file only reads JSON and blobs, by name beneath the image's own
 * directory (openat2 RESOLVE_BENEATH), bounded in size and checked against
 * their digests.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "container/image.h"
#include "container/unpack.h"
#include "common/file.h"
#include "common/util.h"
#include "seccomp/sha256.h"

/* JSON documents of an image (index, manifest, config) are small. */
#define MAX_JSON	(4u << 20)
#define MAX_LAYERS	256
#define MAX_INDEX_DEPTH 4
#define IN_DIR		(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

#if defined(__x86_64__)
#define NATIVE_ARCH "amd64"
#elif defined(__aarch64__)
#define NATIVE_ARCH "arm64"
#elif defined(__i386__)
#define NATIVE_ARCH "386"
#elif defined(__arm__)
#define NATIVE_ARCH "arm"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ARCH "ppc64le"
#elif defined(__s390x__)
#define NATIVE_ARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH "riscv64"
#else
#define NATIVE_ARCH "unknown"
#endif

/* jansson's own json_decrefp (json_auto_t), as an attribute. */
#define cleanup_json __attribute__((cleanup(json_decrefp)))

/* "512m", "8g", "1048576": bytes. */
static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0' && !((end[1] == 'b' || end[1] == 'B') && end[2] == '\0'))
		return -1;
	if (v > (UINT64_MAX >> shift) || v == 0)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int
mr_image_options_default(struct mr_image_options *o, struct mr_error *err)
{
	const char *env;

	memset(o, 0, sizeof(*o));
	o->max_bytes = MR_UNPACK_MAX_BYTES;
	o->max_entries = MR_UNPACK_MAX_ENTRIES;
	if ((env = getenv("MINIRUN_IMAGE_MAX_BYTES")) != NULL && parse_size(env, &o->max_bytes) < 0)
		return mr_error_set(err, 0, "MINIRUN_IMAGE_MAX_BYTES=%s: not a size (512m, 8g)",
				    env);
	if ((env = getenv("MINIRUN_IMAGE_MAX_ENTRIES")) != NULL &&
	    parse_size(env, &o->max_entries) < 0)
		return mr_error_set(err, 0, "MINIRUN_IMAGE_MAX_ENTRIES=%s: not a number", env);

	int r;
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if ((env = getenv("MINIRUN_CACHE_DIR")) != NULL && env[0] != '\0')
		r = asprintf(&o->cache_dir, "%s", env);
	else if (geteuid() == 0)
		r = asprintf(&o->cache_dir, "/var/cache/minirun");
	else if (xdg != NULL && xdg[0] == '/') /* the XDG spec: relative paths are ignored */
		r = asprintf(&o->cache_dir, "%s/minirun", xdg);
	else if (home != NULL && home[0] == '/')
		r = asprintf(&o->cache_dir, "%s/.cache/minirun", home);
	else
		return 0; /* no cache: an error only if an image is used */
	if (r < 0) {
		o->cache_dir = NULL;
		return mr_error_oom(err, "image cache");
	}
	return 0;
}

void
mr_image_options_clear(struct mr_image_options *o)
{
	free(o->cache_dir);
	memset(o, 0, sizeof(*o));
}

static void
to_hex(const uint8_t d[32], char hex[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static bool
is_hex64(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n == 64 && s[64] == '\0';
}

/* "sha256:<64 lowercase hex>" -> the hex; anything else is refused. */
static const char *
digest_hex(const char *digest)
{
	if (digest == NULL || strncmp(digest, "sha256:", 7) != 0 || !is_hex64(digest + 7))
		return NULL;
	return digest + 7;
}

static int
hash_rest(int fd, struct mr_sha256 *s)
{
	static char buf[1 << 20];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		mr_sha256_update(s, buf, (size_t)n);
	}
}

/*
 * A small file (JSON) beneath dirfd, read whole.  With want_hex, its
 * SHA-256 must be that (a blob named by its digest).
 */
static int
read_small(int dirfd, const char *path, const char *want_hex, const char *what, char **out,
	   size_t *len, struct mr_error *err)
{
	struct stat st;
	cleanup_close int fd = mr_open_regular_read(dirfd, path, IN_DIR, &st);
	if (fd == MR_NOT_REGULAR)
		return mr_error_set(err, 0, "%s: %s is not a regular file", what, path);
	if (fd < 0)
		return mr_error_set(err, errno, "%s: %s", what, path);
	if (st.st_size > (off_t)MAX_JSON)
		return mr_error_set(err, 0, "%s: %s: larger than %u bytes", what, path, MAX_JSON);
	cleanup_free char *buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		return mr_error_oom(err, what);
	size_t n = 0;
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return mr_error_set(err, errno, "%s: %s", what, path);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (want_hex != NULL) {
		uint8_t d[32];
		char hex[65];
		mr_sha256(buf, n, d);
		to_hex(d, hex);
		if (strcmp(hex, want_hex) != 0)
			return mr_error_set(err, 0, "%s: %s: content does not match its digest",
					    what, path);
	}
	*out = mr_steal_pointer(&buf);
	*len = n;
	return 0;
}

static int
load_json(int dirfd, const char *path, const char *want_hex, const char *what, json_t **out,
	  struct mr_error *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	json_error_t jerr;

	if (read_small(dirfd, path, want_hex, what, &text, &len, err) < 0)
		return -1;
	*out = json_loadb(text, len, 0, &jerr);
	if (*out == NULL)
		return mr_error_set(err, 0, "%s: %s: line %d: %s", what, path, jerr.line,
				    jerr.text);
	return 0;
}

/* One layer (or the whole archive) into u, its bytes checked against want_hex if given. */
static int
unpack_blob(struct mr_unpack *u, int dirfd, const char *path, const char *want_hex,
	    const char *what, struct mr_error *err)
{
	struct mr_sha256 s;
	uint8_t d[32];
	char hex[65];

	cleanup_close int fd = mr_open_regular_read(dirfd, path, IN_DIR, NULL);
	if (fd == MR_NOT_REGULAR)
		return mr_error_set(err, 0, "%s: %s is not a regular file", what, path);
	if (fd < 0)
		return mr_error_set(err, errno, "%s: %s", what, path);
	mr_sha256_init(&s);
	if (mr_unpack_fd(u, fd, what, &s, err) < 0)
		return -1;
	mr_sha256_final(&s, d);
	to_hex(d, hex);
	if (want_hex != NULL && strcmp(hex, want_hex) != 0)
		return mr_error_set(err, 0, "%s: %s: content does not match its digest", what,
				    path);
	return 0;
}

/* --- OCI image layout --- */

static bool
platform_matches(json_t *desc)
{
	json_t *p = json_object_get(desc, "platform");
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));
	return os && arch && strcmp(os, "linux") == 0 && strcmp(arch, NATIVE_ARCH) == 0;
}

/*
 * index.json -> the digest (hex) of the image manifest to run: the only
 * one, or the one for linux/<this architecture>, through nested indexes.
 */
static int
oci_pick_manifest(int layout_fd, const char *what, char hex[65], struct mr_error *err)
{
	cleanup_json json_t *index = NULL;
	char path[128];

	if (load_json(layout_fd, "index.json", NULL, what, &index, err) < 0)
		return -1;
	for (int depth = 0; depth < MAX_INDEX_DEPTH; depth++) {
		json_t *manifests = json_object_get(index, "manifests");
		size_t n = json_array_size(manifests);
		json_t *chosen = NULL;
		if (n == 0)
			return mr_error_set(err, 0, "%s: the index lists no manifest", what);
		if (n == 1) {
			chosen = json_array_get(manifests, 0);
		} else {
			size_t i;
			json_t *m;
			json_array_foreach(manifests, i, m) if (platform_matches(m))
			{
				chosen = m;
				break;
			}
			if (chosen == NULL)
				return mr_error_set(err, 0,
						    "%s: none of the index's %zu manifests is for "
						    "linux/%s",
						    what, n, NATIVE_ARCH);
		}
		const char *h = digest_hex(json_string_value(json_object_get(chosen, "digest")));
		if (h == NULL)
			return mr_error_set(err, 0, "%s: a manifest digest is not sha256:<hex>",
					    what);
		const char *mt = json_string_value(json_object_get(chosen, "mediaType"));
		if (mt == NULL || strstr(mt, "index") == NULL) {
			snprintf(hex, 65, "%s", h);
			return 0;
		}
		/* A nested index (a multi-platform image): look inside. */
		snprintf(path, sizeof(path), "blobs/sha256/%s", h);
		json_t *next = NULL;
		if (load_json(layout_fd, path, h, what, &next, err) < 0)
			return -1;
		json_decref(index);
		index = next;
	}
	return mr_error_set(err, 0, "%s: indexes nested too deep", what);
}

/* The layers of manifest <hex> into u; its config's text into *config. */
static int
oci_apply(struct mr_unpack *u, int layout_fd, const char *manifest_hex, const char *what,
	  char **config, size_t *config_len, struct mr_error *err)
{
	cleanup_json json_t *manifest = NULL;
	char path[128], lwhat[PATH_MAX + 64];

	snprintf(path, sizeof(path), "blobs/sha256/%s", manifest_hex);
	if (load_json(layout_fd, path, manifest_hex, what, &manifest, err) < 0)
		return -1;
	const char *ch = digest_hex(
	    json_string_value(json_object_get(json_object_get(manifest, "config"), "digest")));
	json_t *layers = json_object_get(manifest, "layers");
	if (ch == NULL || !json_is_array(layers))
		return mr_error_set(err, 0,
				    "%s: manifest %s: no config or layers (not an image manifest)",
				    what, manifest_hex);
	snprintf(path, sizeof(path), "blobs/sha256/%s", ch);
	if (read_small(layout_fd, path, ch, what, config, config_len, err) < 0)
		return -1;
	size_t n = json_array_size(layers);
	if (n > MAX_LAYERS)
		return mr_error_set(err, 0, "%s: %zu layers (at most %d)", what, n, MAX_LAYERS);
	for (size_t i = 0; i < n; i++) {
		const char *lh = digest_hex(
		    json_string_value(json_object_get(json_array_get(layers, i), "digest")));
		if (lh == NULL)
			return mr_error_set(err, 0, "%s: layer %zu: digest is not sha256:<hex>",
					    what, i + 1);
		snprintf(path, sizeof(path), "blobs/sha256/%s", lh);
		snprintf(lwhat, sizeof(lwhat), "%s: layer %zu/%zu", what, i + 1, n);
		if (unpack_blob(u, layout_fd, path, lh, lwhat, err) < 0)
			return -1;
	}
	return 0;
}

/* --- docker save / podman save (docker-archive) --- */

/* "blobs/sha256/<hex>" (Docker 25+) or "<hex>.json" (older configs): the digest to check. */
static const char *
hex_in_name(const char *path, char buf[65])
{
	if (strncmp(path, "blobs/sha256/", 13) == 0 && is_hex64(path + 13))
		return path + 13;
	if (strlen(path) == 69 && strcmp(path + 64, ".json") == 0) {
		snprintf(buf, 65, "%.64s", path);
		if (is_hex64(buf))
			return buf;
	}
	return NULL;
}

static int
docker_apply(struct mr_unpack *u, int dir_fd, const char *what, char **config, size_t *config_len,
	     struct mr_error *err)
{
	cleanup_json json_t *manifest = NULL;
	char hexbuf[65], lwhat[PATH_MAX + 64];

	if (load_json(dir_fd, "manifest.json", NULL, what, &manifest, err) < 0)
		return -1;
	if (!json_is_array(manifest) || json_array_size(manifest) == 0)
		return mr_error_set(err, 0, "%s: manifest.json lists no image", what);
	if (json_array_size(manifest) > 1)
		return mr_error_set(err, 0,
				    "%s: the archive holds %zu images; save one image per "
				    "archive to run it",
				    what, json_array_size(manifest));
	json_t *img = json_array_get(manifest, 0);
	const char *cfg = json_string_value(json_object_get(img, "Config"));
	json_t *layers = json_object_get(img, "Layers");
	if (cfg == NULL || !json_is_array(layers))
		return mr_error_set(err, 0, "%s: manifest.json: no Config or Layers", what);
	if (read_small(dir_fd, cfg, hex_in_name(cfg, hexbuf), what, config, config_len, err) < 0)
		return -1;
	size_t n = json_array_size(layers);
	if (n > MAX_LAYERS)
		return mr_error_set(err, 0, "%s: %zu layers (at most %d)", what, n, MAX_LAYERS);
	for (size_t i = 0; i < n; i++) {
		const char *lp = json_string_value(json_array_get(layers, i));
		if (lp == NULL)
			return mr_error_set(err, 0, "%s: manifest.json: layer %zu is not a path",
					    what, i + 1);
		snprintf(lwhat, sizeof(lwhat), "%s: layer %zu/%zu", what, i + 1, n);
		const char *h =
		    strncmp(lp, "blobs/sha256/", 13) == 0 && is_hex64(lp + 13) ? lp + 13 : NULL;
		if (unpack_blob(u, dir_fd, lp, h, lwhat, err) < 0)
			return -1;
	}
	return 0;
}

/* --- the cache --- */

/* mkdir -p, new directories private to the caller. */
static int
mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = c;
		if (c == '\0')
			return 0;
	}
}

/*
 * IMAGES, opened, and its absolute path.  It must be the caller's own and
 * writable by no one else: whoever can write there decides what runs.
 */
static int
open_images_dir(const struct mr_image_options *o, int *fd_out, char **path_out,
		struct mr_error *err)
{
	char images[PATH_MAX], link[64], real[PATH_MAX];
	struct stat st;

	if (o->cache_dir == NULL)
		return mr_error_set(err, 0,
				    "image cache: no directory for it (set HOME, XDG_CACHE_HOME "
				    "or MINIRUN_CACHE_DIR)");
	snprintf(images, sizeof(images), "%s/images", o->cache_dir);
	if (mkdir_p(images) < 0)
		return mr_error_set(err, errno, "image cache %s", images);
	cleanup_close int fd = open(images, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return mr_error_set(err, errno, "image cache %s", images);
	/* Unpacked as root, images hold setuid files and device nodes: nobody
	   else may even look into the cache, not only not write it. */
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		return mr_error_set(err, 0,
				    "image cache %s: owned by uid %u or open to others (mode "
				    "%04o); it must be yours alone (chmod 700)",
				    images, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, sizeof(real) - 1);
	if (n <= 0)
		return mr_error_set(err, errno, "image cache %s", images);
	real[n] = '\0';
	*path_out = strdup(real);
	if (*path_out == NULL)
		return mr_error_oom(err, "image cache");
	*fd_out = mr_steal_fd(&fd);
	return 0;
}

static int
write_all(int fd, const char *data, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static int
write_file_at(int dirfd, const char *name, const char *data, size_t len)
{
	cleanup_close int fd =
	    openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	return write_all(fd, data, len);
}

/*
 * --- the index: which key an archive file has, without reading it ---
 *
 * Hashing the archive on every start costs what sha256sum costs (6 ms for
 * a 1.4 MB .tar.gz, seconds for a large image), more than all the rest of
 * a start.  So, as git's index does for the work tree, IMAGES/index keeps
 * one file per archive hashed, named <st_dev>-<st_ino>, holding its
 * (st_dev, st_ino, st_size, st_mtim, st_ctim) when it was hashed and the
 * key; a start that finds all five unchanged takes the key from there and
 * does not read the archive.
 *
 * What makes that safe against whoever owns the archive is ctime: no
 * system call sets it (utimensat sets atime and mtime, and ctime to now),
 * and every write, truncate, chmod, chown, link or rename of the inode
 * moves it to now.  An archive rewritten in place, even to the same size
 * with its mtime put back, or a new file given a freed inode number, has a
 * ctime that no entry holds: it is hashed again and gets an entry of its
 * own, and the tree made from the old bytes is never used for the new
 * ones.  Two limits, both kept out:
 *
 *  - "now" is a coarse clock, truncated to the filesystem's granularity (a
 *    second, or two, on some), so a file changed again within that tick
 *    keeps the ctime seen.  An entry is made only for a file whose ctime
 *    is INDEX_SETTLE seconds older than the clock read before the file was
 *    looked at: any later change then gets a later ctime.  (git's "racily
 *    clean" files, settled the other way: a file that young is hashed on
 *    each start until it is old enough to be indexed.)
 *  - Only a local filesystem's kernel code sets ctime.  A FUSE daemon or a
 *    file server answers stat with whatever it likes, so on those (anything
 *    not in kernel_sets_ctime) the index is neither read nor written, and
 *    the archive is hashed on every start as before.
 *
 * The index is the caller's, like IMAGES (checked, mode 0700); an entry
 * that does not read back exactly as it was written is ignored (and the
 * archive hashed).  An OCI layout directory needs none of this: its key is
 * the digest of its manifest, read small from index.json.
 */
#define INDEX_SETTLE 2 /* seconds: more than any local filesystem's timestamp granularity */

static bool
kernel_sets_ctime(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return false;
	switch ((uint32_t)sf.f_type) {
	case EXT4_SUPER_MAGIC: /* also ext2 and ext3 */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
	case F2FS_SUPER_MAGIC:
	/* Mounted by root, its files' times are those of the layers' kernel filesystems. */
	case OVERLAYFS_SUPER_MAGIC:
	case 0x2fc12fc1: /* ZFS */
		return true;
	default:
		return false;
	}
}

static void
index_name(const struct stat *st, char name[64])
{
	snprintf(name, 64, "%ju-%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
}

/* An entry's text up to the key: the same five numbers always print the same. */
static int
index_prefix(const struct stat *st, char *buf, size_t len)
{
	return snprintf(buf, len, "minirun-index-1 %ju %ju %jd %jd.%09ld %jd.%09ld ",
			(uintmax_t)st->st_dev, (uintmax_t)st->st_ino, (intmax_t)st->st_size,
			(intmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
			(intmax_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* IMAGES/index, made if missing; the caller's alone, as IMAGES is. */
static int
open_index_dir(int images_fd, const char *images_path, int *fd_out, struct mr_error *err)
{
	struct stat st;

	if (mkdirat(images_fd, "index", 0700) < 0 && errno != EEXIST)
		return mr_error_set(err, errno, "image cache %s/index", images_path);
	cleanup_close int fd =
	    openat(images_fd, "index", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return mr_error_set(err, errno, "image cache %s/index", images_path);
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		return mr_error_set(err, 0,
				    "image cache %s/index: owned by uid %u or open to others; it "
				    "must be yours alone (mode 0700)",
				    images_path, (unsigned)st.st_uid);
	*fd_out = mr_steal_fd(&fd);
	return 0;
}

/* The key of the archive st describes, if the index has it (key[] is set then). */
static bool
index_lookup(int index_fd, const struct stat *st, char key[80])
{
	char name[64], want[192], text[256];
	struct stat est;

	index_name(st, name);
	cleanup_close int fd = mr_open_regular_read(index_fd, name, IN_DIR, &est);
	if (fd < 0 || est.st_uid != geteuid() || est.st_size >= (off_t)sizeof(text))
		return false;
	ssize_t n;
	do
		n = read(fd, text, sizeof(text) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0 || n != est.st_size)
		return false;
	text[n] = '\0';
	/* "<the prefix of these five numbers>sha256-<64 hex>\n", nothing else. */
	int p = index_prefix(st, want, sizeof(want));
	if (p <= 0 || (size_t)p >= sizeof(want) || strncmp(text, want, (size_t)p) != 0)
		return false;
	const char *k = text + p;
	if (strncmp(k, "sha256-", 7) != 0 || strspn(k + 7, "0123456789abcdef") != 64 ||
	    strcmp(k + 71, "\n") != 0)
		return false;
	snprintf(key, 80, "%.71s", k);
	return true;
}

/*
 * Record key for the archive st describes.  Best effort: without an entry
 * the next start hashes again, nothing worse.  Written whole to a
 * temporary file, then renamed over the old entry, so a reader sees the old
 * entry or the new one; one cut short by a crash does not parse.
 */
static void
index_record(int index_fd, const struct stat *st, const char *key)
{
	char name[64], line[256], tmp[PATH_MAX];

	index_name(st, name);
	int n = index_prefix(st, line, sizeof(line));
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s\n", key);
	if ((size_t)n >= sizeof(line))
		return;
	/* mkostemp wants a path: the index by its /proc/self/fd name, no name looked up again. */
	snprintf(tmp, sizeof(tmp), "/proc/self/fd/%d/.tmp-%s-XXXXXX", index_fd, name);
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return;
	const char *base = strrchr(tmp, '/') + 1;
	if (write_all(fd, line, (size_t)n) < 0 || renameat(index_fd, base, index_fd, name) < 0)
		(void)unlinkat(index_fd, base, 0);
}

/* Unchanged between two fstat()s, as far as the index can tell. */
static bool
same_identity(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static bool
exists_at(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

/* What to build, and from what. */
struct build {
	enum mr_image_kind kind;
	const char *what; /* "image PATH" */
	int src_fd;	  /* the archive (regular file) or the layout directory */
	const char *manifest_hex;
	const char *key;
	const struct mr_image_options *opts;
	uint64_t skipped_devices;
	uint64_t skipped_xattrs;
};

static void
unpack_setup(struct mr_unpack *u, int root_fd, bool layers, const struct mr_image_options *o)
{
	mr_unpack_init(u, root_fd, layers);
	u->max_bytes = o->max_bytes;
	u->max_entries = o->max_entries;
}

/* The image's layers into tmp/rootfs, its config into tmp/config.json. */
static int
build_layers(struct build *b, int tmp_fd, int src_dir_fd, bool oci, const char *manifest_hex,
	     struct mr_error *err)
{
	struct mr_unpack u;
	cleanup_free char *config = NULL;
	size_t config_len = 0;
	char hex[65];

	if (mkdirat(tmp_fd, "rootfs", 0755) < 0)
		return mr_error_set(err, errno, "%s: mkdir rootfs", b->what);
	cleanup_close int root_fd =
	    openat(tmp_fd, "rootfs", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root_fd < 0)
		return mr_error_set(err, errno, "%s: rootfs", b->what);
	if (oci && manifest_hex == NULL) {
		if (oci_pick_manifest(src_dir_fd, b->what, hex, err) < 0)
			return -1;
		manifest_hex = hex;
	}
	unpack_setup(&u, root_fd, true, b->opts);
	int ret = oci ? oci_apply(&u, src_dir_fd, manifest_hex, b->what, &config, &config_len, err)
		      : docker_apply(&u, src_dir_fd, b->what, &config, &config_len, err);
	if (ret == 0)
		ret = mr_unpack_finish(&u, err);
	b->skipped_devices += u.skipped_devices;
	b->skipped_xattrs += u.skipped_xattrs;
	mr_unpack_clear(&u);
	if (ret < 0)
		return -1;
	/* Checked now, not at the next start: a bad config is a bad image. */
	struct mr_image_config c;
	if (mr_image_config_parse(config, config_len, b->what, &c, err) < 0)
		return -1;
	mr_image_config_clear(&c);
	if (write_file_at(tmp_fd, "config.json", config, config_len) < 0)
		return mr_error_set(err, errno, "%s: config.json", b->what);
	return 0;
}

/* A tar archive: unpacked whole, then either it is the root filesystem or it holds an image. */
static int
build_archive(struct build *b, int tmp_fd, struct mr_error *err)
{
	struct mr_unpack u;
	struct mr_sha256 s;
	uint8_t d[32];
	char hex[65];

	if (mkdirat(tmp_fd, "archive", 0755) < 0)
		return mr_error_set(err, errno, "%s: mkdir", b->what);
	cleanup_close int arch_fd =
	    openat(tmp_fd, "archive", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (arch_fd < 0 || lseek(b->src_fd, 0, SEEK_SET) < 0)
		return mr_error_set(err, errno, "%s", b->what);
	unpack_setup(&u, arch_fd, false, b->opts);
	mr_sha256_init(&s);
	int ret = mr_unpack_fd(&u, b->src_fd, b->what, &s, err);
	if (ret == MR_UNPACK_NOT_TAR)
		/* Most likely a wrong ROOTFS rather than a bad image: say both. */
		mr_error_set(
		    err, 0,
		    "rootfs %s: not a directory, and not a tar archive (plain, gzip, bzip2, "
		    "xz or zstd)",
		    b->what + 6);
	if (ret == 0)
		ret = mr_unpack_finish(&u, err);
	b->skipped_devices += u.skipped_devices;
	b->skipped_xattrs += u.skipped_xattrs;
	mr_unpack_clear(&u);
	if (ret < 0)
		return -1;
	/* The bytes unpacked are the bytes the key was made of. */
	mr_sha256_final(&s, d);
	to_hex(d, hex);
	if (strcmp(b->key + 7, hex) != 0)
		return mr_error_set(err, 0, "%s: changed while it was being read", b->what);

	bool docker = exists_at(arch_fd, "manifest.json");
	bool oci = exists_at(arch_fd, "oci-layout") && exists_at(arch_fd, "index.json");
	if (!docker && !oci) {
		b->kind = MR_IMAGE_TARBALL;
		if (renameat(tmp_fd, "archive", tmp_fd, "rootfs") < 0)
			return mr_error_set(err, errno, "%s: rename", b->what);
		return 0;
	}
	b->kind = MR_IMAGE_ARCHIVE;
	/* manifest.json first: Docker 25+ writes both, and it names the image saved. */
	if (build_layers(b, tmp_fd, arch_fd, !docker, NULL, err) < 0)
		return -1;
	if (mr_rm_rf_at(tmp_fd, "archive") < 0)
		return mr_error_set(err, errno, "%s: remove the unpacked archive", b->what);
	return 0;
}

/* Make IMAGES/<key> unless it is there; *cached says which. */
static int
ensure_cached(struct build *b, int images_fd, bool *cached, struct mr_error *err)
{
	char tmp[128];

	*cached = false;
	cleanup_close int have =
	    openat(images_fd, b->key, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (have >= 0) {
		cleanup_close int r =
		    openat(have, "rootfs", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (r >= 0) {
			*cached = true;
			return 0;
		}
	}

	snprintf(tmp, sizeof(tmp), ".tmp-%s-XXXXXX", b->key);
	/* mkdtemp wants a path: IMAGES by its /proc/self/fd name, no name looked up again. */
	char full[PATH_MAX];
	snprintf(full, sizeof(full), "/proc/self/fd/%d/%s", images_fd, tmp);
	if (mkdtemp(full) == NULL)
		return mr_error_set(err, errno, "image cache: temporary directory");
	snprintf(tmp, sizeof(tmp), "%s", strrchr(full, '/') + 1);
	int ret;
	{
		cleanup_close int tmp_fd =
		    openat(images_fd, tmp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (tmp_fd < 0)
			ret = mr_error_set(err, errno, "image cache: %s", tmp);
		else if (b->kind == MR_IMAGE_OCI_LAYOUT)
			ret = build_layers(b, tmp_fd, b->src_fd, true, b->manifest_hex, err);
		else
			ret = build_archive(b, tmp_fd, err);
	}
	if (ret == 0 && renameat(images_fd, tmp, images_fd, b->key) < 0) {
		/* Another minirun unpacked the same image meanwhile: use its copy. */
		if (errno != EEXIST && errno != ENOTEMPTY)
			ret = mr_error_set(err, errno, "image cache: rename %s", tmp);
		else
			*cached = true;
		(void)mr_rm_rf_at(images_fd, tmp);
	} else if (ret < 0) {
		/* Nothing partial is left: the next start tries again from scratch. */
		int saved = err ? err->errnum : 0;
		(void)mr_rm_rf_at(images_fd, tmp);
		if (err)
			err->errnum = saved;
	}
	return ret;
}

static int
key_of_file(int fd, char key[80], const char *what, struct mr_error *err)
{
	struct mr_sha256 s;
	uint8_t d[32];
	char hex[65];

	mr_sha256_init(&s);
	if (hash_rest(fd, &s) < 0)
		return mr_error_set(err, errno, "%s: read", what);
	mr_sha256_final(&s, d);
	to_hex(d, hex);
	snprintf(key, 80, "sha256-%s", hex);
	return 0;
}

/*
 * ROOTFS goes on as a path, opened again by prepare: through every
 * directory above IMAGES, which the check of IMAGES says nothing about.
 * Whoever may write one of those (MINIRUN_CACHE_DIR=/tmp/shared/c) can swap
 * in a tree of its own with renameat2(RENAME_EXCHANGE) between the check
 * and that open (10 runs in 200 did here).  So the spec also names the
 * directory prepare must find.
 */
static int
set_cached_rootfs(struct mr_spec *spec, int entry_fd, const char *images_path, const char *key,
		  struct mr_error *err)
{
	struct stat st;
	char *rootfs;

	cleanup_close int fd =
	    openat(entry_fd, "rootfs", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return mr_error_set(err, errno, "image cache %s/%s/rootfs", images_path, key);
	if (asprintf(&rootfs, "%s/%s/rootfs", images_path, key) < 0)
		return mr_error_oom(err, "image");
	free(spec->rootfs);
	spec->rootfs = rootfs;
	spec->rootfs_cached = true;
	spec->rootfs_cached_dev = st.st_dev;
	spec->rootfs_cached_ino = st.st_ino;
	return 0;
}

/*
 * An image: FD (O_PATH) is the archive or the OCI layout directory, ST its
 * fstat, T0 the time before it was looked at.  Not inlined: its 13 KiB of
 * stack are not touched by a start from a plain directory.
 */
static __attribute__((noinline)) int
resolve_image(struct mr_spec *spec, const struct mr_image_options *opts, struct mr_image_info *info,
	      int fd, struct stat st, struct timespec t0, struct mr_error *err)
{
	char what[PATH_MAX + 16], hex[65];
	struct mr_image_config config = {0};
	struct build b = {.opts = opts, .src_fd = -1, .what = what};

	snprintf(what, sizeof(what), "image %s", spec->rootfs);
	if (S_ISDIR(st.st_mode)) {
		b.kind = MR_IMAGE_OCI_LAYOUT;
		b.src_fd = fd;
		if (oci_pick_manifest(fd, what, hex, err) < 0)
			return -1;
		b.manifest_hex = hex;
		snprintf(info->key, sizeof(info->key), "sha256-%s", hex);
	}

	/*
	 * The unpacked tree is shared by every later run of the image (and
	 * its key still names the archive's bytes): a workload must not write
	 * into it.
	 */
	if (spec->rootfs_direct)
		return mr_error_set(err, 0,
				    "--rootfs: %s is unpacked into the image cache, which every "
				    "later run of it starts from; --rootfs would write into that "
				    "(unpack it into a directory of your own for --rootfs)",
				    what);
	cleanup_close int images_fd = -1, index_fd = -1, arch_fd = -1;
	cleanup_free char *images_path = NULL;
	bool record = false;
	if (open_images_dir(opts, &images_fd, &images_path, err) < 0)
		return -1;
	if (S_ISREG(st.st_mode)) {
		/*
		 * The name was looked up once, above; this is that inode opened
		 * for reading, and what the index goes by is its fstat.
		 */
		arch_fd = mr_reopen_regular_read(fd, &st);
		if (arch_fd < 0 || fstat(arch_fd, &st) < 0)
			return mr_error_set(err, errno, "%s", what);
		b.kind = MR_IMAGE_TARBALL; /* or an image archive: known once unpacked */
		b.src_fd = arch_fd;
		bool indexable = kernel_sets_ctime(arch_fd);
		if (indexable && open_index_dir(images_fd, images_path, &index_fd, err) < 0)
			return -1;
		if (!indexable || !index_lookup(index_fd, &st, info->key)) {
			struct stat after;
			if (key_of_file(arch_fd, info->key, what, err) < 0)
				return -1;
			if (fstat(arch_fd, &after) < 0)
				return mr_error_set(err, errno, "%s", what);
			/* Not if it changed while read, nor if it could still change unseen. */
			record = indexable && same_identity(&st, &after) &&
				 st.st_ctim.tv_sec + INDEX_SETTLE < t0.tv_sec;
		}
	}
	b.key = info->key;

	if (ensure_cached(&b, images_fd, &info->cached, err) < 0)
		return -1;
	info->skipped_devices = b.skipped_devices;
	info->skipped_xattrs = b.skipped_xattrs;
	/* Once its tree is there: an entry is for an archive that unpacked. */
	if (record)
		index_record(index_fd, &st, info->key);

	/* The config, from the cache (the same on a first and a later start). */
	cleanup_close int entry_fd =
	    openat(images_fd, info->key, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (entry_fd < 0)
		return mr_error_set(err, errno, "image cache %s/%s", images_path, info->key);
	if (exists_at(entry_fd, "config.json")) {
		cleanup_free char *text = NULL;
		size_t len;
		if (read_small(entry_fd, "config.json", NULL, what, &text, &len, err) < 0 ||
		    mr_image_config_parse(text, len, what, &config, err) < 0)
			return -1;
		info->has_config = true;
		info->kind = b.kind == MR_IMAGE_OCI_LAYOUT ? MR_IMAGE_OCI_LAYOUT : MR_IMAGE_ARCHIVE;
	} else {
		info->kind = MR_IMAGE_TARBALL;
	}

	if (set_cached_rootfs(spec, entry_fd, images_path, info->key, err) < 0) {
		mr_image_config_clear(&config);
		return -1;
	}
	int ret = mr_image_config_apply(spec, info->has_config ? &config : NULL, err);
	mr_image_config_clear(&config);
	return ret;
}

int
mr_image_resolve(struct mr_spec *spec, const struct mr_image_options *opts,
		 struct mr_image_info *info, struct mr_error *err)
{
	struct stat st;
	struct timespec t0;

	memset(info, 0, sizeof(*info));
	/* Before the archive is looked at (the index: INDEX_SETTLE). */
	if (clock_gettime(CLOCK_REALTIME_COARSE, &t0) < 0)
		t0.tv_sec = 0; /* then nothing is indexed */

	/* Not there, not a directory or file: open_rootfs (prepare.c) says why. */
	cleanup_close int fd = spec->rootfs ? open(spec->rootfs, O_PATH | O_CLOEXEC) : -1;
	if (fd < 0 || fstat(fd, &st) < 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
		return mr_image_config_apply(spec, NULL, err);
	/* A plain directory is the root filesystem itself. */
	if (S_ISDIR(st.st_mode) && (!exists_at(fd, "oci-layout") || !exists_at(fd, "index.json")))
		return mr_image_config_apply(spec, NULL, err);
	return resolve_image(spec, opts, info, fd, st, t0, err);
}

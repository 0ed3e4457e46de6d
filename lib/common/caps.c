/* SPDX-License-Identifier: MIT */
/* Capability names and sets: libcap for names and syscalls, moby's rules for the CLI. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "common/caps.h"
#include "common/util.h"

/* Longer than any capability name libcap knows ("cap_checkpoint_restore" is 22). */
#define CAP_NAME_MAX 64

static void
cap_freep(cap_t *c)
{
	if (*c != NULL)
		cap_free(*c);
}

static void
cap_name_freep(char **s)
{
	if (*s != NULL)
		cap_free(*s);
}

#define cleanup_cap	 __attribute__((cleanup(cap_freep)))
#define cleanup_cap_name __attribute__((cleanup(cap_name_freep)))

/* How many capabilities the running kernel has; a mask never has more than 64 bits. */
static int
kernel_cap_count(void)
{
	int n = (int)cap_max_bits();
	if (n < 0)
		return 0;
	return n > 64 ? 64 : n;
}

/* Upper-case "CAP_X" for messages; falls back to the number when libcap has no name. */
static void
cap_display_name(int cap, char *buf, size_t size)
{
	cleanup_cap_name char *name = cap_to_name((cap_value_t)cap);
	if (name == NULL) {
		snprintf(buf, size, "capability %d", cap);
		return;
	}
	size_t i;
	for (i = 0; name[i] != '\0' && i + 1 < size; i++)
		buf[i] = (char)toupper((unsigned char)name[i]);
	buf[i] = '\0';
}

mr_capset
mr_caps_docker_default(void)
{
	static const int defaults[] = {
	    CAP_CHOWN,	 CAP_DAC_OVERRIDE, CAP_FSETID,		 CAP_FOWNER,
	    CAP_MKNOD,	 CAP_NET_RAW,	   CAP_SETGID,		 CAP_SETUID,
	    CAP_SETFCAP, CAP_SETPCAP,	   CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	    CAP_KILL,	 CAP_AUDIT_WRITE,
	};
	mr_capset set = 0;
	for (size_t i = 0; i < MR_ARRAY_SIZE(defaults); i++)
		set |= MR_CAP_BIT(defaults[i]);
	return set;
}

mr_capset
mr_caps_all_known(void)
{
	int n = kernel_cap_count();
	if (n >= 64)
		return ~(mr_capset)0;
	return MR_CAP_BIT(n) - 1;
}

bool
mr_caps_is_all(const char *name)
{
	if (name == NULL)
		return false;
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	return strcasecmp(name, "ALL") == 0;
}

int
mr_caps_parse_name(const char *name, int *cap, struct mr_error *err)
{
	char norm[CAP_NAME_MAX];
	cap_value_t value;

	if (name == NULL || name[0] == '\0')
		return mr_error_set(err, 0, "empty capability name");
	if (mr_caps_is_all(name))
		return mr_error_set(
		    err, 0, "'%s' stands for every capability and is not a single capability",
		    name);

	/*
	 * Every capability name is letters and underscores.  Rejecting anything
	 * else up front keeps libcap's cap_from_name() off its numeric path
	 * ("12" would be CAP_NET_ADMIN) and away from its prefix match, which
	 * stops at the first other character ("chown1" would be CAP_CHOWN).
	 */
	for (const char *p = name; *p != '\0'; p++) {
		if (!isalpha((unsigned char)*p) && *p != '_')
			return mr_error_set(err, 0, "unknown capability '%s'", name);
	}
	int len = snprintf(norm, sizeof(norm), "%s%s",
			   strncasecmp(name, "CAP_", 4) == 0 ? "" : "cap_", name);
	if (len < 0 || (size_t)len >= sizeof(norm))
		return mr_error_set(err, 0, "unknown capability '%s'", name);
	for (char *p = norm; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);

	if (cap_from_name(norm, &value) != 0)
		return mr_error_set(err, 0, "unknown capability '%s'", name);

	/*
	 * Depending on how libcap was built, its lookup may match a name that is
	 * only the start of the word; insist that the whole word was the name.
	 */
	cleanup_cap_name char *canonical = cap_to_name(value);
	if (canonical == NULL)
		return mr_error_oomf(err, "capability '%s'", name);
	if (strcasecmp(canonical, norm) != 0)
		return mr_error_set(err, 0, "unknown capability '%s'", name);

	/* Same distinction as moby: a name libcap knows but this kernel does not is not usable. */
	if ((int)value >= kernel_cap_count())
		return mr_error_set(err, 0,
				    "capability '%s' is not supported by the running kernel", name);

	*cap = (int)value;
	return 0;
}

/* Parse a list into a mask; *has_all says whether "ALL" was among the names. */
static int
names_to_set(const char *const *names, size_t n, mr_capset *out, bool *has_all,
	     struct mr_error *err)
{
	mr_capset set = 0;
	*has_all = false;
	for (size_t i = 0; i < n; i++) {
		/*
		 * Each name may be a comma list ("SYS_TIME,SYS_ADMIN"), as podman
		 * takes it: Docker wants one flag per capability, but a list is
		 * unambiguous (no capability name has a comma), and one rule for
		 * a run and for `minirun profile` keeps them in agreement.
		 */
		const char *p = names[i];
		do {
			size_t len = strcspn(p, ",");
			char one[CAP_NAME_MAX];
			int cap;
			if (len == 0 && (p[0] == ',' || p != names[i]))
				return mr_error_set(err, 0, "empty capability name in '%s'",
						    names[i]);
			if (len >= sizeof(one))
				return mr_error_set(err, 0, "unknown capability '%.*s'", (int)len,
						    p);
			memcpy(one, p, len);
			one[len] = '\0';
			if (mr_caps_is_all(one)) {
				*has_all = true;
			} else {
				if (mr_caps_parse_name(one, &cap, err) < 0)
					return -1;
				set |= MR_CAP_BIT(cap);
			}
			p += len;
		} while (*p++ == ',');
	}
	*out = set;
	return 0;
}

int
mr_caps_tweak(mr_capset base, const char *const *adds, size_t n_adds, const char *const *drops,
	      size_t n_drops, mr_capset *out, struct mr_error *err)
{
	mr_capset add_set, drop_set;
	bool add_all, drop_all;

	/* Validate both lists before deciding anything, as moby does. */
	if (names_to_set(drops, n_drops, &drop_set, &drop_all, err) < 0)
		return mr_error_wrap(err, "invalid capability to drop");
	if (names_to_set(adds, n_adds, &add_set, &add_all, err) < 0)
		return mr_error_wrap(err, "invalid capability to add");

	if (add_all)
		*out = mr_caps_all_known() & ~drop_set;
	else if (drop_all)
		*out = add_set;
	else
		*out = (base & ~drop_set) | add_set;
	return 0;
}

char *
mr_caps_to_string(mr_capset set)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (f == NULL)
		return NULL;

	bool first = true;
	for (int cap = 0; cap < 64; cap++) {
		char name[CAP_NAME_MAX];
		if (!(set & MR_CAP_BIT(cap)))
			continue;
		cap_display_name(cap, name, sizeof(name));
		fprintf(f, "%s%s", first ? "" : ",", name);
		first = false;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int
mr_caps_get_bounding(mr_capset *out, struct mr_error *err)
{
	mr_capset set = 0;
	int n = kernel_cap_count();
	for (int cap = 0; cap < n; cap++) {
		int r = cap_get_bound((cap_value_t)cap);
		if (r < 0) {
			char name[CAP_NAME_MAX];
			cap_display_name(cap, name, sizeof(name));
			return mr_error_set(err, errno, "read %s from the bounding set", name);
		}
		if (r > 0)
			set |= MR_CAP_BIT(cap);
	}
	*out = set;
	return 0;
}

int
mr_caps_get_permitted(mr_capset *out, struct mr_error *err)
{
	cleanup_cap cap_t caps = cap_get_proc();
	if (caps == NULL)
		return mr_error_set(err, errno, "capget");

	mr_capset set = 0;
	int n = kernel_cap_count();
	for (int cap = 0; cap < n; cap++) {
		cap_flag_value_t v;
		if (cap_get_flag(caps, (cap_value_t)cap, CAP_PERMITTED, &v) != 0)
			return mr_error_set(err, errno, "capget: read capability %d", cap);
		if (v == CAP_SET)
			set |= MR_CAP_BIT(cap);
	}
	*out = set;
	return 0;
}

int
mr_caps_drop_bounding(mr_capset keep, struct mr_error *err)
{
	int n = kernel_cap_count();
	for (int cap = 0; cap < n; cap++) {
		if (keep & MR_CAP_BIT(cap))
			continue;
		/*
		 * PR_CAPBSET_DROP needs CAP_SETPCAP even for a capability that is
		 * already gone, so skip those: a second call with the same set
		 * then succeeds after CAP_SETPCAP itself has been dropped.
		 */
		if (cap_get_bound((cap_value_t)cap) == 0)
			continue;
		if (cap_drop_bound((cap_value_t)cap) != 0) {
			int saved = errno;
			char name[CAP_NAME_MAX];
			cap_display_name(cap, name, sizeof(name));
			return mr_error_set(err, saved, "drop %s from the bounding set", name);
		}
	}
	return 0;
}

int
mr_caps_set(mr_capset effective, mr_capset permitted, mr_capset inheritable, struct mr_error *err)
{
	/*
	 * capset(2) itself, not libcap: cap_init() first asks the kernel for
	 * its version with capget, which runs under the container's seccomp
	 * filter when no_new_privs is off.  A profile that kills or traps
	 * capget (runc's and crun's launch make no such call there) killed the
	 * container before its command.  Version 3: 64 bits in two words.
	 */
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2] = {
	    {(uint32_t)effective, (uint32_t)permitted, (uint32_t)inheritable},
	    {(uint32_t)(effective >> 32), (uint32_t)(permitted >> 32),
	     (uint32_t)(inheritable >> 32)},
	};

	if (syscall(SYS_capset, &hdr, data) != 0)
		return mr_error_set(err, errno, "capset");
	return 0;
}

int
mr_caps_clear_ambient(struct mr_error *err)
{
	/*
	 * prctl rather than cap_reset_ambient(): libcap's version returns
	 * success without doing anything when it cannot read the ambient set,
	 * and a silent no-op is the wrong failure mode for a security step.
	 */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L) != 0)
		return mr_error_set(err, errno, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	return 0;
}

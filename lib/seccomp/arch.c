/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "seccomp/arch.h"
#include "common/util.h"

/*
 * The Go names are what moby's goToNative gives for runtime.GOARCH, so they
 * are the strings real profiles put in includes.arches.  The sub-architectures
 * are the archMap of Docker's default profile (moby profiles/seccomp).
 */
/* clang-format off */
#define ARCH(name, lib, go, sub0, sub1, base0, base1) \
	{SCMP_ARCH_##name, "SCMP_ARCH_" #name, lib, go, {sub0, sub1}, {base0, base1}}

static const struct mr_arch arch_table[] = {
	ARCH(X86_64, "x86_64", "amd64", SCMP_ARCH_X86, SCMP_ARCH_X32, 0, -1),
	ARCH(X86, "x86", "x86", 0, 0, 0, -1),
	ARCH(X32, "x32", "x32", 0, 0, 0x40000000, -1),
	ARCH(AARCH64, "aarch64", "arm64", SCMP_ARCH_ARM, 0, 0, -1),
	ARCH(ARM, "arm", "arm", 0, 0, 0, 0xf0000),
	ARCH(MIPS, "mips", "mips", 0, 0, 4000, -1),
	ARCH(MIPSEL, "mipsel", "mipsel", 0, 0, 4000, -1),
	ARCH(MIPS64, "mips64", "mips64", SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32, 5000, -1),
	ARCH(MIPSEL64, "mipsel64", "mips64le", SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32,
	     5000, -1),
	ARCH(MIPS64N32, "mips64n32", "mips64n32", SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64, 6000, -1),
	ARCH(MIPSEL64N32, "mipsel64n32", "mips64n32le", SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64,
	     6000, -1),
	ARCH(PPC, "ppc", "ppc", 0, 0, 0, -1),
	ARCH(PPC64, "ppc64", "ppc64", 0, 0, 0, -1),
	ARCH(PPC64LE, "ppc64le", "ppc64le", 0, 0, 0, -1),
	ARCH(S390, "s390", "s390", 0, 0, 0, -1),
	ARCH(S390X, "s390x", "s390x", SCMP_ARCH_S390, 0, 0, -1),
	ARCH(PARISC, "parisc", "", 0, 0, 0, -1),
	ARCH(PARISC64, "parisc64", "", 0, 0, 0, -1),
	ARCH(RISCV64, "riscv64", "riscv64", 0, 0, 0, -1),
};
/* clang-format on */
#undef ARCH

const struct mr_arch *
mr_arch_find(uint32_t token)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(arch_table); i++)
		if (arch_table[i].token == token)
			return &arch_table[i];
	return NULL;
}

const struct mr_arch *
mr_arch_nth(size_t i)
{
	return i < MR_ARRAY_SIZE(arch_table) ? &arch_table[i] : NULL;
}

uint32_t
mr_arch_resolve(const char *scmp_name)
{
	char buf[64];
	size_t i;

	/* As runc and crun do, so a profile means the same arches to all of us. */
	if (strncmp(scmp_name, "SCMP_ARCH_", 10) != 0)
		return 0;
	const char *s = scmp_name + 10;
	for (i = 0; s[i] != '\0' && i + 1 < sizeof(buf); i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	if (s[i] != '\0' || i == 0)
		return 0;
	buf[i] = '\0';
	return seccomp_arch_resolve_name(buf);
}

uint32_t
mr_arch_parse(const char *s)
{
	if (strncasecmp(s, "SCMP_ARCH_", 10) == 0) {
		char up[64];
		size_t i;
		for (i = 0; s[i] && i + 1 < sizeof(up); i++)
			up[i] = (char)((s[i] >= 'a' && s[i] <= 'z') ? s[i] - 32 : s[i]);
		up[i] = '\0';
		return mr_arch_resolve(up);
	}
	for (size_t i = 0; i < MR_ARRAY_SIZE(arch_table); i++) {
		const struct mr_arch *a = &arch_table[i];
		if (strcasecmp(s, a->lib) == 0 || (a->go[0] && strcasecmp(s, a->go) == 0))
			return a->token;
	}
	return 0;
}

const char *
mr_arch_scmp_name(uint32_t token)
{
	const struct mr_arch *a = mr_arch_find(token);
	return a ? a->scmp : NULL;
}

const char *
mr_arch_lib_name(uint32_t token)
{
	const struct mr_arch *a = mr_arch_find(token);
	return a ? a->lib : NULL;
}

const char *
mr_arch_go_name(uint32_t token)
{
	const struct mr_arch *a = mr_arch_find(token);
	return a && a->go[0] ? a->go : NULL;
}

/* The names of one range of numbers; -1 on ENOMEM. */
static int
add_range(uint32_t arch, long base, struct mr_strv *out)
{
	/* 1024 past the base covers every table in libseccomp 2.5/2.6. */
	for (long nr = base; nr < base + 1024; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, (int)nr);
		if (name == NULL)
			continue;
		/* The resolver also answers for numbers of other ABIs; keep a
		 * name only where it round-trips. */
		int back = seccomp_syscall_resolve_name_arch(arch, name);
		int r = back == nr ? mr_strv_addf(out, "%s", name) : 0;
		free(name);
		if (r < 0)
			return -1;
	}
	return 0;
}

int
mr_arch_syscalls(uint32_t arch, struct mr_strv *out, struct mr_error *err)
{
	const struct mr_arch *a = mr_arch_find(arch);

	memset(out, 0, sizeof(*out));
	if (a == NULL)
		return 0;
	for (int b = 0; b < 2; b++) {
		if (a->bases[b] >= 0 && add_range(arch, a->bases[b], out) < 0) {
			mr_strv_clear(out);
			return mr_error_oom(err, "system call names");
		}
	}
	mr_strv_sort_uniq(out);
	return 0;
}

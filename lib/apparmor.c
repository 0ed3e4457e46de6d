/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "apparmor.h"

#if HAVE_APPARMOR
#include <sys/apparmor.h>
#endif

bool
mr_apparmor_is_noop(const char *profile)
{
	return profile == NULL || strcmp(profile, "unconfined") == 0;
}

int
mr_apparmor_check(const char *profile, struct mr_error *err)
{
	if (mr_apparmor_is_noop(profile))
		return 0;
#if HAVE_APPARMOR
	/*
	 * Docker silently ignores the profile on such a host and runc fails
	 * with "write /proc/self/attr/exec: invalid argument"; a lab user
	 * deserves to know the profile was not applied.
	 */
	if (!aa_is_enabled())
		return mr_error_set(
		    err, 0,
		    "AppArmor is not enabled on this kernel, cannot apply profile "
		    "'%s' (use --security-opt apparmor=unconfined to run without it)",
		    profile);
	return mr_error_set(err, 0,
			    "--security-opt apparmor=%s: applying AppArmor profiles is not "
			    "yet supported",
			    profile);
#else
	return mr_error_set(err, 0,
			    "AppArmor is not enabled on this kernel, cannot apply profile '%s' "
			    "(minirun was built without libapparmor)",
			    profile);
#endif
}

int
mr_apparmor_apply_on_exec(const char *profile, struct mr_error *err)
{
	if (mr_apparmor_is_noop(profile))
		return 0;
	return mr_error_set(err, ENOTSUP, "apparmor profile %s", profile);
}

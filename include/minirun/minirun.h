/* SPDX-License-Identifier: MIT */
/*
 * The one header through which cmd/ (and the tests that drive the library as
 * the CLI does) reach libminirun.  libminirun is an internal static library:
 * neither it nor these headers are installed, so there is no ABI to keep.
 * The paths below are relative to lib/, whose tree shows the layers:
 *
 *   common/     the error type, capability names and sets, small helpers
 *               (util.h: the cleanup attributes cmd/ uses too)
 *   seccomp/    profiles, reduction, BPF, the notification observer, inspect
 *   container/  spec, prepare, the launch sequence and what it sets up
 *   tools/      the profile tools: check (lint), explain, diff, convert
 */
#ifndef MINIRUN_MINIRUN_H
#define MINIRUN_MINIRUN_H

#include "common/caps.h"
#include "common/error.h"
#include "common/escape.h"
#include "common/file.h"
#include "common/outfile.h"
#include "common/phases.h"
#include "common/strv.h"
#include "common/util.h"
#include "container/cgroup.h"
#include "container/env-file.h"
#include "container/exec.h"
#include "container/freezer.h"
#include "container/sysctl.h"
#include "container/image.h"
#include "container/launch.h"
#include "container/oci-config.h"
#include "container/prepare.h"
#include "container/self-seal.h"
#include "container/spec.h"
#include "container/state.h"
#include "container/user.h"
#include "seccomp/arch.h"
#include "seccomp/inspect.h"
#include "seccomp/localhost.h"
#include "seccomp/profile.h"
#include "seccomp/program.h"
#include "seccomp/reduce.h"
#include "tools/convert.h"
#include "tools/explain.h"
#include "tools/lint.h"
#include "tools/spo.h"
#include "tools/targets.h"

#endif

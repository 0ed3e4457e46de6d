/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_H
#define MINIRUN_H

#include "minirun/caps.h"
#include "minirun/error.h"
#include "minirun/launch.h"
#include "minirun/seccomp.h"
#include "minirun/spec.h"
#include "minirun/user.h"

#endif

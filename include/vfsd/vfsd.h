/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — the umbrella header for programs that mount file systems.
 * Backend authors find the vtable in <vfsd/backend.h> (included here).
 */
#ifndef VFSD_H
#define VFSD_H

#include <vfsd/version.h>
#include <vfsd/backend.h>
#include <vfsd/call.h>
#include <vfsd/layer.h>
#include <vfsd/module.h>
#include <vfsd/mount.h>
#include <vfsd/stats.h>

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — backends found by name: built-in backends and modules.
 *
 * A backend module is a shared object named `vfsd-NAME.so` that exports one
 * function, `vfsd_module_init`, of type #VfsdModuleInitFunc.  It returns a
 * description of the backend: its name, a line of help, the syntax of its
 * argument string, and a function that creates instances from an argument
 * string.  Modules are searched in the directories of the environment
 * variable VFSD_MODULE_PATH (colon-separated), then in the installed module
 * directory (`pkg-config --variable=moduledir vfsd`).  The built-in backends
 * (ram, passthrough, …) register the same way, so `vfsd mount NAME[:ARGS]`
 * and vfsd_backend_load() treat them alike.
 *
 * |[<!-- language="C" -->
 * static VfsdBackend *
 * create (const char *args, GError **error) { … return vfsd_backend_new (…); }
 *
 * static const VfsdModuleInfo info = {
 *   VFSD_MODULE_INFO_INIT ("example", "an example backend"),
 *   .args_help = "PATH  the directory to serve",
 *   .create = create,
 * };
 *
 * VFSD_MODULE_EXPORT const VfsdModuleInfo *
 * vfsd_module_init (uint32_t abi_version, GError **error) { return &info; }
 * ]|
 */
#ifndef VFSD_MODULE_H
#define VFSD_MODULE_H

#include <vfsd/backend.h>

G_BEGIN_DECLS

/**
 * VFSD_MODULE_ABI_VERSION:
 *
 * The version of #VfsdModuleInfo this header describes.
 */
#define VFSD_MODULE_ABI_VERSION 1

/**
 * VfsdModuleInfo: (skip)
 * @struct_size: sizeof(VfsdModuleInfo) as the module was compiled
 * @abi_version: VFSD_MODULE_ABI_VERSION as the module was compiled
 * @name: the backend's name, as given to `vfsd mount NAME:ARGS`
 * @summary: one line of help
 * @args_help: (nullable): what ARGS may be, one item per line
 * @create: creates an instance from the argument string (never NULL, maybe
 *   empty); returns NULL with @error set when the arguments are wrong
 *
 * What a module tells the library about its backend.  Fields are only ever
 * appended.
 */
typedef struct VfsdModuleInfo {
  uint32_t struct_size;
  uint32_t abi_version;
  const char *name;
  const char *summary;
  const char *args_help;
  VfsdBackend *(*create)(const char *args, GError **error);
} VfsdModuleInfo;

/**
 * VFSD_MODULE_INFO_INIT:
 * @name_: the backend's name
 * @summary_: one line of help
 *
 * Fills the header of a #VfsdModuleInfo in a designated initializer.
 */
#define VFSD_MODULE_INFO_INIT(name_, summary_)                                \
  .struct_size = sizeof(VfsdModuleInfo),                                      \
  .abi_version = VFSD_MODULE_ABI_VERSION, .name = (name_),                    \
  .summary = (summary_)

/**
 * VfsdModuleInitFunc: (skip)
 * @abi_version: the VFSD_MODULE_ABI_VERSION of the loading library
 * @error: return location for a #GError
 *
 * The type of `vfsd_module_init`, the one symbol a module exports.  Return
 * NULL with @error set when the module cannot work (a missing dependency,
 * an ABI it does not support).
 *
 * Returns: the module's description, valid for the life of the process.
 */
typedef const VfsdModuleInfo *(*VfsdModuleInitFunc)(uint32_t abi_version,
                                                    GError **error);

/**
 * VFSD_MODULE_EXPORT:
 *
 * Marks `vfsd_module_init` as exported from a module.
 */
#define VFSD_MODULE_EXPORT __attribute__((visibility("default")))

/**
 * vfsd_module_init: (skip)
 * @abi_version: the VFSD_MODULE_ABI_VERSION of the loading library
 * @error: return location for a #GError
 *
 * The entry point a module defines (see #VfsdModuleInitFunc); declared here
 * so that modules build cleanly with -Wmissing-prototypes.  The library
 * itself does not define it.
 *
 * Returns: the module's description.
 */
VFSD_MODULE_EXPORT const VfsdModuleInfo *vfsd_module_init(uint32_t abi_version,
                                                          GError **error);

/**
 * vfsd_backend_load:
 * @spec: `NAME` or `NAME:ARGS`, e.g. `ram:size=1G` or `passthrough:/srv/data`
 * @error: return location for a #GError
 *
 * Creates a backend by name: a built-in one, or one from a module found on
 * VFSD_MODULE_PATH or in the module directory.  A module that lacks the
 * entry point, was built for a future ABI, or fails to initialize gives one
 * clear error and nothing is loaded.
 *
 * Returns: (transfer full): the backend, or NULL with @error set.
 */
VfsdBackend *vfsd_backend_load(const char *spec, GError **error);

/**
 * vfsd_backend_load_stack:
 * @specs: (array zero-terminated=1): layer specs from the top down, then
 *   the backend's spec last, e.g. `{ "monitor:log=access.jsonl",
 *   "readonly", "passthrough:/srv/data", NULL }`
 * @error: return location for a #GError
 *
 * Loads the backend (the last spec) with vfsd_backend_load() and stacks the
 * layers on it with vfsd_layer_load(), the last layer first, so the first
 * spec is the top of the stack (what the kernel calls first) — the order
 * of `vfsd mount -l A -l B BACKEND`.  On failure nothing is kept and the
 * error names the spec that failed.
 *
 * Returns: (transfer full): the top of the stack, or NULL with @error set.
 */
VfsdBackend *vfsd_backend_load_stack(const char *const *specs,
                                     GError **error);

/**
 * vfsd_module_find: (skip)
 * @name: a backend name
 * @error: return location for a #GError
 *
 * Returns: the description of the named backend, or NULL with @error set.
 */
const VfsdModuleInfo *vfsd_module_find(const char *name, GError **error);

/**
 * vfsd_module_list_names:
 *
 * The names of every backend that can be loaded: built-in ones, then those
 * of modules on the search path, without duplicates.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names.
 */
gchar **vfsd_module_list_names(void);

/**
 * vfsd_module_get_summary:
 * @name: a backend name
 *
 * Returns: (transfer none) (nullable): the backend's line of help, or NULL
 *   when no such backend can be loaded.
 */
const char *vfsd_module_get_summary(const char *name);

/**
 * vfsd_module_register: (skip)
 * @info: a description that stays valid for the life of the process
 * @error: return location for a #GError
 *
 * Makes a backend loadable by name from inside a program, as modules are.
 * Fails if the name is taken.
 *
 * Returns: true on success.
 */
gboolean vfsd_module_register(const VfsdModuleInfo *info, GError **error);

G_END_DECLS

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding backends and layers by name: the built-in tables, backends a
 * program registered, and modules (vfsd-NAME.so) on VFSD_MODULE_PATH and in
 * the installed module directory.  Modules stay loaded for the life of the
 * process. */
#include "private.h"
#include "builtins.h"

#include <errno.h>
#include <gmodule.h>
#include <string.h>

#ifndef VFSD_MODULE_DIR
#define VFSD_MODULE_DIR "/usr/local/lib/vfsd/modules"
#endif

G_LOCK_DEFINE_STATIC(registry);
static GPtrArray *registered; /* const VfsdModuleInfo*, registered or loaded */

static bool
valid_name(const char *name)
{
  if (name == NULL || name[0] == '\0' || strlen(name) > 64)
    return false;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
      return false;
  return true;
}

static const VfsdModuleInfo *
find_known(const char *name)
{
  for (const VfsdModuleInfo *const *b = vfsd_builtin_backends; *b; b++)
    if (!strcmp((*b)->name, name))
      return *b;
  if (registered)
    for (guint i = 0; i < registered->len; i++) {
      const VfsdModuleInfo *m = g_ptr_array_index(registered, i);
      if (!strcmp(m->name, name))
        return m;
    }
  return NULL;
}

gboolean
vfsd_module_register(const VfsdModuleInfo *info, GError **error)
{
  if (info == NULL || info->struct_size < offsetof(VfsdModuleInfo, create) +
                                              sizeof(void *) ||
      info->abi_version == 0 || info->abi_version > VFSD_MODULE_ABI_VERSION ||
      !valid_name(info->name) || info->create == NULL) {
    vfsd_set_error(error, EINVAL,
                   "invalid backend description%s%s (name, create and "
                   "VFSD_MODULE_INFO_INIT are required; ABI %u at most)",
                   info && info->struct_size > 0 && info->name ? " for " : "",
                   info && info->struct_size > 0 && info->name ? info->name : "",
                   VFSD_MODULE_ABI_VERSION);
    return FALSE;
  }
  G_LOCK(registry);
  if (find_known(info->name)) {
    G_UNLOCK(registry);
    vfsd_set_error(error, EEXIST, "a backend named '%s' exists already",
                   info->name);
    return FALSE;
  }
  if (registered == NULL)
    registered = g_ptr_array_new();
  g_ptr_array_add(registered, (gpointer)info);
  G_UNLOCK(registry);
  return TRUE;
}

static char **
search_dirs(void)
{
  GPtrArray *dirs = g_ptr_array_new();
  const char *env = g_getenv("VFSD_MODULE_PATH");
  if (env) {
    char **parts = g_strsplit(env, ":", -1);
    for (char **p = parts; *p; p++)
      if (**p)
        g_ptr_array_add(dirs, g_strdup(*p));
    g_strfreev(parts);
  }
  g_ptr_array_add(dirs, g_strdup(VFSD_MODULE_DIR));
  g_ptr_array_add(dirs, NULL);
  return (char **)g_ptr_array_free(dirs, FALSE);
}

/* Loads vfsd-NAME.so from @path; on success the module stays loaded. */
static const VfsdModuleInfo *
load_file(const char *path, const char *expect, GError **error)
{
  GModule *mod = g_module_open(path, G_MODULE_BIND_LOCAL);
  gpointer sym = NULL;
  const VfsdModuleInfo *info;
  GError *e = NULL;
  if (mod == NULL) {
    vfsd_set_error(error, ENOEXEC, "cannot load backend module %s: %s", path,
                   g_module_error());
    return NULL;
  }
  if (!g_module_symbol(mod, "vfsd_module_init", &sym) || sym == NULL) {
    vfsd_set_error(error, ENOEXEC,
                   "%s is not a libvfsd backend module: it has no "
                   "vfsd_module_init entry point", path);
    g_module_close(mod);
    return NULL;
  }
  info = ((VfsdModuleInitFunc)sym)(VFSD_MODULE_ABI_VERSION, &e);
  if (info == NULL) {
    vfsd_set_error(error, e ? e->code : EIO,
                   "backend module %s failed to initialize: %s", path,
                   e ? e->message : "its vfsd_module_init returned nothing");
    g_clear_error(&e);
    g_module_close(mod);
    return NULL;
  }
  if (info->struct_size < offsetof(VfsdModuleInfo, create) + sizeof(void *) ||
      info->abi_version == 0 || info->abi_version > VFSD_MODULE_ABI_VERSION) {
    vfsd_set_error(error, EINVAL,
                   "backend module %s was built for module ABI %u, but this "
                   "library (%s) supports 1 to %u; rebuild the module",
                   path, info->abi_version, VFSD_VERSION_STRING,
                   VFSD_MODULE_ABI_VERSION);
    g_module_close(mod);
    return NULL;
  }
  if (!valid_name(info->name) || info->create == NULL ||
      (expect && strcmp(info->name, expect) != 0)) {
    vfsd_set_error(error, EINVAL,
                   "backend module %s describes itself badly (name '%s'%s%s, "
                   "create %s)", path, info->name ? info->name : "(none)",
                   expect ? ", expected " : "", expect ? expect : "",
                   info->create ? "set" : "missing");
    g_module_close(mod);
    return NULL;
  }
  g_module_make_resident(mod);
  G_LOCK(registry);
  if (!find_known(info->name)) {
    if (registered == NULL)
      registered = g_ptr_array_new();
    g_ptr_array_add(registered, (gpointer)info);
  }
  G_UNLOCK(registry);
  return info;
}

const VfsdModuleInfo *
vfsd_module_find(const char *name, GError **error)
{
  const VfsdModuleInfo *info;
  char **dirs;
  char *file;
  if (!valid_name(name)) {
    vfsd_set_error(error, EINVAL,
                   "'%s' is not a valid backend name (letters, digits, '_' "
                   "and '-')", name ? name : "");
    return NULL;
  }
  G_LOCK(registry);
  info = find_known(name);
  G_UNLOCK(registry);
  if (info)
    return info;
  file = g_strdup_printf("vfsd-%s.so", name);
  dirs = search_dirs();
  for (char **d = dirs; *d; d++) {
    char *path = g_build_filename(*d, file, NULL);
    if (g_file_test(path, G_FILE_TEST_EXISTS)) {
      info = load_file(path, name, error);
      g_free(path);
      g_strfreev(dirs);
      g_free(file);
      return info;
    }
    g_free(path);
  }
  g_strfreev(dirs);
  g_free(file);
  vfsd_set_error(error, ENOENT,
                 "no backend named '%s' (built in, or vfsd-%s.so on "
                 "VFSD_MODULE_PATH or in %s); `vfsd backends` lists them",
                 name, name, VFSD_MODULE_DIR);
  return NULL;
}

/* Splits "NAME:ARGS" (ARGS may be empty or absent). */
static char *
split_spec(const char *spec, const char **args)
{
  const char *colon = strchr(spec, ':');
  *args = colon ? colon + 1 : "";
  return colon ? g_strndup(spec, (gsize)(colon - spec)) : g_strdup(spec);
}

VfsdBackend *
vfsd_backend_load(const char *spec, GError **error)
{
  const char *args;
  char *name;
  const VfsdModuleInfo *info;
  VfsdBackend *b = NULL;
  g_return_val_if_fail(spec != NULL, NULL);
  vfsd_log_init();
  name = split_spec(spec, &args);
  info = vfsd_module_find(name, error);
  if (info) {
    b = info->create(args, error);
    if (b == NULL && error && *error == NULL)
      vfsd_set_error(error, EINVAL, "backend '%s' could not be created from "
                     "'%s'", name, args);
  }
  g_free(name);
  return b;
}

VfsdBackend *
vfsd_backend_load_stack(const char *const *specs, GError **error)
{
  VfsdBackend *b;
  GError *e = NULL;
  int n = 0;
  g_return_val_if_fail(specs != NULL, NULL);
  while (specs[n])
    n++;
  if (n == 0) {
    vfsd_set_error(error, EINVAL, "an empty stack: give at least a backend");
    return NULL;
  }
  b = vfsd_backend_load(specs[n - 1], &e);
  for (int i = n - 2; b && i >= 0; i--) {
    VfsdBackend *l = vfsd_layer_load(specs[i], b, &e);
    g_object_unref(b);
    b = l;
    if (b == NULL)
      g_prefix_error(&e, "layer %d of the stack (%s): ", i + 1, specs[i]);
  }
  if (b == NULL)
    g_propagate_error(error, e);
  return b;
}

gchar **
vfsd_module_list_names(void)
{
  GPtrArray *names = g_ptr_array_new();
  char **dirs = search_dirs();
  for (const VfsdModuleInfo *const *b = vfsd_builtin_backends; *b; b++)
    g_ptr_array_add(names, g_strdup((*b)->name));
  G_LOCK(registry);
  if (registered)
    for (guint i = 0; i < registered->len; i++) {
      const VfsdModuleInfo *m = g_ptr_array_index(registered, i);
      g_ptr_array_add(names, g_strdup(m->name));
    }
  G_UNLOCK(registry);
  for (char **d = dirs; *d; d++) {
    GDir *dir = g_dir_open(*d, 0, NULL);
    const char *f;
    if (dir == NULL)
      continue;
    while ((f = g_dir_read_name(dir)) != NULL) {
      char *n;
      gboolean dup = FALSE;
      if (!g_str_has_prefix(f, "vfsd-") || !g_str_has_suffix(f, ".so"))
        continue;
      n = g_strndup(f + 5, strlen(f) - 8);
      for (guint i = 0; i < names->len; i++)
        if (!strcmp(g_ptr_array_index(names, i), n))
          dup = TRUE;
      if (dup || !valid_name(n))
        g_free(n);
      else
        g_ptr_array_add(names, n);
    }
    g_dir_close(dir);
  }
  g_strfreev(dirs);
  g_ptr_array_add(names, NULL);
  return (gchar **)g_ptr_array_free(names, FALSE);
}

const char *
vfsd_module_get_summary(const char *name)
{
  const VfsdModuleInfo *info = vfsd_module_find(name, NULL);
  return info ? info->summary : NULL;
}

/* ---- layers ------------------------------------------------------------*/

const VfsdLayerInfo *
vfsd_layer_find(const char *name)
{
  for (const VfsdLayerInfo *const *l = vfsd_builtin_layers; *l; l++)
    if (!strcmp((*l)->name, name))
      return *l;
  return NULL;
}

VfsdBackend *
vfsd_layer_load(const char *spec, VfsdBackend *next, GError **error)
{
  const char *args;
  char *name;
  const VfsdLayerInfo *info;
  VfsdBackend *b = NULL;
  g_return_val_if_fail(spec != NULL, NULL);
  g_return_val_if_fail(VFSD_IS_BACKEND(next), NULL);
  vfsd_log_init();
  name = split_spec(spec, &args);
  info = vfsd_layer_find(name);
  if (info == NULL)
    vfsd_set_error(error, ENOENT, "no layer named '%s'; `vfsd layers` lists "
                   "them", name);
  else {
    b = info->create(next, args, error);
    if (b == NULL && error && *error == NULL)
      vfsd_set_error(error, EINVAL, "layer '%s' could not be created from "
                     "'%s'", name, args);
  }
  g_free(name);
  return b;
}

gchar **
vfsd_layer_list_names(void)
{
  GPtrArray *names = g_ptr_array_new();
  for (const VfsdLayerInfo *const *l = vfsd_builtin_layers; *l; l++)
    g_ptr_array_add(names, g_strdup((*l)->name));
  g_ptr_array_add(names, NULL);
  return (gchar **)g_ptr_array_free(names, FALSE);
}

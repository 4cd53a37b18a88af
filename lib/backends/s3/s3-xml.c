/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The XML answers of S3, read with GMarkup: ListObjectsV2 pages, error
 * codes, and single elements (UploadId). */
#include "s3.h"

#include <string.h>

/* Calls @text_fn with the innermost element name, its parent, and its text,
 * for every element that has text. */
typedef struct {
  GPtrArray *stack;   /* element names */
  GString *text;
  void (*text_fn)(void *user, const char *elem, const char *parent,
                  const char *text);
  void (*end_fn)(void *user, const char *elem);
  void *user;
} Walk;

static void
walk_start(GMarkupParseContext *ctx, const char *elem, const char **an,
           const char **av, gpointer data, GError **error)
{
  Walk *w = data;
  (void)ctx; (void)an; (void)av; (void)error;
  g_ptr_array_add(w->stack, g_strdup(elem));
  g_string_truncate(w->text, 0);
}

static void
walk_end(GMarkupParseContext *ctx, const char *elem, gpointer data,
         GError **error)
{
  Walk *w = data;
  const char *parent =
      w->stack->len >= 2 ? g_ptr_array_index(w->stack, w->stack->len - 2) : "";
  (void)ctx; (void)error;
  if (w->text_fn)
    w->text_fn(w->user, elem, parent, w->text->str);
  if (w->end_fn)
    w->end_fn(w->user, elem);
  g_string_truncate(w->text, 0);
  if (w->stack->len)
    g_ptr_array_remove_index(w->stack, w->stack->len - 1);
}

static void
walk_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer data,
          GError **error)
{
  Walk *w = data;
  (void)ctx; (void)error;
  g_string_append_len(w->text, text, (gssize)len);
}

static bool
walk(const char *xml, size_t len, Walk *w)
{
  static const GMarkupParser parser = { walk_start, walk_end, walk_text,
                                        NULL, NULL };
  GMarkupParseContext *ctx;
  bool ok;
  w->stack = g_ptr_array_new_with_free_func(g_free);
  w->text = g_string_new(NULL);
  ctx = g_markup_parse_context_new(&parser, 0, w, NULL);
  /* Skip the <?xml …?> declaration: GMarkup treats it as a passthrough. */
  ok = g_markup_parse_context_parse(ctx, xml, (gssize)len, NULL) &&
       g_markup_parse_context_end_parse(ctx, NULL);
  g_markup_parse_context_free(ctx);
  g_ptr_array_free(w->stack, TRUE);
  g_string_free(w->text, TRUE);
  return ok;
}

/* ---- errors and single elements ---------------------------------------*/

typedef struct {
  const char *want;
  char *found;
} Find;

static void
find_text(void *user, const char *elem, const char *parent, const char *text)
{
  Find *f = user;
  (void)parent;
  if (f->found == NULL && !strcmp(elem, f->want))
    f->found = g_strdup(text);
}

char *
s3_xml_find(const char *xml, size_t len, const char *elem)
{
  Find f = { elem, NULL };
  Walk w = { .text_fn = find_text, .user = &f };
  walk(xml, len, &w);
  return f.found;
}

void
s3_xml_error_code(const char *xml, size_t len, char *code, size_t code_size)
{
  char *c = s3_xml_find(xml, len, "Code");
  if (c) {
    /* Codes are short ASCII words; keep only that. */
    size_t n = 0;
    for (const char *s = c; *s && n + 1 < code_size; s++)
      if (g_ascii_isalnum(*s) || *s == '.' || *s == '_' || *s == '-')
        code[n++] = *s;
    code[n] = '\0';
    g_free(c);
  }
}

/* ---- ListObjectsV2 ----------------------------------------------------*/

typedef struct {
  S3List *out;
  const char *prefix;
  size_t plen;
  char *key, *etag, *lastmod, *size;
} ListState;

static void
item_free(gpointer p)
{
  S3ListItem *it = p;
  g_free(it->name);
  g_free(it->etag);
  g_free(it);
}

static void
list_text(void *user, const char *elem, const char *parent, const char *text)
{
  ListState *s = user;
  if (!strcmp(parent, "Contents") || !strcmp(parent, "CommonPrefixes")) {
    char **slot = !strcmp(elem, "Key") || !strcmp(elem, "Prefix") ? &s->key
                  : !strcmp(elem, "ETag")                       ? &s->etag
                  : !strcmp(elem, "LastModified")               ? &s->lastmod
                  : !strcmp(elem, "Size")                       ? &s->size
                                                                : NULL;
    if (slot) {
      g_free(*slot);
      *slot = g_strdup(text);
    }
  } else if (!strcmp(elem, "EncodingType"))
    s->out->url_encoded = !strcmp(text, "url");
  else if (!strcmp(elem, "IsTruncated"))
    s->out->truncated = !strcmp(text, "true");
  else if (!strcmp(elem, "NextContinuationToken")) {
    g_free(s->out->next_token);
    s->out->next_token = g_strdup(text);
  }
}

/* encoding-type=url: %XX escapes, and '+' for a space (AWS; Ceph writes
 * %20 and a real '+' as %2B, so both read right). */
static char *
url_decode(const char *s)
{
  GString *o = g_string_new(NULL);
  for (; *s; s++) {
    if (*s == '+')
      g_string_append_c(o, ' ');
    else if (*s == '%' && g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2])) {
      g_string_append_c(o, (char)(g_ascii_xdigit_value(s[1]) * 16 +
                                  g_ascii_xdigit_value(s[2])));
      s += 2;
    } else
      g_string_append_c(o, *s);
  }
  return g_string_free(o, FALSE);
}

static void
list_end(void *user, const char *elem)
{
  ListState *s = user;
  bool is_prefix = !strcmp(elem, "CommonPrefixes");
  if (!is_prefix && strcmp(elem, "Contents") != 0)
    return;
  if (s->key && s->out->url_encoded) {
    char *k = url_decode(s->key);
    g_free(s->key);
    s->key = k;
  }
  if (s->key && g_str_has_prefix(s->key, s->prefix)) {
    const char *rest = s->key + s->plen;
    size_t n = strlen(rest);
    if (n == 0) {
      if (!is_prefix)
        s->out->saw_marker = true;
    } else {
      S3ListItem *it = g_new0(S3ListItem, 1);
      if (rest[n - 1] == '/') {
        /* "dir/" as a key (a listing without delimiter) or a prefix */
        n--;
        is_prefix = true;
      }
      it->name = g_strndup(rest, n);
      it->is_prefix = is_prefix;
      it->size = s->size ? g_ascii_strtoull(s->size, NULL, 10) : 0;
      it->mtime = s->lastmod ? s3_parse_iso_date(s->lastmod) : 0;
      it->etag = g_steal_pointer(&s->etag);
      g_ptr_array_add(s->out->items, it);
    }
  }
  g_clear_pointer(&s->key, g_free);
  g_clear_pointer(&s->etag, g_free);
  g_clear_pointer(&s->lastmod, g_free);
  g_clear_pointer(&s->size, g_free);
}

bool
s3_xml_list(const char *xml, size_t len, const char *prefix, S3List *out)
{
  ListState s = { out, prefix, strlen(prefix), NULL, NULL, NULL, NULL };
  Walk w = { .text_fn = list_text, .end_fn = list_end, .user = &s };
  bool ok;
  memset(out, 0, sizeof *out);
  out->items = g_ptr_array_new_with_free_func(item_free);
  ok = walk(xml, len, &w);
  g_free(s.key);
  g_free(s.etag);
  g_free(s.lastmod);
  g_free(s.size);
  return ok;
}

void
s3_list_clear(S3List *l)
{
  if (l->items)
    g_ptr_array_free(l->items, TRUE);
  g_free(l->next_token);
  memset(l, 0, sizeof *l);
}

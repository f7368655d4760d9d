/* pbi-immich-client-json.c: reading Immich's answers: whether a body is an
 * HTML page, JSON parsing with a nesting limit, and typed member access that
 * never trusts the server's types.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pbi-immich-client.h"
#include "pbi-immich-client-private.h"

gboolean
_pbi_immich_body_looks_like_html (Response *resp)
{
  gsize len;
  const gchar *data = g_bytes_get_data (resp->body, &len);
  gsize i;

  if (resp->content_type != NULL && strstr (resp->content_type, "html") != NULL)
    return TRUE;
  for (i = 0; i < len && g_ascii_isspace (data[i]); i++)
    ;
  return i < len && data[i] == '<';
}

/* Immich's answers nest a few levels; json-glib recurses once per level
 * and a hostile answer of 100,000 '[' overflows the stack. */
#define MAX_JSON_DEPTH 64

static gboolean
json_nesting_ok (const gchar *data,
                 gsize        len)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      gchar c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

JsonNode *
_pbi_immich_parse_json (Response *resp)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len;
  const gchar *data = g_bytes_get_data (resp->body, &len);

  if (len == 0 || !json_nesting_ok (data, len))
    return NULL;
  if (!json_parser_load_from_data (parser, data, len, NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

const gchar *
_pbi_immich_obj_string (JsonObject  *obj,
                        const gchar *member)
{
  JsonNode *node;

  if (obj == NULL)
    return NULL;
  node = json_object_get_member (obj, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
_pbi_immich_obj_bool (JsonObject  *obj,
                      const gchar *member,
                      gboolean    *out)
{
  JsonNode *node;

  node = obj ? json_object_get_member (obj, member) : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
_pbi_immich_obj_uint (JsonObject  *obj,
                      const gchar *member,
                      guint       *out)
{
  JsonNode *node;
  gint64 v;

  node = obj ? json_object_get_member (obj, member) : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  v = json_node_get_int (node);
  if (v < 0 || v > G_MAXUINT)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

/* @node's object, or NULL when @node is NULL or not an object. */
JsonObject *
_pbi_immich_node_object (JsonNode *node)
{
  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonObject *
_pbi_immich_obj_object (JsonObject  *obj,
                        const gchar *member)
{
  return _pbi_immich_node_object (obj ? json_object_get_member (obj, member) : NULL);
}

JsonArray *
_pbi_immich_obj_array (JsonObject  *obj,
                       const gchar *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

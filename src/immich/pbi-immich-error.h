/* pbi-immich-error.h
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PBI_IMMICH_ERROR (pbi_immich_error_quark ())

/**
 * PbiImmichError:
 * @PBI_IMMICH_ERROR_INVALID_URL: the server address is not a usable http(s) URL
 * @PBI_IMMICH_ERROR_UNREACHABLE: no answer: DNS failure, connection refused, timeout
 * @PBI_IMMICH_ERROR_TLS: the certificate is not trusted, or changed from the pinned one
 * @PBI_IMMICH_ERROR_UNAUTHORIZED: the API key is wrong (HTTP 401)
 * @PBI_IMMICH_ERROR_MISSING_PERMISSION: the key lacks a permission (HTTP 403); the message names it
 * @PBI_IMMICH_ERROR_NOT_IMMICH: the address answers, but not as an Immich API (HTML, 404 at the API)
 * @PBI_IMMICH_ERROR_NOT_FOUND: a thing the request names does not exist: the album was
 *   deleted (HTTP 400 "Album not found", or 404)
 * @PBI_IMMICH_ERROR_TOO_LARGE: the server or a proxy refused the body as too large (HTTP 413)
 * @PBI_IMMICH_ERROR_SERVER: the server failed (HTTP 5xx); may carry a Retry-After
 * @PBI_IMMICH_ERROR_BAD_RESPONSE: the answer could not be parsed or lacks fields
 * @PBI_IMMICH_ERROR_UNSUPPORTED_VERSION: the server is older than Immich 1.90
 * @PBI_IMMICH_ERROR_REJECTED: the server refused the request as invalid (HTTP 400/422)
 * @PBI_IMMICH_ERROR_FILE: the local file to upload could not be read
 * @PBI_IMMICH_ERROR_NO_ALBUM_ACCESS: the album exists, as far as the server lets
 *   on, but the key's user may not add photos to it (HTTP 400 "Not found or no
 *   albumAsset.create access"; before 1.116 "… album.addAsset access"): shared
 *   with them read-only, or their share was removed
 *
 * What went wrong talking to an Immich server, as codes a caller can act on.
 * Messages are for people; they never contain the API key.
 */
typedef enum
{
  PBI_IMMICH_ERROR_INVALID_URL,
  PBI_IMMICH_ERROR_UNREACHABLE,
  PBI_IMMICH_ERROR_TLS,
  PBI_IMMICH_ERROR_UNAUTHORIZED,
  PBI_IMMICH_ERROR_MISSING_PERMISSION,
  PBI_IMMICH_ERROR_NOT_IMMICH,
  PBI_IMMICH_ERROR_NOT_FOUND,
  PBI_IMMICH_ERROR_TOO_LARGE,
  PBI_IMMICH_ERROR_SERVER,
  PBI_IMMICH_ERROR_BAD_RESPONSE,
  PBI_IMMICH_ERROR_UNSUPPORTED_VERSION,
  PBI_IMMICH_ERROR_REJECTED,
  PBI_IMMICH_ERROR_FILE,
  PBI_IMMICH_ERROR_NO_ALBUM_ACCESS,
} PbiImmichError;

GQuark pbi_immich_error_quark (void);

gboolean pbi_immich_error_is_transient (const GError *error);

G_END_DECLS

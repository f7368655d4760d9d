/* pbi-immich-error.c
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pbi-immich-error.h"

G_DEFINE_QUARK (pbi-immich-error-quark, pbi_immich_error)

/**
 * pbi_immich_error_is_transient:
 * @error: (nullable): an error from the Immich client
 *
 * Whether trying the same request again later may succeed without anyone
 * changing anything: the server could not be reached, or it failed (5xx).
 * A wrong address, key, permission or certificate, a file too large for the
 * server, or a request it rejects stay wrong until a person acts.
 *
 * Returns: %TRUE for %PBI_IMMICH_ERROR_UNREACHABLE and %PBI_IMMICH_ERROR_SERVER
 */
gboolean
pbi_immich_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != PBI_IMMICH_ERROR)
    return FALSE;

  switch ((PbiImmichError) error->code)
    {
    case PBI_IMMICH_ERROR_UNREACHABLE:
    case PBI_IMMICH_ERROR_SERVER:
      return TRUE;

    case PBI_IMMICH_ERROR_INVALID_URL:
    case PBI_IMMICH_ERROR_TLS:
    case PBI_IMMICH_ERROR_UNAUTHORIZED:
    case PBI_IMMICH_ERROR_MISSING_PERMISSION:
    case PBI_IMMICH_ERROR_NOT_IMMICH:
    case PBI_IMMICH_ERROR_NOT_FOUND:
    case PBI_IMMICH_ERROR_TOO_LARGE:
    case PBI_IMMICH_ERROR_BAD_RESPONSE:
    case PBI_IMMICH_ERROR_UNSUPPORTED_VERSION:
    case PBI_IMMICH_ERROR_REJECTED:
    case PBI_IMMICH_ERROR_FILE:
    case PBI_IMMICH_ERROR_NO_ALBUM_ACCESS:
    default:
      return FALSE;
    }
}

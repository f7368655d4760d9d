/* main.c: starts the PhotoBooth Immich Sync app
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pbi-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(PbiApplication) app = pbi_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}

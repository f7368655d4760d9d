/* pbi-event-summary-page.h: "Event Summary": the event's report and chart
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

#define PBI_TYPE_EVENT_SUMMARY_PAGE (pbi_event_summary_page_get_type ())

G_DECLARE_FINAL_TYPE (PbiEventSummaryPage, pbi_event_summary_page, PBI, EVENT_SUMMARY_PAGE,
                      AdwBin)

GtkWidget *pbi_event_summary_page_new (PbiEngine *engine);

G_END_DECLS

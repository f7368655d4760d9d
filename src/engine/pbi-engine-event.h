/* pbi-engine-event.h: the event, start to finish: readiness check before,
 * a guest link during, verify and report after, and new events
 *
 * Every call that talks to the server is an _async/_finish pair; results
 * are boxed types a UI can show row by row.
 *
 * Copyright 2026 The PhotoBooth Immich Sync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pbi-engine.h"

G_BEGIN_DECLS

/**
 * PbiCheckStatus:
 * @PBI_CHECK_OK: fine
 * @PBI_CHECK_WARNING: works, but look at it
 * @PBI_CHECK_FAILED: the event cannot go ahead like this
 * @PBI_CHECK_SKIPPED: not run (an earlier check failed, or the server cannot tell)
 */
typedef enum
{
  PBI_CHECK_OK,
  PBI_CHECK_WARNING,
  PBI_CHECK_FAILED,
  PBI_CHECK_SKIPPED,
} PbiCheckStatus;

/**
 * PbiReadiness:
 * @PBI_READINESS_READY: every check passed
 * @PBI_READINESS_WARNINGS: ready, with warnings
 * @PBI_READINESS_NOT_READY: at least one check failed
 */
typedef enum
{
  PBI_READINESS_READY,
  PBI_READINESS_WARNINGS,
  PBI_READINESS_NOT_READY,
} PbiReadiness;

/**
 * PbiCheckRow:
 * @id: a stable name: `server`, `permissions`, `album`, `upload`,
 *   `booth-disk`, `server-disk`, `clock`
 * @title: what was checked, for people
 * @status: how it went
 * @figure: the measured figure, for people
 * @advice: (nullable): what to do when it is not OK
 */
typedef struct
{
  gchar          *id;
  gchar          *title;
  PbiCheckStatus  status;
  gchar          *figure;
  gchar          *advice;
} PbiCheckRow;

/**
 * PbiReadinessReport:
 * @verdict: ready, ready with warnings, not ready
 * @rows: (element-type PbiCheckRow): one row per check, in order
 * @server_version: (nullable): e.g. "3.1.0"
 * @user: (nullable): the key's user, "Name <email>"
 * @missing_permissions: (nullable): permissions the configured features
 *   need and the key lacks
 * @typical_size: bytes of a typical capture (the capture folder's median)
 * @test_photos: photos sent by the upload burst
 * @photos_per_minute: what the link uploads, measured
 * @bytes_per_second: the burst's throughput
 * @latency_ms: median time from the start of an upload to the photo in the album
 * @test_photos_removed: how the test photos went: "deleted", "trash", "kept"
 * @booth_free_photos: photos at the typical size that fit on the booth's disk
 * @server_free_photos: the same on the server; -1 when the key may not read it
 * @clock_skew_s: booth minus server, seconds
 */
typedef struct
{
  PbiReadiness  verdict;
  GPtrArray    *rows;
  gchar        *server_version;
  gchar        *user;
  GStrv         missing_permissions;
  gint64        typical_size;
  guint         test_photos;
  gdouble       photos_per_minute;
  gdouble       bytes_per_second;
  gdouble       latency_ms;
  gchar        *test_photos_removed;
  gint64        booth_free_photos;
  gint64        server_free_photos;
  gint64        clock_skew_s;
} PbiReadinessReport;

/**
 * PbiShareLink:
 * @id: the server's id of the link
 * @url: what guests open: `<external domain or server>/share/<key>`
 * @album_name: the album it shows
 * @expires_at: (nullable): when it stops working
 * @has_password: guests need a password
 * @allow_download: guests may download the photos
 * @reused: the link existed already (made by an earlier `share`)
 */
typedef struct
{
  gchar     *id;
  gchar     *url;
  gchar     *album_name;
  GDateTime *expires_at;
  gboolean   has_password;
  gboolean   allow_download;
  gboolean   reused;
} PbiShareLink;

/**
 * PbiShareOptions:
 * @expires_at: (nullable): when the link stops working; %NULL never
 * @password: (nullable): a password guests must type
 * @no_download: guests may only look
 */
typedef struct
{
  GDateTime   *expires_at;
  const gchar *password;
  gboolean     no_download;
} PbiShareOptions;

/**
 * PbiVerifyResult:
 * @photos: local photos checked
 * @on_server: of them, on the server (out of the trash, after fixing)
 * @in_album: of them, in the event album (after fixing)
 * @requeued: the server had lost them: queued again
 * @restored: they were in the server's trash: restored
 * @added_back: they were missing from the album: added back
 * @unsent: not synced before (never queued, failed or refused): sent now
 * @still_missing: not on the server or not in the album after fixing
 */
typedef struct
{
  guint photos;
  guint on_server;
  guint in_album;
  guint requeued;
  guint restored;
  guint added_back;
  guint unsent;
  guint still_missing;
} PbiVerifyResult;

/**
 * PbiReportHour:
 * @start: the hour, µs since the epoch
 * @captures: photos taken in that hour
 * @uploads: photos that reached the server in that hour (new or duplicate)
 */
typedef struct
{
  gint64 start;
  guint  captures;
  guint  uploads;
} PbiReportHour;

/**
 * PbiReportOutage:
 * @start: µs since the epoch
 * @length_s: seconds; until now when @ongoing
 * @state: "offline" (the server did not answer) or "error" (it refused us)
 * @message: (nullable): why
 * @ongoing: not over when the report was made
 */
typedef struct
{
  gint64    start;
  gdouble   length_s;
  gchar    *state;
  gchar    *message;
  gboolean  ongoing;
} PbiReportOutage;

/**
 * PbiEventReport:
 * @event_name: (nullable): the current event (new-event), if any
 * @since: µs since the epoch the figures start from
 * @until: when the report was made
 * @captures: photos taken since @since
 * @uploads: photos sent to the server (new to it)
 * @duplicates: photos the server already had
 * @failures: photos that failed or were refused and are not on the server
 * @pending: photos still waiting
 * @bytes_sent: bytes of the photos sent
 * @latency_p50_s: capture to server, median, seconds (-1 when none)
 * @latency_p95_s: capture to server, 95th percentile, seconds (-1 when none)
 * @hours: (element-type PbiReportHour): per hour
 * @outages: (element-type PbiReportOutage): every outage, oldest first
 * @capture_times: (element-type gint64): when each photo was taken, for the chart
 * @done_times: (element-type gint64): when each reached the server, for the chart
 */
typedef struct
{
  gchar     *event_name;
  gint64     since;
  gint64     until;
  guint      captures;
  guint      uploads;
  guint      duplicates;
  guint      failures;
  guint      pending;
  gint64     bytes_sent;
  gdouble    latency_p50_s;
  gdouble    latency_p95_s;
  GArray    *hours;
  GPtrArray *outages;
  GArray    *capture_times;
  GArray    *done_times;
} PbiEventReport;

#define PBI_TYPE_CHECK_ROW (pbi_check_row_get_type ())
#define PBI_TYPE_READINESS_REPORT (pbi_readiness_report_get_type ())
#define PBI_TYPE_SHARE_LINK (pbi_share_link_get_type ())
#define PBI_TYPE_VERIFY_RESULT (pbi_verify_result_get_type ())
#define PBI_TYPE_EVENT_REPORT (pbi_event_report_get_type ())

GType               pbi_check_row_get_type          (void) G_GNUC_CONST;
PbiCheckRow        *pbi_check_row_copy              (const PbiCheckRow        *row);
void                pbi_check_row_free              (PbiCheckRow              *row);
GType               pbi_readiness_report_get_type   (void) G_GNUC_CONST;
PbiReadinessReport *pbi_readiness_report_copy       (const PbiReadinessReport *report);
void                pbi_readiness_report_free       (PbiReadinessReport       *report);
GType               pbi_share_link_get_type         (void) G_GNUC_CONST;
PbiShareLink       *pbi_share_link_copy             (const PbiShareLink       *link);
void                pbi_share_link_free             (PbiShareLink             *link);
GType               pbi_verify_result_get_type      (void) G_GNUC_CONST;
PbiVerifyResult    *pbi_verify_result_copy          (const PbiVerifyResult    *result);
void                pbi_verify_result_free          (PbiVerifyResult          *result);
GType               pbi_event_report_get_type       (void) G_GNUC_CONST;
PbiEventReport     *pbi_event_report_copy           (const PbiEventReport     *report);
void                pbi_event_report_free           (PbiEventReport           *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiCheckRow, pbi_check_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiReadinessReport, pbi_readiness_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiShareLink, pbi_share_link_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiVerifyResult, pbi_verify_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PbiEventReport, pbi_event_report_free)

/* Before: at most about 30 s; burst_seconds (1–20, 0 = 20) bounds the upload burst. */
void                pbi_engine_check_readiness_async  (PbiEngine            *self,
                                                       guint                 burst_seconds,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
PbiReadinessReport *pbi_engine_check_readiness_finish (PbiEngine            *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* During: the event album's guest link, made or the one made before. */
void                pbi_engine_share_async            (PbiEngine            *self,
                                                       const PbiShareOptions *options,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
PbiShareLink       *pbi_engine_share_finish           (PbiEngine            *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* Deletes the link made before; FALSE with an error when there is none. */
void                pbi_engine_revoke_share_async     (PbiEngine            *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean            pbi_engine_revoke_share_finish    (PbiEngine            *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* After: every local photo (the media files of @folder, or every photo in
 * the queue) against the server and the event album, fixed where it can be. */
void                pbi_engine_verify_async           (PbiEngine            *self,
                                                       const gchar          *folder,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
PbiVerifyResult    *pbi_engine_verify_finish          (PbiEngine            *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* The event in figures since @since_us (0: since the current event began,
 * or everything when no event was started). Local: no server needed. */
PbiEventReport     *pbi_engine_build_report           (PbiEngine            *self,
                                                       gint64                since_us);
gboolean            pbi_event_report_write_chart      (const PbiEventReport *report,
                                                       const gchar          *png_path,
                                                       GError              **error);

/* A new event: album @name ("{date}" becomes today, YYYY-MM-DD) found or
 * made, the album setting switched, the counters started afresh. Returns
 * the album's name. */
void                pbi_engine_new_event_async        (PbiEngine            *self,
                                                       const gchar          *name,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gchar              *pbi_engine_new_event_finish       (PbiEngine            *self,
                                                       GAsyncResult         *result,
                                                       gboolean             *created,
                                                       GError              **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log: leveled messages to stderr, one line each, safe from any thread.
 *
 * log_warn() and log_err() never append strerror themselves; the *_errno
 * variants do, so the caller logs where the failure happened. */
#ifndef MEDSEARCH_LOG_H
#define MEDSEARCH_LOG_H

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERR, LOG_LEVEL_QUIET };

/* Messages below `level` are dropped (default LOG_LEVEL_INFO). */
void log_set_level(enum log_level level);
/* Program name printed before each line ("indexer"). Not copied. */
void log_set_ident(const char *ident);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As log_warn/log_err, with ": strerror(errno)" appended. */
void log_warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

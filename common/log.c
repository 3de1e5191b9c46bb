/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level cur_level = LOG_LEVEL_INFO;
static const char *cur_ident = "medsearch";

void log_set_level(enum log_level level) { cur_level = level; }
void log_set_ident(const char *ident) { cur_ident = ident; }

static void vlog(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
    static const char *names[] = { "debug", "info", "warn", "error" };
    int saved = errno;
    if (level < cur_level)
        return;
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    char when[32];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* One fprintf per line: stdio locks the stream, so lines never mix. */
    if (with_errno)
        fprintf(stderr, "%s %s[%s]: %s: %s\n", when, cur_ident, names[level], msg, strerror(saved));
    else
        fprintf(stderr, "%s %s[%s]: %s\n", when, cur_ident, names[level], msg);
    errno = saved;
}

#define DEFINE_LOG(name, level, with_errno)          \
    void name(const char *fmt, ...)                  \
    {                                                \
        va_list ap;                                  \
        va_start(ap, fmt);                           \
        vlog(level, with_errno, fmt, ap);            \
        va_end(ap);                                  \
    }
DEFINE_LOG(log_debug, LOG_LEVEL_DEBUG, 0)
DEFINE_LOG(log_info, LOG_LEVEL_INFO, 0)
DEFINE_LOG(log_warn, LOG_LEVEL_WARN, 0)
DEFINE_LOG(log_err, LOG_LEVEL_ERR, 0)
DEFINE_LOG(log_warn_errno, LOG_LEVEL_WARN, 1)
DEFINE_LOG(log_err_errno, LOG_LEVEL_ERR, 1)

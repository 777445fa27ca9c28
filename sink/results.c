/* results.c: what comes back from the parsers: records written whole,
 * their links to the frontier (within --depth and --scope), their
 * validators kept (--state); and the records of URLs that get no page. */
#include "common/compat.h"

#include "common/log.h"
#include "common/url.h"
#include "common/util.h"
#include "sink/frontier.h"
#include "sink/journal.h"
#include "sink/ledger.h"
#include "sink/record.h"
#include "sink/reqseed.h"
#include "sink/scope.h"
#include "sink/sink.h"
#include "sink/stats.h"
#include "sink/validators.h"
#include "sink/writer.h"

int sink_queue_url(struct sink *s, const char *url, uint32_t depth)
{
    int rc;

    if (!ledger_mark(s->ledger, url))
        return 0;
    rc = frontier_push(s->front, url, depth, now_ms());
    if (rc == -2)
        fatal("cannot queue '%s': the frontier spill file failed", url);
    if (rc < 0) {
        log_warn("not queued (no host): '%s'", url);
        return 0;
    }
    if (s->journal && journal_add(s->journal, url, depth) < 0)
        fatal("cannot write the journal");
    return 1;
}

static void write_record(struct sink *s, struct record *r)
{
    if (s->progress)
        stats_progress_clear(s->stp);
    if (writer_write(s->out, r) < 0)
        fatal("cannot write the output; stopping");
    if (s->sync == SYNC_ALWAYS && (writer_flush(s->out) < 0 ||
                                   journal_sync(s->journal, true, true) < 0))
        fatal("cannot sync the output; stopping");
    stats_count(s->stp, &r->meta);
}

/* The record of a URL that got no result: rule fields null. */
void sink_error_record(struct sink *s, struct lease *ls, int err)
{
    struct record r;
    int i;

    memset(&r, 0, sizeof(r));
    r.meta.depth = ls->depth;
    r.meta.error = (uint8_t)err;
    r.meta.fetched_at = wall_ms();
    r.url = ls->url;
    r.final_url = ls->url;
    r.content_type = "";
    for (i = 0; i < s->nulls.nfields && i < RECORD_MAX_FIELDS; i++) {
        r.fields[i].name = s->nulls.fields[i].name;
        r.fields[i].json = s->nulls.fields[i].json.data;
        r.fields[i].json_len = s->nulls.fields[i].json.len;
    }
    r.nfields = i;
    write_record(s, &r);
    sched_done(s, ls);
}

static void follow_links(struct sink *s, const struct lease *ls,
                         const char *p, size_t len)
{
    const char *end = p + len;

    if ((long)ls->depth >= s->depth)
        return;
    while (p < end) {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
        char *raw = xstrndup(p, n), *url;
        const char *why;
        p += n + 1;
        s->stp->links_seen++;
        if (!url_is_http(raw)) {
            free(raw);
            continue;
        }
        url = url_normalize(raw, &why);
        free(raw);
        if (!url)
            continue;
        if (scope_allows(s->scope, url))
            s->stp->links_queued += (uint64_t)sink_queue_url(s, url,
                                                            ls->depth + 1);
        free(url);
    }
}

/* Store a result's URL, depth and validators: a page's (2xx), a 304's
 * (the stored ones when it sent none), none for an error. */
static void keep_validators(struct sink *s, const struct lease *ls,
                            struct msg *m)
{
    const char *etag = "", *lastmod = "";
    char *old_etag = NULL, *old_lastmod = NULL;
    size_t elen = 0, llen = 0;
    bool ok = m->meta.error == ZS_OK;

    if (!s->validators || reqseed_is_key(ls->url))
        return;     /* a request seed is never sent conditionally */
    if (ok && (m->meta.status == MSG_STATUS_NOT_MODIFIED ||
               (m->meta.status >= 200 && m->meta.status <= 299))) {
        etag = msg_part(m, MSG_RESULT_ETAG, &elen);
        lastmod = msg_part(m, MSG_RESULT_LASTMOD, &llen);
    }
    if (ok && m->meta.status == MSG_STATUS_NOT_MODIFIED && !elen && !llen &&
        validators_get(s->validators, ls->url, &etag, &lastmod)) {
        /* copies: the put may replace the entry they live in */
        etag = old_etag = xstrdup(etag);
        lastmod = old_lastmod = xstrdup(lastmod);
        elen = strlen(etag);
        llen = strlen(lastmod);
    }
    if (validators_put(s->validators, ls->url, ls->depth, etag, elen,
                       lastmod, llen) < 0)
        log_warn("cannot store the validators of '%s'", ls->url);
    free(old_etag);
    free(old_lastmod);
}

void sink_on_result(struct sink *s, struct msg *m)
{
    struct lease *ls;
    struct record r;
    size_t len, ulen;
    const char *u, *links;
    int i;

    if (m->meta.type == MSG_TAKEN) {
        sched_on_taken(s, m);
        return;
    }
    if (m->meta.type != MSG_RESULT) {
        log_warn("unexpected message type %d on results", m->meta.type);
        return;
    }
    s->stp->results_bytes += MSG_HDR_LEN;
    for (i = 0; i < m->nparts; i++)
        s->stp->results_bytes += zmq_msg_size(&m->parts[i]);
    ls = ledger_find(s->ledger, m->meta.id);
    u = msg_part(m, 0, &ulen);
    if (!ls || ls->robots || strlen(ls->url) != ulen ||
        memcmp(ls->url, u, ulen)) {
        s->stp->late++;
        log_debug("dropped late duplicate id=%llu",
                  (unsigned long long)m->meta.id);
        return;
    }
    memset(&r, 0, sizeof(r));
    r.meta = m->meta;
    r.meta.depth = ls->depth;
    hist_add(&s->stp->turnaround, now_ms() - ls->sent_ms);
    stats_timings(s->stp, &m->meta);
    r.url = ls->url;
    r.final_url = msg_part_str(m, 1);
    r.content_type = msg_part_str(m, 2);
    for (i = MSG_RESULT_FIELDS; i < m->nparts && r.nfields < RECORD_MAX_FIELDS;
         i++) {
        const char *f = msg_part(m, i, &len);
        const char *z = memchr(f, '\0', len);
        if (!z)
            continue;
        r.fields[r.nfields].name = f;
        r.fields[r.nfields].json = z + 1;
        r.fields[r.nfields].json_len = len - (size_t)(z - f) - 1;
        r.nfields++;
    }
    /* New links reach the journal before the record reaches the output:
     * a page found done on resume never has links the journal lacks. */
    links = msg_part(m, 3, &len);
    follow_links(s, ls, links, len);
    keep_validators(s, ls, m);
    if (s->journal && journal_commit(s->journal) < 0)
        fatal("cannot write the journal");
    write_record(s, &r);
    free((char *)r.final_url);
    free((char *)r.content_type);
    sched_result(s, ls);
}

/* ------------------------------------------------------------------ */
/* dispatch and leases                                                 */

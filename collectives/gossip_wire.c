/*
 * gossip_wire.c - the gossip messages (gossip.h draws them): building one,
 * and parsing one with every count and length checked before anything is
 * applied, so a malformed or hostile message is refused whole.
 */
#include "ordo_config.h"

#include "collectives/gossip.h"

#include <stdio.h>
#include <string.h>

#define DIGEST_SIZE sizeof(ordo__gossip_digest_t)
#define REC_SIZE    sizeof(ordo__gossip_rec_hdr_t)

#define BAD(...)                                                                                   \
    do {                                                                                           \
        snprintf(why, why_len, __VA_ARGS__);                                                       \
        return ORDO_ERR_MSG;                                                                       \
    } while (0)

int ordo__gossip_parse(const void *msg, size_t len, int size, ordo__gossip_view_t *v, char *why,
                       size_t why_len)
{
    const uint8_t *p = msg, *end = p + len;
    memset(v, 0, sizeof(*v));
    if (!msg || len < sizeof(v->h))
        BAD("%zu bytes, shorter than a header (%zu)", len, sizeof(v->h));
    memcpy(&v->h, p, sizeof(v->h));
    p += sizeof(v->h);
    const ordo__gossip_hdr_t *h = &v->h;
    if (h->version != ORDO__GOSSIP_VERSION)
        BAD("version %u (this rank speaks %u)", h->version, ORDO__GOSSIP_VERSION);
    if (h->kind != ORDO__GOSSIP_PUSH && h->kind != ORDO__GOSSIP_PULL)
        BAD("kind %u", h->kind);
    if (h->kind == ORDO__GOSSIP_PULL && (h->ndigest || h->bitmap_len))
        BAD("an answer with a digest (%u entries, bitmap of %u bytes)", h->ndigest, h->bitmap_len);
    if (h->ndigest > (uint32_t)size)
        BAD("%u digest entries for %d ranks", h->ndigest, size);
    if (h->bitmap_len && h->bitmap_len != ((uint32_t)size + 7) / 8)
        BAD("a bitmap of %u bytes for %d ranks", h->bitmap_len, size);
    if ((size_t)(end - p) < (size_t)h->ndigest * DIGEST_SIZE + h->bitmap_len)
        BAD("%zu bytes, too short for %u digest entries and a bitmap of %u bytes", len, h->ndigest,
            h->bitmap_len);
    v->digest = p;
    for (uint32_t i = 0; i < h->ndigest; i++) {
        ordo__gossip_digest_t d;
        ordo__gossip_digest_at(v, i, &d);
        if (d.origin >= (uint32_t)size)
            BAD("digest entry %u names rank %u of %d", i, d.origin, size);
    }
    p += (size_t)h->ndigest * DIGEST_SIZE;
    v->bitmap = h->bitmap_len ? p : NULL;
    p += h->bitmap_len;
    v->recs = p;
    for (unsigned i = 0; i < h->nrec; i++) {
        ordo__gossip_rec_hdr_t r;
        if ((size_t)(end - p) < REC_SIZE)
            BAD("record %u of %u cut short", i, h->nrec);
        memcpy(&r, p, REC_SIZE);
        if (r.kind != ORDO__GOSSIP_DATA && r.kind != ORDO__GOSSIP_MEMBER)
            BAD("record %u of kind %u", i, r.kind);
        if (r.origin >= (uint32_t)size)
            BAD("record %u names rank %u of %d", i, r.origin, size);
        if (r.len > ORDO_GOSSIP_MAX_RECORD)
            BAD("record %u of %u bytes (at most %d)", i, r.len, ORDO_GOSSIP_MAX_RECORD);
        if (r.kind == ORDO__GOSSIP_MEMBER && (r.len != sizeof(uint64_t) || r.seq >= (uint64_t)size))
            BAD("membership record %u: %u bytes, reporter %llu", i, r.len,
                (unsigned long long)r.seq);
        if ((size_t)(end - p) < REC_SIZE + r.len)
            BAD("record %u of %u: its %u bytes cut short", i, h->nrec, r.len);
        p += REC_SIZE + r.len;
    }
    if (p != end)
        BAD("%zu bytes after the last record", (size_t)(end - p));
    return ORDO_OK;
}

const uint8_t *ordo__gossip_next_rec(const uint8_t *p, ordo__gossip_rec_hdr_t *h,
                                     const uint8_t **data)
{
    memcpy(h, p, REC_SIZE);
    *data = p + REC_SIZE;
    return p + REC_SIZE + h->len;
}

void ordo__gossip_digest_at(const ordo__gossip_view_t *v, uint32_t i, ordo__gossip_digest_t *d)
{
    memcpy(d, v->digest + (size_t)i * DIGEST_SIZE, DIGEST_SIZE);
}

void ordo__gossip_begin(ordo__gossip_writer_t *w, void *buf, size_t cap, int kind, uint32_t round)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = cap;
    w->len = sizeof(w->h);
    w->h.version = ORDO__GOSSIP_VERSION;
    w->h.kind = (uint8_t)kind;
    w->h.round = round;
}

/* The digest and the bitmap come before any record, and the caller sizes
 * the buffer for them (gossip.c: msg_max). */
void ordo__gossip_add_digest(ordo__gossip_writer_t *w, uint32_t origin, uint64_t next)
{
    ordo__gossip_digest_t d = {.origin = origin, .next = next};
    memcpy(w->buf + w->len, &d, DIGEST_SIZE);
    w->len += DIGEST_SIZE;
    w->h.ndigest++;
}

void ordo__gossip_add_bitmap(ordo__gossip_writer_t *w, const uint8_t *bitmap, uint32_t len)
{
    memcpy(w->buf + w->len, bitmap, len);
    w->len += len;
    w->h.bitmap_len = len;
}

int ordo__gossip_add_rec(ordo__gossip_writer_t *w, const ordo__gossip_rec_hdr_t *h,
                         const void *data)
{
    if (w->h.nrec == UINT16_MAX || w->cap - w->len < REC_SIZE + h->len)
        return 0;
    memcpy(w->buf + w->len, h, REC_SIZE);
    if (h->len)
        memcpy(w->buf + w->len + REC_SIZE, data, h->len);
    w->len += REC_SIZE + h->len;
    w->h.nrec++;
    return 1;
}

size_t ordo__gossip_end(ordo__gossip_writer_t *w)
{
    memcpy(w->buf, &w->h, sizeof(w->h));
    return w->len;
}

/* arena.c: mmap-backed bump allocation for one page's parse tree. */
#include "common/compat.h"

#include <sys/mman.h>

#include "common/log.h"
#include "parser/arena.h"

#define ARENA_CHUNK (4u << 20)
#define ARENA_KEEP ((size_t)64 << 20)  /* chunks kept between pages */
#define ARENA_ALIGN 16

struct arena_chunk {
    struct arena_chunk *next;   /* older chunk */
    size_t size;                /* bytes mapped, header included */
};

volatile int arena_overflowed;
void (*arena_on_overflow)(void);

#define HDR ((sizeof(struct arena_chunk) + ARENA_ALIGN - 1) & \
             ~(size_t)(ARENA_ALIGN - 1))

void arena_init(struct arena *a, size_t max)
{
    memset(a, 0, sizeof(*a));
    a->max = max;
}

static struct arena_chunk *chunk_new(size_t need)
{
    size_t size = need + HDR > ARENA_CHUNK ? need + HDR : ARENA_CHUNK;
    struct arena_chunk *c;

    size = (size + 4095) & ~(size_t)4095;
    c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    if (c == MAP_FAILED)
        return NULL;
    c->next = NULL;
    c->size = size;
    return c;
}

void *arena_gumbo_alloc(void *userdata, size_t n)
{
    struct arena *a = userdata;
    struct arena_chunk *c = a->chunks;
    void *p;

    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (!c || a->used + n > c->size) {
        /* a kept chunk first: no new mapping, no page faults */
        if (a->spare && a->spare->size >= n + HDR) {
            c = a->spare;
            a->spare = c->next;
            c->next = a->chunks;
            a->chunks = c;
            a->used = HDR;
            goto take;
        }
        if (a->total + n + HDR > a->max || !(c = chunk_new(n))) {
            arena_overflowed = 1;
            if (arena_on_overflow)
                arena_on_overflow();
            fatal("parse arena over its cap (%zu bytes)", a->max);
        }
        c->next = a->chunks;
        a->chunks = c;
        a->total += c->size;
        a->used = HDR;
    }
take:
    p = (char *)c + a->used;
    a->used += n;
    return p;
}

void arena_gumbo_free(void *userdata, void *p)
{
    (void)userdata;
    (void)p;
}

void arena_reset(struct arena *a)
{
    struct arena_chunk *c = a->chunks, *next;
    size_t kept = 0;

    /* ordinary chunks go to the spare list up to ARENA_KEEP bytes; big
     * ones and the rest are unmapped */
    for (c = a->spare; c; c = c->next)
        kept += c->size;
    for (c = a->chunks; c; c = next) {
        next = c->next;
        if (c->size == ARENA_CHUNK && kept + c->size <= ARENA_KEEP) {
            c->next = a->spare;
            a->spare = c;
            kept += c->size;
        } else {
            a->total -= c->size;
            munmap(c, c->size);
        }
    }
    a->chunks = NULL;
    a->used = 0;
}

void arena_release(struct arena *a)
{
    struct arena_chunk *c, *next;

    arena_reset(a);
    for (c = a->spare; c; c = next) {
        next = c->next;
        munmap(c, c->size);
    }
    a->spare = NULL;
    a->total = 0;
}

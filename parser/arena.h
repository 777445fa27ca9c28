/* arena.h: a bump allocator for gumbo (GumboOptions.allocator): a page's
 * whole tree is freed at once by arena_reset(), with no recursive free
 * (deep trees) and no per-node free().  Chunks come from mmap, not malloc,
 * so a parse interrupted by the parse timer leaves no lock held. */
#ifndef ZS_ARENA_H
#define ZS_ARENA_H

#include "common/compat.h"

struct arena_chunk;

struct arena {
    struct arena_chunk *chunks; /* in use, newest first */
    struct arena_chunk *spare;  /* kept for the next page */
    size_t used;                /* bytes handed out from the newest */
    size_t total;               /* bytes mapped in all chunks */
    size_t max;                 /* hard cap: allocations past it fail */
};

void arena_init(struct arena *a, size_t max);
/* Free everything at once; up to 64 MB of chunks are kept for the next
 * page (mapped memory that is already faulted in). */
void arena_reset(struct arena *a);
void arena_release(struct arena *a);
/* gumbo's allocator and deallocator; userdata is the arena.  Past the cap
 * the allocator longjmps through arena_overflow (set by the caller). */
void *arena_gumbo_alloc(void *userdata, size_t n);
void arena_gumbo_free(void *userdata, void *p);

/* Set by arena_gumbo_alloc when the cap was hit (the caller's jump
 * handler reads it). */
extern volatile int arena_overflowed;
/* Called when the cap is hit; must not return (the parse is abandoned). */
extern void (*arena_on_overflow)(void);

#endif

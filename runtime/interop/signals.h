/*
 * signals.h — what the interposed signal functions tell the blocking-call wrappers.
 */
#ifndef ALASKA_INTEROP_SIGNALS_H
#define ALASKA_INTEROP_SIGNALS_H

#include "os/defs.h"

/* Handlers of the program started on this thread so far. A blocking call that failed with
 * EINTR while this did not change was interrupted by the barrier's signal alone: it is
 * resumed, as the program would have seen no signal natively. */
extern __thread unsigned alaska_user_signals ALASKA_TLS_IE;

#endif /* ALASKA_INTEROP_SIGNALS_H */

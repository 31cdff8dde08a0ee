package io.github.chatserver.server.session;

import java.util.ArrayList;
import java.util.List;
import org.apache.mina.core.session.IoSession;

/**
 * The scope of one read: while a thread handles the packets decoded from one read of a connection,
 * the tracked writes it makes are queued per recipient and flushed when the read has been handled
 * ({@link TrackedWrites}), one write per recipient instead of one per packet. Opened and closed by
 * the transport's coalescing filter around each read, and by the offline delivery around the
 * writing of one page; elsewhere a thread has no scope open and writes at once.
 */
public final class WriteCoalescing {
    /** One per thread that has opened a scope, reused from scope to scope. */
    private static final ThreadLocal<WriteCoalescing> SCOPES = new ThreadLocal<>();

    /** Sessions with queued frames this read must flush, in the order they were first written to. */
    private final List<IoSession> toFlush = new ArrayList<>();
    private boolean open;

    private WriteCoalescing() {
    }

    /** Opens the scope on this thread; returns null (nothing to close) if it is open already. */
    public static WriteCoalescing open() {
        WriteCoalescing scope = SCOPES.get();
        if (scope == null) {
            scope = new WriteCoalescing();
            SCOPES.set(scope);
        } else if (scope.open) {
            return null;
        }
        scope.open = true;
        return scope;
    }

    /** Ends the scope: flushes every session written to within it. */
    public void close() {
        open = false;
        try {
            for (IoSession session : toFlush) {
                TrackedWrites.flush(session);
            }
        } finally {
            toFlush.clear();
        }
    }

    /** Defers the flush of {@code session} to the end of this thread's scope; false if none is open. */
    static boolean defer(IoSession session) {
        WriteCoalescing scope = SCOPES.get();
        if (scope == null || !scope.open) {
            return false;
        }
        scope.toFlush.add(session);
        return true;
    }
}

package io.github.chatserver.server.storage.retry;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.redisson.client.RedisException;

/**
 * What a failed attempt tells about the write. Only a refusal counts against it: an error reply
 * Redis gave to this very command (a script error such as WRONGTYPE, which Redisson reports as a
 * plain {@link RedisException} with no cause), or a command that could not even be built (an
 * exception of our own code). The same write would be refused again, so it may be given up once
 * Redis has refused it often enough while taking others.
 *
 * <p>Everything else leaves the write's fate unknown, or says "later", and is never held against
 * it: a timeout (a hung Redis runs the queued command when it resumes, or dies with it), a lost or
 * refused connection (Redisson wraps it in a plain {@link RedisException} too, with the network
 * failure as its cause), a client shutting down, or a reply that Redis cannot serve yet (LOADING,
 * BUSY, TRYAGAIN, OOM: the subclasses of {@link RedisException}). Such a write is kept and tried
 * again until Redis takes it; it is idempotent, so running twice does no harm.
 * {@code AttemptFailureTest} checks these readings against a real Redis.
 */
final class AttemptFailure {
    private AttemptFailure() {
    }

    static boolean isRefusal(Throwable failure) {
        Throwable f = failure;
        while ((f instanceof CompletionException || f instanceof ExecutionException) && f.getCause() != null) {
            f = f.getCause();
        }
        if (f instanceof RedisException) {
            return f.getClass() == RedisException.class && f.getCause() == null;
        }
        return !(f instanceof CancellationException || f instanceof TimeoutException || f instanceof IOException);
    }
}

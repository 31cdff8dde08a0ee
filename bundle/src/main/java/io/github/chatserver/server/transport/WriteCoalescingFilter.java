package io.github.chatserver.server.transport;

import io.github.chatserver.server.session.WriteCoalescing;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;

/**
 * Brackets the handling of each read: the codec behind this filter decodes every packet in the
 * read and the handler handles them on this thread before {@code messageReceived} returns, so the
 * tracked writes they make can be gathered per recipient and written once at the end
 * ({@link WriteCoalescing}). Placed right in front of the codec.
 */
public final class WriteCoalescingFilter extends IoFilterAdapter {
    @Override
    public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
        WriteCoalescing scope = WriteCoalescing.open();
        try {
            next.messageReceived(session, message);
        } finally {
            if (scope != null) {
                scope.close();
            }
        }
    }
}

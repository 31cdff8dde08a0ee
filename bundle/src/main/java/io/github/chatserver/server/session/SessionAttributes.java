package io.github.chatserver.server.session;

import java.util.function.Supplier;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;

/** Per-session state kept in a session attribute, created on first use, even when threads race. */
public final class SessionAttributes {
    private SessionAttributes() {
    }

    @SuppressWarnings("unchecked")
    public static <T> T getOrCreate(IoSession session, AttributeKey key, Supplier<T> create) {
        T value = (T) session.getAttribute(key);
        if (value == null) {
            T created = create.get();
            T raced = (T) session.setAttributeIfAbsent(key, created);
            value = raced != null ? raced : created;
        }
        return value;
    }
}

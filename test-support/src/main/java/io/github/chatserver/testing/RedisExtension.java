package io.github.chatserver.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one private redis-server per test class and stops it by PID afterwards. Tests get it
 * as a {@link RedisServer} parameter. Use with {@code @ExtendWith(RedisExtension.class)}; add
 * {@link PersistentRedis @PersistentRedis} for a server whose data survives a restart.
 */
public class RedisExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RedisExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        context.getStore(NS).put(testClass, testClass.isAnnotationPresent(PersistentRedis.class)
                ? RedisServer.startPersistent() : RedisServer.start());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisServer server = context.getStore(NS).remove(context.getRequiredTestClass(), RedisServer.class);
        if (server != null) {
            server.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RedisServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NS).get(context.getRequiredTestClass(), RedisServer.class);
    }
}

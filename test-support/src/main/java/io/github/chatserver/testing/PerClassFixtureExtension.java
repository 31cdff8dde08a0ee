package io.github.chatserver.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one fixture per test class before its tests and closes it after them (which stops its
 * processes by PID). Tests, and {@code @BeforeAll} methods, get it as a parameter of its type.
 */
abstract class PerClassFixtureExtension<T extends AutoCloseable>
        implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private final Class<T> type;
    private final ExtensionContext.Namespace namespace;

    PerClassFixtureExtension(Class<T> type) {
        this.type = type;
        this.namespace = ExtensionContext.Namespace.create(getClass());
    }

    /** Starts the fixture for the test class of {@code context}. */
    abstract T start(ExtensionContext context);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(namespace).put(context.getRequiredTestClass(), start(context));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        T fixture = context.getStore(namespace).remove(context.getRequiredTestClass(), type);
        if (fixture != null) {
            fixture.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == type;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(namespace).get(context.getRequiredTestClass(), type);
    }
}

package io.github.chatserver.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test class using {@link RedisExtension}: its server is {@link RedisServer#startPersistent()
 * persistent}, so the tests can stop and restart it without losing what it acknowledged.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface PersistentRedis {
}

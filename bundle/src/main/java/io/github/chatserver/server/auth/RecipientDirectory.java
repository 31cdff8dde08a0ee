package io.github.chatserver.server.auth;

import io.github.chatserver.server.config.AuthSettings;
import io.github.chatserver.server.storage.UserStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Whether a uuid may receive messages: in authMode {@code password} a registered user, in
 * {@code token} a user who has logged in at least once, in {@code open} anyone. Without this
 * check anyone could fill Redis with offline queues for made-up users.
 *
 * <p>A positive answer is remembered on this node for {@link #REMEMBER}, so a conversation costs
 * one Redis read per recipient and period, not one per message; a negative answer is not
 * remembered (a newly registered user is reachable at once). Hence a removed user may still get
 * messages on a node for up to {@link #REMEMBER}.
 */
public final class RecipientDirectory {
    public static final Duration REMEMBER = Duration.ofSeconds(30);
    static final int MAX_REMEMBERED = 10_000;
    private static final CompletionStage<Boolean> YES = CompletableFuture.completedFuture(true);

    private final Function<String, CompletionStage<Boolean>> lookup;
    private final LongSupplier clock;
    private final Map<String, Long> rememberedUntil = new ConcurrentHashMap<>();

    RecipientDirectory(Function<String, CompletionStage<Boolean>> lookup, LongSupplier nanoClock) {
        this.lookup = lookup;
        this.clock = nanoClock;
    }

    /** The directory of the configured mode (in open mode everyone exists). */
    public static RecipientDirectory forSettings(AuthSettings settings, UserStore users) {
        return switch (settings.mode()) {
            case AuthSettings.PASSWORD -> new RecipientDirectory(users::isRegistered, System::nanoTime);
            case AuthSettings.TOKEN -> new RecipientDirectory(users::isKnown, System::nanoTime);
            default -> new RecipientDirectory(null, System::nanoTime);
        };
    }

    /** True if every uuid exists (authMode open): callers may skip the check altogether. */
    public boolean acceptsEveryone() {
        return lookup == null;
    }

    /** Completes with whether the uuid may receive messages; exceptionally if Redis failed. */
    public CompletionStage<Boolean> exists(String uuid) {
        if (lookup == null) {
            return YES;
        }
        long now = clock.getAsLong();
        Long until = rememberedUntil.get(uuid);
        if (until != null && now - until < 0) {
            return YES;
        }
        return lookup.apply(uuid).thenApply(exists -> {
            if (exists) {
                remember(uuid, now);
            }
            return exists;
        });
    }

    private void remember(String uuid, long now) {
        if (rememberedUntil.size() >= MAX_REMEMBERED) {
            rememberedUntil.values().removeIf(until -> now - until >= 0);
            if (rememberedUntil.size() >= MAX_REMEMBERED) {
                rememberedUntil.clear(); // crude, but bounded: at worst some extra Redis reads
            }
        }
        rememberedUntil.put(uuid, now + REMEMBER.toNanos());
    }
}

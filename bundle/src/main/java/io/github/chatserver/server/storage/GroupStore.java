package io.github.chatserver.server.storage;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Discussion groups in Redis: a hash per group (name, owner, created), a set of its members, and a
 * set of groups per user. Every change that checks a rule (exists, owner, limits) and then writes
 * is one Lua script, so it is atomic whatever other nodes do at the same time.
 */
public final class GroupStore {
    private static final String USER_PREFIX = "chat:user:";
    private static final String USER_SUFFIX = ":groups";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** 128 random bits: ids cannot be guessed, so knowing an id is what lets one join. */
    private static final int ID_BYTES = 16;

    /** Outcomes of a change, as the scripts return them. */
    public enum Outcome { OK, NO_GROUP, ALREADY, NOT_MEMBER, FULL, TOO_MANY_GROUPS, OWNER, NOT_OWNER }

    private static final String BUILD = """
            if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[5]) then return 'TOO_MANY_GROUPS' end
            if redis.call('EXISTS', KEYS[1]) == 1 then return 'ALREADY' end
            redis.call('HSET', KEYS[1], 'name', ARGV[2], 'owner', ARGV[3], 'created', ARGV[4])
            redis.call('SADD', KEYS[2], ARGV[3])
            redis.call('SADD', KEYS[3], ARGV[1])
            return 'OK'
            """;
    /*
     * Join, leave and disband return {outcome, name, owner, members...}: the group as the change
     * left it (for disband, as it was), so the notices go out without another read.
     */
    private static final String JOIN = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'NO_GROUP'} end
            local g = redis.call('HMGET', KEYS[1], 'name', 'owner')
            local outcome = 'OK'
            if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then outcome = 'ALREADY'
            elseif redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[3]) then outcome = 'FULL'
            elseif redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[4]) then outcome = 'TOO_MANY_GROUPS'
            else
              redis.call('SADD', KEYS[2], ARGV[2])
              redis.call('SADD', KEYS[3], ARGV[1])
            end
            local result = {outcome, g[1], g[2]}
            for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do table.insert(result, member) end
            return result
            """;
    private static final String LEAVE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'NO_GROUP'} end
            local g = redis.call('HMGET', KEYS[1], 'name', 'owner')
            local outcome = 'OK'
            if g[2] == ARGV[2] then outcome = 'OWNER'
            elseif redis.call('SREM', KEYS[2], ARGV[2]) == 0 then outcome = 'NOT_MEMBER'
            else redis.call('SREM', KEYS[3], ARGV[1])
            end
            local result = {outcome, g[1], g[2]}
            for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do table.insert(result, member) end
            return result
            """;
    private static final String DISBAND = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return {'NO_GROUP'} end
            local g = redis.call('HMGET', KEYS[1], 'name', 'owner')
            if g[2] ~= ARGV[2] then return {'NOT_OWNER', g[1], g[2]} end
            local result = {'OK', g[1], g[2]}
            for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              redis.call('SREM', ARGV[3] .. member .. ARGV[4], ARGV[1])
              table.insert(result, member)
            end
            redis.call('DEL', KEYS[1], KEYS[2])
            return result
            """;

    private final RedissonClient redisson;
    private final InFlight inFlight;

    GroupStore(RedissonClient redisson, InFlight inFlight) {
        this.redisson = redisson;
        this.inFlight = inFlight;
    }

    public static String newGroupId() {
        byte[] bytes = new byte[ID_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** True for text that could be an id this server made: 22 URL-safe base64 characters. */
    public static boolean isWellFormedId(String id) {
        return id != null && id.length() == 22 && id.chars().allMatch(c ->
                (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    }

    public CompletionStage<Outcome> build(String id, String name, String owner, long createdAt, int maxGroupsPerUser) {
        return outcome(BUILD, List.of(groupKey(id), membersKey(id), userGroupsKey(owner)),
                id, name, owner, Long.toString(createdAt), Integer.toString(maxGroupsPerUser));
    }

    /** Adds a member within the limits; the group in the result has the members after the change. */
    public CompletionStage<Change> join(String id, String user, int maxMembers, int maxGroupsPerUser) {
        return change(JOIN, List.of(groupKey(id), membersKey(id), userGroupsKey(user)), id,
                id, user, Integer.toString(maxMembers), Integer.toString(maxGroupsPerUser));
    }

    /** Removes a member (never the owner); the group in the result has the remaining members. */
    public CompletionStage<Change> leave(String id, String user) {
        return change(LEAVE, List.of(groupKey(id), membersKey(id), userGroupsKey(user)), id, id, user);
    }

    /** Removes the group and all its data if {@code user} owns it; the result has the group as it was. */
    public CompletionStage<Change> disband(String id, String user) {
        return change(DISBAND, List.of(groupKey(id), membersKey(id)), id, id, user, USER_PREFIX, USER_SUFFIX);
    }

    /** What a membership change did, and the group it concerned ({@code null} if there is no such group). */
    public record Change(Outcome outcome, GroupRecord group) {
    }

    private CompletionStage<Change> change(String lua, List<Object> keys, String id, Object... args) {
        CompletionStage<List<Object>> result = inFlight.track(redisson.getScript(StringCodec.INSTANCE).evalAsync(
                RScript.Mode.READ_WRITE, lua, RScript.ReturnType.LIST, keys, args));
        return result.thenApply(list -> {
            Outcome outcome = Outcome.valueOf((String) list.get(0));
            if (list.size() < 3) {
                return new Change(outcome, null);
            }
            Set<String> members = new LinkedHashSet<>();
            for (Object m : list.subList(3, list.size())) {
                members.add((String) m);
            }
            return new Change(outcome, new GroupRecord(id, (String) list.get(1), (String) list.get(2), 0, members));
        });
    }

    /** The group with its members, or {@code null} if there is no such group. */
    public CompletionStage<GroupRecord> find(String id) {
        RBatch batch = redisson.createBatch();
        batch.<String, String>getMap(groupKey(id), StringCodec.INSTANCE).readAllMapAsync();
        batch.<String>getSet(membersKey(id), StringCodec.INSTANCE).readAllAsync();
        return inFlight.track(batch.executeAsync()).thenApply(r -> recordOf(id, r, 0));
    }

    /** Every group the user belongs to, with members, in one pipelined round trip after the index read. */
    public CompletionStage<List<GroupRecord>> groupsOf(String user) {
        CompletionStage<Set<String>> ids = inFlight.track(
                redisson.<String>getSet(userGroupsKey(user), StringCodec.INSTANCE).readAllAsync());
        return ids.thenCompose(groupIds -> {
            if (groupIds.isEmpty()) {
                return CompletableFuture.completedFuture(List.<GroupRecord>of());
            }
            List<String> ordered = new ArrayList<>(groupIds);
            RBatch batch = redisson.createBatch();
            for (String id : ordered) {
                batch.<String, String>getMap(groupKey(id), StringCodec.INSTANCE).readAllMapAsync();
                batch.<String>getSet(membersKey(id), StringCodec.INSTANCE).readAllAsync();
            }
            return inFlight.track(batch.executeAsync()).thenApply(r -> {
                List<GroupRecord> groups = new ArrayList<>();
                for (int i = 0; i < ordered.size(); i++) {
                    GroupRecord g = recordOf(ordered.get(i), r, 2 * i);
                    if (g != null) {
                        groups.add(g);
                    }
                }
                return groups;
            });
        });
    }

    /** The members of a group, read from Redis (the membership cache sits in front of this). */
    public CompletionStage<Set<String>> members(String id) {
        return inFlight.track(redisson.<String>getSet(membersKey(id), StringCodec.INSTANCE).readAllAsync());
    }

    @SuppressWarnings("unchecked")
    private static GroupRecord recordOf(String id, BatchResult<?> result, int offset) {
        Map<String, String> fields = (Map<String, String>) result.getResponses().get(offset);
        Set<String> members = (Set<String>) result.getResponses().get(offset + 1);
        if (fields == null || fields.isEmpty()) {
            return null;
        }
        return new GroupRecord(id, fields.get("name"), fields.get("owner"),
                Long.parseLong(fields.getOrDefault("created", "0")), new HashSet<>(members));
    }

    private CompletionStage<Outcome> outcome(String lua, List<Object> keys, Object... args) {
        CompletionStage<String> result = inFlight.track(redisson.getScript(StringCodec.INSTANCE).evalAsync(
                RScript.Mode.READ_WRITE, lua, RScript.ReturnType.VALUE, keys, args));
        return result.thenApply(Outcome::valueOf);
    }

    static String groupKey(String id) {
        return "chat:group:{" + id + "}";
    }

    static String membersKey(String id) {
        return "chat:group:{" + id + "}:members";
    }

    static String userGroupsKey(String user) {
        return USER_PREFIX + user + USER_SUFFIX;
    }
}

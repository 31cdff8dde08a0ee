package io.github.chatserver.server.handler;

import io.github.chatserver.codec.Packet;
import io.github.chatserver.codec.ProtocolViolation;
import io.github.chatserver.protocol.PbClientBuildGroup;
import io.github.chatserver.protocol.PbClientDisbandGroup;
import io.github.chatserver.protocol.PbClientJoinGroup;
import io.github.chatserver.protocol.PbClientLeaveGroup;
import io.github.chatserver.protocol.PbClientRequestGroupInfo;
import io.github.chatserver.protocol.PbGroupInfo;
import io.github.chatserver.protocol.PbServerNotifyBuildGroup;
import io.github.chatserver.protocol.PbServerNotifyDisbandGroup;
import io.github.chatserver.protocol.PbServerNotifyJoinGroup;
import io.github.chatserver.protocol.PbServerNotifyLeaveGroup;
import io.github.chatserver.protocol.PbServerResponseGroupInfo;
import io.github.chatserver.server.config.Limits;
import io.github.chatserver.server.session.ClientState;
import io.github.chatserver.server.session.TrackedWrites;
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.GroupRecord;
import io.github.chatserver.server.storage.GroupStore;
import io.github.chatserver.server.storage.GroupStore.Change;
import io.github.chatserver.server.storage.GroupStore.Outcome;
import io.github.chatserver.server.storage.retry.Write;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group management: info (11/12), build (13/14), disband (15/16), join (17/18), leave (19/20).
 *
 * <p>How refusals are answered, since the protocol has a success flag only on 14 and 16: a
 * refused build is a 14 with {@code build=false} and the reason; a refused disband, and an owner's
 * attempt to leave, are a 16 with {@code disband=false} and the reason; a join or leave of a group
 * the user is not (or cannot be) in, and a non-member's group text, are answered with a 20 naming
 * the user as leaver: "you are not in this group". Join and leave notices go to online members
 * only and are never stored.
 */
public final class GroupHandler implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(GroupHandler.class);

    private final ServerContext context;

    GroupHandler(ServerContext context) {
        this.context = context;
    }

    @Override
    public CompletionStage<?> handle(IoSession session, Packet packet) throws ProtocolViolation {
        switch (packet.type()) {
            case CLIENT_REQUEST_GROUP_INFO:
                return info(session, packet.body(PbClientRequestGroupInfo.class));
            case CLIENT_BUILD_GROUP:
                return build(session, packet.body(PbClientBuildGroup.class));
            case CLIENT_DISBAND_GROUP:
                return disband(session, packet.body(PbClientDisbandGroup.class));
            case CLIENT_JOIN_GROUP:
                return join(session, packet.body(PbClientJoinGroup.class));
            case CLIENT_LEAVE_GROUP:
                return leave(session, packet.body(PbClientLeaveGroup.class));
            default:
                throw new IllegalArgumentException("Not a group packet: " + packet.type());
        }
    }

    private CompletionStage<?> info(IoSession session, PbClientRequestGroupInfo request) throws ProtocolViolation {
        String user = Identity.requireSender(session, request.getFromUuidBytes());
        return context.store().groups().groupsOf(user).whenComplete((groups, failure) -> {
            if (failed(failure, "read the groups of", user)) {
                return;
            }
            PbServerResponseGroupInfo.Builder response = PbServerResponseGroupInfo.newBuilder()
                    .setFromUuid(user).setTimestamp(ServerContext.now());
            for (GroupRecord g : groups) {
                response.addAllGroupInfo(PbGroupInfo.newBuilder().setGroupId(g.id()).setGroupName(g.name())
                        .setOwnerUuid(g.owner())
                        .addAllMemberUuid(g.members().stream().filter(m -> !m.equals(g.owner())).sorted().toList())
                        .build());
            }
            TrackedWrites.writeInOrder(session, Packet.of(response.build()));
        });
    }

    private CompletionStage<?> build(IoSession session, PbClientBuildGroup request) {
        String owner = ClientState.of(session).user();
        Limits limits = context.settings().limits();
        String name = request.getGroupName();
        if (name.isBlank() || name.length() > limits.maxGroupNameLength()) {
            refuseBuild(session, owner, name, "group name must be 1 to " + limits.maxGroupNameLength() + " characters");
            return DONE;
        }
        String id = GroupStore.newGroupId();
        long created = ServerContext.now();
        return context.store().groups().build(id, name, owner, created, limits.maxGroupsPerUser())
                .whenComplete((outcome, failure) -> {
                    if (failed(failure, "build a group for", owner)) {
                        undoBuild(id, owner);
                        refuseBuild(session, owner, name, "service temporarily unavailable");
                    } else if (outcome != Outcome.OK) {
                        refuseBuild(session, owner, name, outcome == Outcome.TOO_MANY_GROUPS
                                ? "you are in " + limits.maxGroupsPerUser() + " groups already" : "try again");
                    } else {
                        TrackedWrites.writeInOrder(session, Packet.of(PbServerNotifyBuildGroup.newBuilder().setBuild(true).setGroupId(id)
                                .setGroupName(name).setOwnerUuid(owner).setTipsMsg("group created")
                                .setTimestamp(created).build()));
                    }
                });
    }

    /**
     * A build Redis did not confirm may still have been applied (a timeout after the script ran).
     * The id was never told to anyone, so removing the group, whenever Redis takes it, is safe and
     * leaves no group the owner was told does not exist.
     */
    private void undoBuild(String id, String owner) {
        context.store().retries().enqueue(Write.control(List.of(), () -> context.store().groups().disband(id, owner)));
    }

    private void refuseBuild(IoSession session, String owner, String name, String reason) {
        context.stats().increment(Counter.REQUESTS_REFUSED);
        TrackedWrites.writeInOrder(session, Packet.of(PbServerNotifyBuildGroup.newBuilder().setBuild(false).setGroupId("")
                .setGroupName(name).setOwnerUuid(owner).setTipsMsg(reason).setTimestamp(ServerContext.now()).build()));
    }

    private CompletionStage<?> disband(IoSession session, PbClientDisbandGroup request) throws ProtocolViolation {
        String user = Identity.requireSender(session, request.getFromUuidBytes());
        String id = requireGroupId(request.getGroupId());
        return context.store().groups().disband(id, user).whenComplete((change, failure) -> {
            if (failed(failure, "disband a group of", user)) {
                refuseDisband(session, id, "", "service temporarily unavailable");
            } else if (change.outcome() != Outcome.OK) {
                refuseDisband(session, id, nameOf(change), change.outcome() == Outcome.NO_GROUP
                        ? "no such group" : "only the owner may disband a group");
            } else {
                GroupRecord group = change.group();
                context.store().membership().changed(id);
                notifyOnline(group.members(), Packet.of(PbServerNotifyDisbandGroup.newBuilder().setDisband(true)
                        .setGroupId(id).setGroupName(group.name()).setTipsMsg("disbanded by " + user)
                        .setTimestamp(ServerContext.now()).build()));
            }
        });
    }

    private void refuseDisband(IoSession session, String id, String name, String reason) {
        context.stats().increment(Counter.REQUESTS_REFUSED);
        TrackedWrites.writeInOrder(session, Packet.of(PbServerNotifyDisbandGroup.newBuilder().setDisband(false).setGroupId(id)
                .setGroupName(name).setTipsMsg(reason).setTimestamp(ServerContext.now()).build()));
    }

    private CompletionStage<?> join(IoSession session, PbClientJoinGroup request) throws ProtocolViolation {
        String user = Identity.requireSender(session, request.getFromUuidBytes());
        String id = requireGroupId(request.getGroupId());
        Limits limits = context.settings().limits();
        return context.store().groups().join(id, user, limits.maxMembersPerGroup(), limits.maxGroupsPerUser())
                .whenComplete((change, failure) -> {
                    if (failed(failure, "add a member for", user)) {
                        notInGroup(session, user, id, "");
                        return;
                    }
                    switch (change.outcome()) {
                        case OK -> {
                            context.store().membership().changed(id);
                            notifyOnline(change.group().members(), joined(user, change.group()));
                        }
                        // Already a member: confirm to the applicant only; nobody else hears of it again.
                        case ALREADY -> TrackedWrites.writeInOrder(session, joined(user, change.group()));
                        default -> notInGroup(session, user, id, nameOf(change));
                    }
                });
    }

    private static Packet joined(String user, GroupRecord group) {
        return Packet.of(PbServerNotifyJoinGroup.newBuilder().setApplicantUuid(user).setGroupId(group.id())
                .setGroupName(group.name()).setTimestamp(ServerContext.now()).build());
    }

    private CompletionStage<?> leave(IoSession session, PbClientLeaveGroup request) throws ProtocolViolation {
        String user = Identity.requireSender(session, request.getFromUuidBytes());
        String id = requireGroupId(request.getGroupId());
        return context.store().groups().leave(id, user).whenComplete((change, failure) -> {
            if (failed(failure, "remove a member for", user)) {
                // Not a 20: naming the leaver, it would read as a confirmed leave.
                refuseDisband(session, id, "", "service temporarily unavailable");
                return;
            }
            switch (change.outcome()) {
                case OK -> {
                    context.store().membership().changed(id);
                    Set<String> told = new HashSet<>(change.group().members());
                    told.add(user); // the leaver gets the notice too, as confirmation
                    notifyOnline(told, Packet.of(PbServerNotifyLeaveGroup.newBuilder().setLeaverUuid(user)
                            .setGroupId(id).setGroupName(change.group().name()).setTimestamp(ServerContext.now()).build()));
                }
                case OWNER -> refuseDisband(session, id, nameOf(change), "the owner cannot leave a group, only disband it");
                default -> notInGroup(session, user, id, nameOf(change));
            }
        });
    }

    /** Tells a user that they are not a member of the group (a refused join, leave or group text). */
    void notInGroup(IoSession session, String user, String id, String name) {
        context.stats().increment(Counter.REQUESTS_REFUSED);
        TrackedWrites.writeInOrder(session, Packet.of(PbServerNotifyLeaveGroup.newBuilder().setLeaverUuid(user).setGroupId(id)
                .setGroupName(name).setTimestamp(ServerContext.now()).build()));
    }

    private static String nameOf(Change change) {
        return change.group() == null ? "" : change.group().name();
    }

    /** Writes one notice, encoded once, to every online user among {@code users}. */
    private void notifyOnline(Collection<String> users, Packet notice) {
        var frame = context.encodeOnce(notice);
        for (String u : users) {
            // Under the session's write lock, like every message: never ahead of its login answer.
            context.sessions().find(u).ifPresent(s -> TrackedWrites.writeInOrder(s, frame));
        }
    }

    static String requireGroupId(String id) throws ProtocolViolation {
        if (!GroupStore.isWellFormedId(id)) {
            throw new ProtocolViolation(ProtocolViolation.Kind.MALFORMED_BODY, "Malformed group_id");
        }
        return id;
    }

    private boolean failed(Throwable failure, String what, String whom) {
        if (failure == null) {
            return false;
        }
        context.stats().increment(Counter.REDIS_ERRORS);
        LOG.warn("Could not {} '{}': {}", what, whom, failure.toString());
        return true;
    }
}

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
import io.github.chatserver.server.stats.ServerStats.Counter;
import io.github.chatserver.server.storage.GroupRecord;
import io.github.chatserver.server.storage.GroupStore;
import io.github.chatserver.server.storage.GroupStore.Outcome;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group management: info (11/12), build (13/14), disband (15/16), join (17/18), leave (19/20).
 *
 * <p>How refusals are answered, since the protocol has a success flag only on 14 and 16: a
 * refused build is a 14 with {@code build=false} and the reason; a refused disband, and an owner's
 * attempt to leave, are a 16 with {@code disband=false} and the reason; a join or leave of a group
 * the user is not (or cannot be) in is answered with a 20 naming the user as leaver — "you are not
 * in this group". Join and leave notices go to online members only and are never stored.
 */
public final class GroupHandler implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(GroupHandler.class);

    private final ServerContext context;

    GroupHandler(ServerContext context) {
        this.context = context;
    }

    @Override
    public void handle(IoSession session, Packet packet) throws ProtocolViolation {
        switch (packet.type()) {
            case CLIENT_REQUEST_GROUP_INFO -> info(session, packet.body(PbClientRequestGroupInfo.class));
            case CLIENT_BUILD_GROUP -> build(session, packet.body(PbClientBuildGroup.class));
            case CLIENT_DISBAND_GROUP -> disband(session, packet.body(PbClientDisbandGroup.class));
            case CLIENT_JOIN_GROUP -> join(session, packet.body(PbClientJoinGroup.class));
            case CLIENT_LEAVE_GROUP -> leave(session, packet.body(PbClientLeaveGroup.class));
            default -> throw new IllegalArgumentException("Not a group packet: " + packet.type());
        }
    }

    private void info(IoSession session, PbClientRequestGroupInfo request) throws ProtocolViolation {
        String user = Identity.requireSender(session, request.getFromUuid());
        context.store().groups().groupsOf(user).whenComplete((groups, failure) -> {
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
            session.write(Packet.of(response.build()));
        });
    }

    private void build(IoSession session, PbClientBuildGroup request) {
        String owner = userOf(session);
        Limits limits = context.settings().limits();
        String name = request.getGroupName();
        if (name.isBlank() || name.length() > limits.maxGroupNameLength()) {
            refuseBuild(session, name, "group name must be 1 to " + limits.maxGroupNameLength() + " characters");
            return;
        }
        String id = GroupStore.newGroupId();
        long created = ServerContext.now();
        context.store().groups().build(id, name, owner, created, limits.maxGroupsPerUser()).whenComplete((outcome, failure) -> {
            if (failed(failure, "build a group for", owner)) {
                refuseBuild(session, name, "service temporarily unavailable");
                return;
            }
            if (outcome != Outcome.OK) {
                refuseBuild(session, name, outcome == Outcome.TOO_MANY_GROUPS
                        ? "you are in " + limits.maxGroupsPerUser() + " groups already" : "try again");
                return;
            }
            session.write(Packet.of(PbServerNotifyBuildGroup.newBuilder().setBuild(true).setGroupId(id)
                    .setGroupName(name).setOwnerUuid(owner).setTipsMsg("group created")
                    .setTimestamp(created).build()));
        });
    }

    private void refuseBuild(IoSession session, String name, String reason) {
        context.stats().increment(Counter.REQUESTS_REFUSED);
        session.write(Packet.of(PbServerNotifyBuildGroup.newBuilder().setBuild(false).setGroupId("")
                .setGroupName(name).setOwnerUuid(userOf(session)).setTipsMsg(reason)
                .setTimestamp(ServerContext.now()).build()));
    }

    private void disband(IoSession session, PbClientDisbandGroup request) throws ProtocolViolation {
        String user = Identity.requireSender(session, request.getFromUuid());
        String id = requireGroupId(request.getGroupId());
        context.store().groups().disband(id, user).whenComplete((result, failure) -> {
            if (failed(failure, "disband a group of", user)) {
                refuseDisband(session, id, "", "service temporarily unavailable");
                return;
            }
            if (result.outcome() != Outcome.OK) {
                refuseDisband(session, id, "", result.outcome() == Outcome.NO_GROUP
                        ? "no such group" : "only the owner may disband a group");
                return;
            }
            GroupRecord group = result.group();
            context.store().membership().changed(id);
            notifyOnline(group.members(), Packet.of(PbServerNotifyDisbandGroup.newBuilder().setDisband(true)
                    .setGroupId(id).setGroupName(group.name()).setTipsMsg("disbanded by " + user)
                    .setTimestamp(ServerContext.now()).build()));
        });
    }

    private void refuseDisband(IoSession session, String id, String name, String reason) {
        context.stats().increment(Counter.REQUESTS_REFUSED);
        session.write(Packet.of(PbServerNotifyDisbandGroup.newBuilder().setDisband(false).setGroupId(id)
                .setGroupName(name).setTipsMsg(reason).setTimestamp(ServerContext.now()).build()));
    }

    private void join(IoSession session, PbClientJoinGroup request) throws ProtocolViolation {
        String user = Identity.requireSender(session, request.getFromUuid());
        String id = requireGroupId(request.getGroupId());
        Limits limits = context.settings().limits();
        context.store().groups().join(id, user, limits.maxMembersPerGroup(), limits.maxGroupsPerUser())
                .whenComplete((outcome, failure) -> {
                    if (failed(failure, "add a member for", user)) {
                        notInGroup(session, user, id, "");
                        return;
                    }
                    switch (outcome) {
                        case OK -> {
                            context.store().membership().changed(id);
                            withGroup(id, group -> notifyOnline(group.members(), joined(user, group)));
                        }
                        // Already a member: confirm to the applicant only, nobody else hears of it again.
                        case ALREADY -> withGroup(id, group -> session.write(joined(user, group)));
                        default -> notInGroup(session, user, id, "");
                    }
                });
    }

    private static Packet joined(String user, GroupRecord group) {
        return Packet.of(PbServerNotifyJoinGroup.newBuilder().setApplicantUuid(user).setGroupId(group.id())
                .setGroupName(group.name()).setTimestamp(ServerContext.now()).build());
    }

    private void leave(IoSession session, PbClientLeaveGroup request) throws ProtocolViolation {
        String user = Identity.requireSender(session, request.getFromUuid());
        String id = requireGroupId(request.getGroupId());
        context.store().groups().find(id).thenCombine(context.store().groups().leave(id, user), (group, outcome) -> {
            switch (outcome) {
                case OK -> {
                    context.store().membership().changed(id);
                    Packet left = Packet.of(PbServerNotifyLeaveGroup.newBuilder().setLeaverUuid(user).setGroupId(id)
                            .setGroupName(group == null ? "" : group.name()).setTimestamp(ServerContext.now()).build());
                    Set<String> told = new HashSet<>(group == null ? Set.of() : group.members());
                    told.add(user); // the leaver gets the notice too, as confirmation
                    notifyOnline(told, left);
                }
                case OWNER -> refuseDisband(session, id, group == null ? "" : group.name(),
                        "the owner cannot leave a group, only disband it");
                default -> notInGroup(session, user, id, group == null ? "" : group.name());
            }
            return outcome;
        }).whenComplete((outcome, failure) -> {
            if (failed(failure, "remove a member for", user)) {
                notInGroup(session, user, id, "");
            }
        });
    }

    /** Tells a user that they are not a member of the group (a refused join, leave or group text). */
    void notInGroup(IoSession session, String user, String id, String name) {
        context.stats().increment(Counter.REQUESTS_REFUSED);
        session.write(Packet.of(PbServerNotifyLeaveGroup.newBuilder().setLeaverUuid(user).setGroupId(id)
                .setGroupName(name).setTimestamp(ServerContext.now()).build()));
    }

    private void withGroup(String id, Consumer<GroupRecord> action) {
        context.store().groups().find(id).whenComplete((group, failure) -> {
            if (!failed(failure, "read group", id) && group != null) {
                action.accept(group);
            }
        });
    }

    /** Writes one notice, encoded once, to every online user among {@code users}. */
    private void notifyOnline(Collection<String> users, Packet notice) {
        var frame = context.encodeOnce(notice);
        for (String u : users) {
            context.sessions().find(u).ifPresent(s -> s.write(frame));
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

    private static String userOf(IoSession session) {
        return ClientState.of(session).user();
    }

}

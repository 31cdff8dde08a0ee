package io.github.chatserver.server.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.github.chatserver.codec.BodyCipher;
import io.github.chatserver.protocol.PacketType;
import io.github.chatserver.server.config.Limits;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Turns fuzz bytes into the packets one logged-in client sends, and says for each what the
 * protocol (docs/PROTOCOL.md §4, its table of refusals) makes of it.
 *
 * <p>The format is a plain byte script rather than {@code FuzzedDataProvider}, so the seed corpus
 * can be written down ({@link Encoder}). Each step starts with an op byte: the low 5 bits pick the
 * type (1..21 a known type, anything else an unknown type code), the high 3 bits the way it is
 * made: 0-4 a message of that type with every required field set, 5 the same with fields left
 * out (a mask byte), 6 a message parsed leniently ({@code parsePartialFrom}) from fuzz bytes, 7 a
 * raw frame (bad length, random legacy-aes plaintext or a random body). Field values come from a
 * palette — the session's own user, the two online peers, an offline user, the peers' group, the
 * user's own group, a well-formed group id that does not exist, texts around the length limits —
 * or are literal fuzz strings. Bytes past the end read as 0, which always picks the plainest
 * choice, so a truncated script is still a meaningful one.
 */
final class PacketScript {
    static final int MAX_STEPS = 32;
    /** Types whose from_uuid must be the session's user (docs/PROTOCOL.md §4, Identity). */
    static final Set<PacketType> FROM_CHECKED = EnumSet.of(PacketType.C2C_TEXT_CHAT,
            PacketType.CLIENT_REQUEST_C2C_OFFLINE_MSG, PacketType.GROUP_TEXT_CHAT,
            PacketType.CLIENT_REQUEST_GROUP_OFFLINE_MSG, PacketType.CLIENT_REQUEST_GROUP_INFO,
            PacketType.CLIENT_DISBAND_GROUP, PacketType.CLIENT_JOIN_GROUP, PacketType.CLIENT_LEAVE_GROUP);
    /** Requests that are always answered with exactly one 12, 14, 16, 18 or 20 (docs/PROTOCOL.md §4). */
    static final Set<PacketType> ANSWERED = EnumSet.of(PacketType.CLIENT_REQUEST_GROUP_INFO,
            PacketType.CLIENT_BUILD_GROUP, PacketType.CLIENT_DISBAND_GROUP, PacketType.CLIENT_JOIN_GROUP,
            PacketType.CLIENT_LEAVE_GROUP);
    static final String NO_SUCH_GROUP = "AAAAAAAAAAAAAAAAAAAAAA"; // 22 URL-safe characters: well-formed
    static final long TS = 1420070400L;

    /** What the server must do with a step, as far as the test can tell. */
    enum Expect {
        /** Handled; the connection stays open. */
        VALID,
        /** A protocol violation: the connection is closed and nothing after it is acted on. */
        VIOLATION,
        /** Logout or a second login: the connection is closed (once what was written is flushed). */
        CLOSES,
        /** Depends on details the test does not model (literal strings, random bodies). */
        UNSURE
    }

    /** Who a value stands for. */
    record Names(String self, String peerA, String peerB, String offline, String peerGroup, String ownGroup) {
    }

    /**
     * One packet to send. {@code message} is set when it goes through the client's codec; {@code raw}
     * when it is a hand-made frame. {@code c2cTo} names the peer a valid text goes to; {@code
     * groupText} marks a valid text to the peers' group.
     */
    record Step(String label, Message message, byte[] raw, Expect expect, PacketType type, String c2cTo,
                boolean groupText) {
    }

    private final Cursor in;
    private final Names names;
    private final Limits limits;
    private final int maxFrameLength;
    private final BodyCipher cipher;

    private PacketScript(byte[] input, Names names, Limits limits, int maxFrameLength, BodyCipher cipher) {
        this.in = new Cursor(input);
        this.names = names;
        this.limits = limits;
        this.maxFrameLength = maxFrameLength;
        this.cipher = cipher;
    }

    static List<Step> parse(byte[] input, Names names, Limits limits, int maxFrameLength, BodyCipher cipher) {
        PacketScript script = new PacketScript(input, names, limits, maxFrameLength, cipher);
        List<Step> steps = new ArrayList<>();
        while (script.in.hasMore() && steps.size() < MAX_STEPS) {
            steps.add(script.step());
        }
        return steps;
    }

    private Step step() {
        int op = in.u8();
        int selector = op & 0x1f;
        int mode = op >>> 5;
        PacketType type = selector >= 1 && selector <= 21 ? PacketType.ofCode(selector) : null;
        if (mode == 7) {
            return rawFrame(type, selector);
        }
        if (type == null) {
            // An unknown type, well framed: ignored and counted (docs/PROTOCOL.md §3).
            long code = selector == 0 ? 0 : (22 + (in.u8() % 4 == 0 ? in.u32() & 0xFFFF_FFFFL : selector)) & 0xFFFF_FFFFL;
            code = PacketType.ofCode(code) == null ? code : 0; // wrapped around into a known type
            return raw("unknown type " + code, frame(code, cipher.encrypt(in.bytes(in.u8() % 48))), Expect.VALID, null);
        }
        if (mode == 6) {
            byte[] bytes = in.bytes(in.u8());
            try {
                return packet("lenient", type.parser().parsePartialFrom(bytes));
            } catch (InvalidProtocolBufferException e) {
                // Not even partially a message: it goes as an encrypted body all the same.
                return raw("unparsable " + type, frame(type.code(), cipher.encrypt(bytes)), Expect.VIOLATION, type);
            }
        }
        int omit = mode == 5 ? in.u8() | 0x100 : 0; // bit i: leave field i out
        Message.Builder builder = prototype(type).newBuilderForType();
        fill(builder, omit, 0);
        return packet(mode == 5 ? "partial" : "built", builder.buildPartial());
    }

    static Message prototype(PacketType type) {
        try {
            return type.parser().parsePartialFrom(ByteString.EMPTY);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private void fill(Message.Builder builder, int omit, int depth) {
        List<FieldDescriptor> fields = builder.getDescriptorForType().getFields();
        for (int i = 0; i < fields.size(); i++) {
            FieldDescriptor field = fields.get(i);
            if (field.isRepeated()) {
                int n = in.u8() % 3;
                for (int k = 0; k < n; k++) {
                    builder.addRepeatedField(field, value(builder, field, depth));
                }
            } else if (field.isRequired()) {
                if ((omit & (1 << i)) == 0) {
                    builder.setField(field, value(builder, field, depth));
                }
            } else if ((in.u8() & 1) == 1) {
                builder.setField(field, value(builder, field, depth));
            }
        }
    }

    private Object value(Message.Builder builder, FieldDescriptor field, int depth) {
        switch (field.getJavaType()) {
            case BOOLEAN:
                return (in.u8() & 1) == 1;
            case LONG:
                return switch (in.u8() % 4) {
                    case 0 -> TS;
                    case 1 -> in.u64();
                    case 2 -> 0L;
                    default -> -1L;
                };
            case FLOAT:
                return switch (in.u8() % 3) {
                    case 0 -> 1.0f;
                    case 1 -> Float.intBitsToFloat(in.u32());
                    default -> Float.NaN;
                };
            case STRING:
                return string(field.getName());
            case MESSAGE:
                Message.Builder nested = builder.newBuilderForField(field);
                if (depth < 2) {
                    fill(nested, 0, depth + 1);
                }
                return nested.buildPartial();
            default:
                throw new IllegalStateException("No values for " + field);
        }
    }

    private String string(String field) {
        if (field.endsWith("uuid")) {
            return switch (in.u8() % 8) {
                case 1 -> names.peerA();
                case 2 -> names.peerB();
                case 3 -> names.offline();
                case 4 -> "";
                case 5 -> literal();
                default -> names.self();
            };
        }
        if (field.equals("group_id")) {
            return switch (in.u8() % 6) {
                case 1 -> names.ownGroup();
                case 2 -> NO_SUCH_GROUP;
                case 3 -> "";
                case 4 -> literal();
                default -> names.peerGroup();
            };
        }
        int limit = switch (field) {
            case "text_msg" -> limits.maxTextLength();
            case "group_name" -> limits.maxGroupNameLength();
            default -> 64;
        };
        return switch (in.u8() % 6) {
            case 1 -> literal();
            case 2 -> around(limit);
            case 3 -> "";
            case 4 -> " \t";
            default -> "hi";
        };
    }

    /** A text of limit - 1, limit or limit + 1 characters: ASCII, 3-byte UTF-8, or surrogate pairs. */
    private String around(int limit) {
        int length = Math.max(0, limit - 1 + in.u8() % 3);
        String unit = switch (in.u8() % 3) {
            case 0 -> "x";
            case 1 -> "世";
            default -> "😀";
        };
        StringBuilder text = new StringBuilder(length + 1);
        while (text.length() < length) {
            text.append(unit);
        }
        text.setLength(length);
        return text.toString();
    }

    private String literal() {
        return new String(in.bytes(in.u8() % 160), StandardCharsets.UTF_8);
    }

    private Step rawFrame(PacketType type, int selector) {
        int kind = in.u8() % 3;
        long code = type != null ? type.code() : selector == 0 ? 0 : in.u32() & 0xFFFF_FFFFL;
        PacketType known = PacketType.ofCode(code);
        if (kind == 0) {
            // A length below the header size or above the limit: refused from the header alone.
            long length = (in.u8() & 1) == 0 ? in.u8() % 8 : maxFrameLength + 1L + (in.u32() & 0x7FFF_FFFFL);
            byte[] header = ByteBuffer.allocate(8).putInt((int) length).putInt((int) code).array();
            return raw("bad length " + length, header, Expect.VIOLATION, known);
        }
        byte[] body = in.bytes(in.u8());
        if (kind == 1) {
            // Random plaintext under legacy-aes: valid or not as a message of the type.
            byte[] frame = frame(code, cipher.encrypt(body));
            if (known == null) {
                return raw("unknown type " + code, frame, Expect.VALID, null);
            }
            try {
                Step parsed = packet("aes", known.parser().parseFrom(body));
                return new Step("aes body " + parsed.label(), null, frame, parsed.expect(), known, parsed.c2cTo(),
                        parsed.groupText());
            } catch (InvalidProtocolBufferException e) {
                return raw("aes body, invalid " + known, frame, Expect.VIOLATION, known);
            }
        }
        // A body that did not go through the cipher: not a multiple of 16 cannot be legacy-aes.
        Expect expect = known == null ? Expect.VALID
                : body.length == 0 || body.length % 16 != 0 ? Expect.VIOLATION : Expect.UNSURE;
        return raw("plain body", frame(code, body), expect, known);
    }

    private static Step raw(String label, byte[] frame, Expect expect, PacketType type) {
        return new Step(label, null, frame, expect, type, null, false);
    }

    static byte[] frame(long code, byte[] body) {
        return ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt((int) code).put(body).array();
    }

    /** A message sent through the codec, with what the server must do with it. */
    private Step packet(String how, Message message) {
        PacketType type = PacketType.of(message);
        String label = how + " " + type;
        if (!message.isInitialized()) {
            return new Step(label, message, null, Expect.VIOLATION, type, null, false); // the decoder refuses it
        }
        if (FROM_CHECKED.contains(type) && !names.self().equals(get(message, "from_uuid"))) {
            return new Step(label, message, null, Expect.VIOLATION, type, null, false);
        }
        switch (type) {
            case CLIENT_LOGIN:
            case CLIENT_LOGOUT:
                return new Step(label, message, null, Expect.CLOSES, type, null, false);
            case C2C_TEXT_CHAT: {
                String to = get(message, "to_uuid");
                if (to.isEmpty() || tooLong(message)) {
                    return new Step(label, message, null, Expect.VIOLATION, type, null, false);
                }
                boolean palette = to.equals(names.self()) || to.equals(names.peerA()) || to.equals(names.peerB())
                        || to.equals(names.offline());
                boolean toPeer = to.equals(names.peerA()) || to.equals(names.peerB());
                return new Step(label, message, null, palette ? Expect.VALID : Expect.UNSURE, type,
                        palette && toPeer ? to : null, false);
            }
            case GROUP_TEXT_CHAT: {
                String group = get(message, "group_id");
                if (group.isEmpty() || tooLong(message)) {
                    return new Step(label, message, null, Expect.VIOLATION, type, null, false);
                }
                return new Step(label, message, null, paletteGroup(group) ? Expect.VALID : Expect.UNSURE, type,
                        null, group.equals(names.peerGroup()));
            }
            case CLIENT_DISBAND_GROUP:
            case CLIENT_JOIN_GROUP:
            case CLIENT_LEAVE_GROUP: {
                String group = get(message, "group_id");
                Expect expect = group.isEmpty() ? Expect.VIOLATION : paletteGroup(group) ? Expect.VALID : Expect.UNSURE;
                return new Step(label, message, null, expect, type, null, false);
            }
            default:
                // Ping, offline and info requests, builds (a bad name is refused with an answer), and
                // the server-to-client types, which a client has no business sending: ignored.
                return new Step(label, message, null, Expect.VALID, type, null, false);
        }
    }

    private boolean tooLong(Message message) {
        return get(message, "text_msg").length() > limits.maxTextLength();
    }

    private boolean paletteGroup(String group) {
        return group.equals(names.peerGroup()) || group.equals(names.ownGroup()) || group.equals(NO_SUCH_GROUP);
    }

    private static String get(Message message, String field) {
        return (String) message.getField(message.getDescriptorForType().findFieldByName(field));
    }

    /** Reads the script; past the end every read is 0. */
    static final class Cursor {
        private final byte[] bytes;
        private int at;

        Cursor(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean hasMore() {
            return at < bytes.length;
        }

        int u8() {
            return at < bytes.length ? bytes[at++] & 0xff : 0;
        }

        int u32() {
            return u8() << 24 | u8() << 16 | u8() << 8 | u8();
        }

        long u64() {
            return (long) u32() << 32 | (u32() & 0xFFFF_FFFFL);
        }

        byte[] bytes(int n) {
            int available = Math.max(0, Math.min(n, bytes.length - at));
            byte[] out = new byte[available];
            System.arraycopy(bytes, at, out, 0, available);
            at += available;
            return out;
        }
    }

    /**
     * Writes scripts for the seed corpus: steps built from palette choices only. Mirrors {@link
     * #fill}: per field in declaration order one byte (the choice for a required field, 0 = absent
     * for an optional one, 0 = none for a repeated one).
     */
    static final class Encoder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /**
         * A message of the type, each required field set from {@code choices} by field name: a
         * palette choice (Integer, default 0) or a literal (String, under 160 UTF-8 bytes).
         */
        Encoder built(PacketType type, java.util.Map<String, ?> choices) {
            out.write(type.code());
            for (FieldDescriptor field : prototype(type).getDescriptorForType().getFields()) {
                Object choice = field.isRequired() && choices.containsKey(field.getName()) ? choices.get(field.getName()) : 0;
                if (choice instanceof String literal) {
                    byte[] bytes = literal.getBytes(StandardCharsets.UTF_8);
                    if (bytes.length >= 160) {
                        throw new IllegalArgumentException("literals are under 160 bytes");
                    }
                    String name = field.getName();
                    out.write(name.endsWith("uuid") ? 5 : name.equals("group_id") ? 4 : 1);
                    out.write(bytes.length);
                    out.writeBytes(bytes);
                } else {
                    out.write((Integer) choice);
                }
            }
            return this;
        }

        Encoder built(PacketType type) {
            return built(type, java.util.Map.of());
        }

        /** The same message with every required field left out. */
        Encoder partial(PacketType type) {
            out.write(5 << 5 | type.code());
            out.write(0xff);
            for (FieldDescriptor field : prototype(type).getDescriptorForType().getFields()) {
                if (!field.isRequired()) {
                    out.write(0);
                }
            }
            return this;
        }

        /** A lenient parse of the given bytes as the type. */
        Encoder lenient(PacketType type, byte[] body) {
            out.write(6 << 5 | type.code());
            out.write(body.length);
            out.writeBytes(body);
            return this;
        }

        /** A frame whose header declares the given (bad) length below 8. */
        Encoder shortLength(PacketType type, int length) {
            out.write(7 << 5 | type.code());
            out.write(0);
            out.write(0);
            out.write(length);
            return this;
        }

        /** A legacy-aes frame of the type carrying {@code plain} (a valid body or not). */
        Encoder aesBody(PacketType type, byte[] plain) {
            out.write(7 << 5 | type.code());
            out.write(1);
            out.write(plain.length);
            out.writeBytes(plain);
            return this;
        }

        /** A well-framed packet of an unknown type (selector 30: code 22 + 30 = 52). */
        Encoder unknownType() {
            out.write(30);
            out.write(1); // not a u32 code
            out.write(5);
            out.writeBytes(new byte[] {1, 2, 3, 4, 5});
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}

package io.cdpkit.storage.jdbc.internal.journal;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.EventKey;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.ComponentRecord;
import io.cdpkit.core.spi.storage.DoNotLinkRule;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.Link;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.RecordCodec;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The journal body: the writes of one transaction ({@link JournalingTransaction#encode}), and
 * how to apply them to another store's transaction ({@link #replay}).
 *
 * <p>Format: a version byte ({@value #VERSION}), then ops, each an op code byte and its
 * arguments, until the end. Primitives as {@link BodyWriter} says (varints, UTF-8 strings with
 * a varint length, instants as seconds and nanos, a presence byte before a nullable value,
 * symbols: strings that repeat within a body, written once and then referred to by index).
 * Every record is written field by field; stored events and profile records as
 * {@link RecordBinary} says, which keeps every trait value's exact type.
 *
 * <p>A profile that the store held before the transaction is written as a patch
 * ({@link #PATCH_PROFILE}): whole but for its orders, which are written as they differ from the
 * stored profile's, so that a customer with hundreds of orders does not cost hundreds of orders
 * in every body that touches her. A patch is replayed over the profile the target holds, and
 * fails when it holds none. Bodies are replayed in order from the snapshot they follow, so the
 * target holds what the writing store held.
 *
 * <p>Version 2 bodies (still on disk: they are read, never written) differ only by having no
 * patches. Version 1 bodies differ also in that a stored event or profile record is its
 * {@link RecordCodec} JSON text, as a string. Module ops (codes
 * 40-43 segmentation's, 50-54 activation's) are written and read by {@link JournalingSegments}
 * and {@link JournalingOutbox}, loaded only when such an op is met.
 *
 * <p>Thread-safe: stateless.
 */
public final class JournalCodec {
  /**
   * The format version this codec writes (it reads this one, {@link #VERSION_NO_PATCH} and
   * {@link #VERSION_JSON}).
   */
  static final int VERSION = 3;
  /** The second format: as this one without {@link #PATCH_PROFILE}. */
  static final int VERSION_NO_PATCH = 2;
  /** The first format: stored events and profile records as RecordCodec JSON text. */
  static final int VERSION_JSON = 1;

  // The engine's writes.
  static final int INSERT_EVENT = 1;
  static final int PUT_NODE = 2;
  static final int PUT_COMPONENT = 3;
  static final int DELETE_COMPONENT = 4;
  static final int ADD_LINK = 5;
  static final int MOVE_LINKS = 6;
  static final int PUT_PROFILE = 7;
  static final int DELETE_PROFILE = 8;
  static final int PUT_REDIRECT = 9;
  static final int APPEND_LEDGER = 10;
  /**
   * A profile record whose orders are written as they differ from the profile the store held
   * before the transaction (see {@link RecordBinary#readProfilePatch}); recorded as a
   * {@link #PUT_PROFILE} with that profile beside it.
   */
  static final int PATCH_PROFILE = 11;
  // MetadataStorage.
  static final int PUT_METADATA = 20;
  static final int DELETE_METADATA = 21;
  // PrivacyStorage.
  static final int PUT_TOMBSTONE = 30;
  static final int APPEND_AUDIT = 31;
  static final int DELETE_EVENTS = 32;
  static final int DELETE_NODE = 33;
  static final int DELETE_LINKS = 34;
  static final int DELETE_REDIRECT = 35;
  static final int DELETE_LEDGER = 36;
  // Segmentation's SegmentStorage.
  static final int PUT_MEMBERSHIP = 40;
  static final int DELETE_MEMBERSHIP = 41;
  static final int PUT_CHECK = 42;
  static final int DELETE_CHECK = 43;
  // Activation's OutboxStorage.
  static final int ADD_OUTBOX = 50;
  static final int UPDATE_OUTBOX = 51;
  static final int DELETE_OUTBOX = 52;
  static final int PUT_DELIVERY = 53;
  static final int DELETE_DELIVERIES = 54;

  /** Thread-safe; one for every transaction. */
  private static final RecordCodec RECORDS = RecordCodec.create();

  private static final LedgerEntry.Kind[] KINDS = LedgerEntry.Kind.values();

  private JournalCodec() {}

  // ------------------------------------------------------------------ coalescing

  /** Ops that set or delete one keyed value share a family (1..6) by their key; others 0. */
  private static int family(int code) {
    return switch (code) {
      case PUT_NODE, DELETE_NODE -> 1;
      case PUT_COMPONENT, DELETE_COMPONENT -> 2;
      case PUT_PROFILE, DELETE_PROFILE -> 3;
      case PUT_METADATA, DELETE_METADATA -> 4;
      case PUT_MEMBERSHIP, DELETE_MEMBERSHIP -> 5;
      case PUT_CHECK, DELETE_CHECK -> 6;
      default -> 0;
    };
  }

  private static boolean isPut(int code) {
    return code == PUT_NODE || code == PUT_COMPONENT || code == PUT_PROFILE
        || code == PUT_METADATA || code == PUT_MEMBERSHIP || code == PUT_CHECK;
  }

  /**
   * Which ops to leave out: a put whose key a later op of its family (a put or a delete)
   * touches again. Such a later op replaces or removes the value whatever the put left, and no
   * other op reads it, so the state after replay is the same.
   */
  private static boolean[] overwritten(List<Op> ops) {
    boolean[] drop = new boolean[ops.size()];
    @SuppressWarnings("unchecked")
    HashSet<Object>[] later = new HashSet[7];
    for (int i = ops.size() - 1; i >= 0; i--) {
      Op op = ops.get(i);
      int f = family(op.code);
      if (f == 0) {
        continue;
      }
      HashSet<Object> keys = later[f];
      if (keys == null) {
        keys = later[f] = new HashSet<>();
      }
      boolean first = keys.add(op.key);
      if (!first && isPut(op.code)) {
        drop[i] = true;
      }
    }
    return drop;
  }

  // ------------------------------------------------------------------ encode

  static byte[] encode(List<Op> ops) {
    boolean[] drop = overwritten(ops);
    BodyWriter w = new BodyWriter(16 + 96 * ops.size());
    w.writeByte(VERSION);
    for (int i = 0; i < ops.size(); i++) {
      if (!drop[i]) {
        write(ops.get(i), w);
      }
    }
    return w.toByteArray();
  }

  private static void write(Op op, BodyWriter w) {
    if (op.code == PUT_PROFILE && op.b != null) {
      w.writeByte(PATCH_PROFILE);
      RecordBinary.writeProfile((ProfileRecord) op.a, ((ProfileRecord) op.b).state().orders(),
          w);
      return;
    }
    w.writeByte(op.code);
    switch (op.code) {
      case INSERT_EVENT -> RecordBinary.writeEvent((StoredEvent) op.a, w);
      case PUT_NODE -> {
        IdentityNode n = (IdentityNode) op.a;
        w.writeIdentifier(n.identifier());
        w.writeProfileId(n.profile());
        w.writeString(n.component());
      }
      case PUT_COMPONENT -> writeComponent((ComponentRecord) op.a, w);
      case DELETE_COMPONENT, DELETE_METADATA, DELETE_LINKS -> w.writeString((String) op.a);
      case ADD_LINK -> {
        w.writeString((String) op.a);
        Link l = (Link) op.b;
        w.writeEventKey(l.key());
        List<Identifier> ids = l.identifiers();
        w.writeVarint(ids.size());
        for (Identifier id : ids) {
          w.writeIdentifier(id);
        }
      }
      case MOVE_LINKS, PUT_METADATA -> {
        w.writeString((String) op.a);
        w.writeString((String) op.b);
      }
      case PUT_PROFILE -> RecordBinary.writeProfile((ProfileRecord) op.a, w);
      case DELETE_PROFILE, DELETE_REDIRECT, DELETE_LEDGER ->
          w.writeProfileId((ProfileId) op.a);
      case PUT_REDIRECT -> {
        w.writeProfileId((ProfileId) op.a);
        w.writeProfileId((ProfileId) op.b);
      }
      case APPEND_LEDGER -> writeLedger((LedgerEntry) op.a, w);
      case PUT_TOMBSTONE -> {
        w.writeString((String) op.a);
        w.writeInstant((Instant) op.b);
      }
      case APPEND_AUDIT -> {
        AuditEntry a = (AuditEntry) op.a;
        w.writeVarlong(a.seq());
        w.writeInstant(a.at());
        w.writeString(a.operation());
        w.writeNullableProfileId(a.profile());
        w.writeNullableString(a.subject());
        w.writeString(a.detail());
      }
      case DELETE_EVENTS -> {
        @SuppressWarnings("unchecked")
        List<String> ids = (List<String>) op.a;
        w.writeVarint(ids.size());
        for (String id : ids) {
          w.writeString(id);
        }
      }
      case DELETE_NODE -> w.writeIdentifier((Identifier) op.a);
      case PUT_MEMBERSHIP, DELETE_MEMBERSHIP, PUT_CHECK, DELETE_CHECK ->
          JournalingSegments.write(op, w);
      case ADD_OUTBOX, UPDATE_OUTBOX, DELETE_OUTBOX, PUT_DELIVERY, DELETE_DELIVERIES ->
          JournalingOutbox.write(op, w);
      default -> throw new IllegalStateException("unknown op code " + op.code);
    }
  }

  private static void writeComponent(ComponentRecord c, BodyWriter w) {
    w.writeString(c.id());
    EventKey latest = c.latestLink();
    if (latest == null) {
      w.writeByte(0);
    } else {
      w.writeByte(1);
      w.writeEventKey(latest);
    }
    w.writeVarint(c.rules().size());
    for (DoNotLinkRule r : c.rules()) {
      w.writeIdentifier(r.a());
      w.writeIdentifier(r.b());
      w.writeInstant(r.createdAt());
    }
  }

  private static void writeLedger(LedgerEntry e, BodyWriter w) {
    w.writeByte(e.kind().ordinal());
    w.writeProfileId(e.profile());
    w.writeNullableProfileId(e.other());
    w.writeNullableIdentifier(e.identifier());
    w.writeNullableString(e.messageId());
    w.writeNullableInstant(e.eventTime());
    w.writeInstant(e.recordedAt());
    w.writeString(e.reason());
  }

  // ------------------------------------------------------------------ replay

  /**
   * Applies a body {@link JournalingTransaction#encode} produced to {@code target}, op by op, in
   * order; the ops of a capability through {@code target.require(...)}.
   *
   * @throws StorageException (not retryable) when the body is malformed (it ends early, holds an
   *     unknown op code or an invalid record) or has an unknown format version; the message
   *     names the problem, never a value. Ops before the bad one have been applied: the caller
   *     discards the target transaction.
   * @throws io.cdpkit.core.spi.storage.UnsupportedCapabilityException when the body holds ops
   *     of a capability the target lacks
   */
  public static void replay(byte[] body, WriteTransaction target) {
    BodyReader r = new BodyReader(body);
    if (body.length == 0) {
      throw BodyReader.malformed("it is empty");
    }
    int version = r.readByte();
    boolean json = version == VERSION_JSON;
    if (version != VERSION && version != VERSION_NO_PATCH && !json) {
      throw new StorageException("journal body has unknown format version " + version, false,
          null);
    }
    while (!r.atEnd()) {
      int code = r.readByte();
      switch (code) {
        case INSERT_EVENT -> {
          StoredEvent e = json ? readJson(() -> RECORDS.readEvent(r.readString()))
              : RecordBinary.readEvent(r);
          if (!target.insertEvent(e)) {
            throw new StorageException("journal replay: an event's messageId is already there",
                false, null);
          }
        }
        case PUT_NODE -> {
          Identifier id = r.readIdentifier();
          ProfileId p = r.readProfileId();
          target.putNode(new IdentityNode(id, p, r.readString()));
        }
        case PUT_COMPONENT -> target.putComponent(readComponent(r));
        case DELETE_COMPONENT -> target.deleteComponent(r.readString());
        case ADD_LINK -> {
          String component = r.readString();
          Link link = readLink(r);
          target.addLink(component, link);
        }
        case MOVE_LINKS -> {
          String from = r.readString();
          target.moveLinks(from, r.readString());
        }
        case PUT_PROFILE -> target.putProfile(json
            ? readJson(() -> RECORDS.readProfile(r.readString())) : RecordBinary.readProfile(r));
        case PATCH_PROFILE -> {
          if (version != VERSION) {
            throw BodyReader.malformed("a profile patch in a body of format " + version);
          }
          target.putProfile(RecordBinary.readProfilePatch(r, target::profile));
        }
        case DELETE_PROFILE -> target.deleteProfile(r.readProfileId());
        case PUT_REDIRECT -> {
          ProfileId from = r.readProfileId();
          target.putRedirect(from, r.readProfileId());
        }
        case APPEND_LEDGER -> target.appendLedger(readLedger(r));
        case PUT_METADATA -> {
          String key = r.readString();
          String value = r.readString();
          target.require(MetadataStorage.class).putMetadata(key, value);
        }
        case DELETE_METADATA -> {
          String key = r.readString();
          target.require(MetadataStorage.class).deleteMetadata(key);
        }
        case PUT_TOMBSTONE -> {
          String hash = r.readString();
          Instant at = r.readInstant();
          target.require(PrivacyStorage.class).putTombstone(hash, at);
        }
        case APPEND_AUDIT -> {
          AuditEntry a = readAudit(r);
          target.require(PrivacyStorage.class).appendAudit(a);
        }
        case DELETE_EVENTS -> {
          int n = r.readCount();
          List<String> ids = new ArrayList<>(Math.min(n, 1024));
          for (int i = 0; i < n; i++) {
            ids.add(r.readString());
          }
          target.require(PrivacyStorage.class).deleteEvents(ids);
        }
        case DELETE_NODE -> {
          Identifier id = r.readIdentifier();
          target.require(PrivacyStorage.class).deleteNode(id);
        }
        case DELETE_LINKS -> {
          String component = r.readString();
          target.require(PrivacyStorage.class).deleteLinks(component);
        }
        case DELETE_REDIRECT -> {
          ProfileId p = r.readProfileId();
          target.require(PrivacyStorage.class).deleteRedirect(p);
        }
        case DELETE_LEDGER -> {
          ProfileId p = r.readProfileId();
          target.require(PrivacyStorage.class).deleteLedger(p);
        }
        case PUT_MEMBERSHIP, DELETE_MEMBERSHIP, PUT_CHECK, DELETE_CHECK ->
            JournalingSegments.replay(code, r, target);
        case ADD_OUTBOX, UPDATE_OUTBOX, DELETE_OUTBOX, PUT_DELIVERY, DELETE_DELIVERIES ->
            JournalingOutbox.replay(code, r, target);
        default -> throw BodyReader.malformed("unknown op code " + code + " at byte "
            + (r.position() - 1));
      }
    }
  }

  /** A record read from JSON; the codec's own errors are already storage exceptions. */
  private static <T> T readJson(java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      throw BodyReader.malformed("a record is invalid");
    }
  }

  private static ComponentRecord readComponent(BodyReader r) {
    String id = r.readString();
    EventKey latest = r.readPresent() ? r.readEventKey() : null;
    int n = r.readCount();
    List<DoNotLinkRule> rules = new ArrayList<>(Math.min(n, 64));
    try {
      for (int i = 0; i < n; i++) {
        Identifier a = r.readIdentifier();
        Identifier b = r.readIdentifier();
        rules.add(new DoNotLinkRule(a, b, r.readInstant()));
      }
      return new ComponentRecord(id, latest, rules);
    } catch (IllegalArgumentException e) {
      throw BodyReader.malformed("a component is invalid");
    }
  }

  private static Link readLink(BodyReader r) {
    EventKey key = r.readEventKey();
    int n = r.readCount();
    List<Identifier> ids = new ArrayList<>(Math.min(n, 64));
    for (int i = 0; i < n; i++) {
      ids.add(r.readIdentifier());
    }
    try {
      return new Link(key, ids);
    } catch (IllegalArgumentException e) {
      throw BodyReader.malformed("a link is invalid");
    }
  }

  private static LedgerEntry readLedger(BodyReader r) {
    int kind = r.readByte();
    if (kind >= KINDS.length) {
      throw BodyReader.malformed("a ledger entry's kind is unknown");
    }
    ProfileId profile = r.readProfileId();
    ProfileId other = r.readNullableProfileId();
    Identifier identifier = r.readNullableIdentifier();
    String messageId = r.readNullableString();
    Instant eventTime = r.readNullableInstant();
    Instant recordedAt = r.readInstant();
    String reason = r.readString();
    return new LedgerEntry(KINDS[kind], profile, other, identifier, messageId, eventTime,
        recordedAt, reason);
  }

  private static AuditEntry readAudit(BodyReader r) {
    long seq = r.readVarlong();
    Instant at = r.readInstant();
    String operation = r.readString();
    ProfileId profile = r.readNullableProfileId();
    String subject = r.readNullableString();
    String detail = r.readString();
    try {
      return new AuditEntry(seq, at, operation, profile, subject, detail);
    } catch (IllegalArgumentException e) {
      throw BodyReader.malformed("an audit entry is invalid");
    }
  }
}

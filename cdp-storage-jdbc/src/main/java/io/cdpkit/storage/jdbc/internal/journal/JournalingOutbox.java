package io.cdpkit.storage.jdbc.internal.journal;

import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.ADD_OUTBOX;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_DELIVERIES;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.DELETE_OUTBOX;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.PUT_DELIVERY;
import static io.cdpkit.storage.jdbc.internal.journal.JournalCodec.UPDATE_OUTBOX;

import io.cdpkit.activation.spi.storage.Delivery;
import io.cdpkit.activation.spi.storage.OutboxEntry;
import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.WriteTransaction;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Activation's {@link OutboxStorage} of a {@link JournalingTransaction}'s inner transaction, its
 * writes recorded; and how its ops are written to and read from a journal body. Loaded only when
 * a transaction is asked for that capability, or a body holding its ops is replayed, so a host
 * without cdp-activation-spi never loads it.
 *
 * <p>An entry inserted ({@code insertOutbox} that returned {@code true}, or {@code addOutbox}) is
 * replayed with {@code addOutbox}: its key was new then, so it is new on replay too, and a
 * database store need not ask.
 *
 * <p>Not thread-safe, like the transaction.
 */
final class JournalingOutbox implements OutboxStorage {
  private final OutboxStorage o;
  private final JournalingTransaction tx;

  private JournalingOutbox(OutboxStorage o, JournalingTransaction tx) {
    this.o = o;
    this.tx = tx;
  }

  /** {@code inner}, an {@link OutboxStorage}, wrapped; typed {@code Object} for the caller. */
  static Object wrap(Object inner, JournalingTransaction tx) {
    return new JournalingOutbox((OutboxStorage) inner, tx);
  }

  @Override
  public Optional<OutboxEntry> outbox(String key) {
    return o.outbox(key);
  }

  @Override
  public Map<String, OutboxEntry> outbox(Collection<String> keys) {
    return o.outbox(keys);
  }

  @Override
  public List<OutboxEntry> outbox(OutboxEntry.Status status, @Nullable String afterKey,
      int limit) {
    return o.outbox(status, afterKey, limit);
  }

  @Override
  public List<OutboxEntry> outboxOfProfile(ProfileId profile) {
    return o.outboxOfProfile(profile);
  }

  @Override
  public boolean insertOutbox(OutboxEntry entry) {
    boolean added = o.insertOutbox(entry);
    if (added) {
      tx.record(ADD_OUTBOX, entry, null, null);
    }
    return added;
  }

  @Override
  public void addOutbox(OutboxEntry entry) {
    o.addOutbox(entry);
    tx.record(ADD_OUTBOX, entry, null, null);
  }

  @Override
  public void updateOutbox(OutboxEntry entry) {
    o.updateOutbox(entry);
    tx.record(UPDATE_OUTBOX, entry, null, null);
  }

  @Override
  public void deleteOutbox(String key) {
    o.deleteOutbox(key);
    tx.record(DELETE_OUTBOX, key, null, null);
  }

  @Override
  public List<Delivery> deliveries(ProfileId profile) {
    return o.deliveries(profile);
  }

  @Override
  public void putDelivery(Delivery delivery) {
    o.putDelivery(delivery);
    tx.record(PUT_DELIVERY, delivery, null, null);
  }

  @Override
  public void deleteDeliveries(ProfileId profile) {
    o.deleteDeliveries(profile);
    tx.record(DELETE_DELIVERIES, profile, null, null);
  }

  // ------------------------------------------------------------------ body

  /** Writes the arguments of one of this capability's ops. */
  static void write(Op op, BodyWriter w) {
    switch (op.code) {
      case ADD_OUTBOX, UPDATE_OUTBOX -> {
        OutboxEntry e = (OutboxEntry) op.a;
        w.writeString(e.key());
        w.writeString(e.rule());
        w.writeProfileId(e.profile());
        w.writeString(e.channel());
        w.writeInstant(e.decidedAt());
        w.writeInstant(e.dueAt());
        w.writeVarint(e.attempts());
        w.writeByte(e.status().ordinal());
        w.writeString(e.trigger());
        w.writeNullableString(e.lease());
        w.writeNullableInstant(e.leaseUntil());
        w.writeNullableString(e.lastError());
      }
      case DELETE_OUTBOX -> w.writeString((String) op.a);
      case PUT_DELIVERY -> {
        Delivery d = (Delivery) op.a;
        w.writeString(d.id());
        w.writeProfileId(d.profile());
        w.writeInstant(d.at());
        w.writeString(d.rule());
        w.writeString(d.channel());
        w.writeString(d.key());
        w.writeVarint(d.attempt());
        w.writeString(d.outcome());
        w.writeNullableString(d.reason());
        w.writeString(d.detail());
      }
      case DELETE_DELIVERIES -> w.writeProfileId((ProfileId) op.a);
      default -> throw new IllegalStateException("not an outbox op: " + op.code);
    }
  }

  private static final OutboxEntry.Status[] STATUSES = OutboxEntry.Status.values();

  private static OutboxEntry readEntry(BodyReader r) {
    String key = r.readString();
    String rule = r.readString();
    ProfileId profile = r.readProfileId();
    String channel = r.readString();
    Instant decidedAt = r.readInstant();
    Instant dueAt = r.readInstant();
    int attempts = r.readVarint();
    int status = r.readByte();
    if (status >= STATUSES.length) {
      throw BodyReader.malformed("an outbox status is unknown");
    }
    String trigger = r.readString();
    String lease = r.readNullableString();
    Instant leaseUntil = r.readNullableInstant();
    String lastError = r.readNullableString();
    try {
      return new OutboxEntry(key, rule, profile, channel, decidedAt, dueAt, attempts,
          STATUSES[status], trigger, lease, leaseUntil, lastError);
    } catch (IllegalArgumentException e) {
      throw BodyReader.malformed("an outbox entry is invalid");
    }
  }

  private static Delivery readDelivery(BodyReader r) {
    String id = r.readString();
    ProfileId profile = r.readProfileId();
    Instant at = r.readInstant();
    String rule = r.readString();
    String channel = r.readString();
    String key = r.readString();
    int attempt = r.readVarint();
    String outcome = r.readString();
    String reason = r.readNullableString();
    String detail = r.readString();
    try {
      return new Delivery(id, profile, at, rule, channel, key, attempt, outcome, reason, detail);
    } catch (IllegalArgumentException e) {
      throw BodyReader.malformed("a delivery is invalid");
    }
  }

  /** Reads one of this capability's ops and applies it to {@code target}'s capability. */
  static void replay(int code, BodyReader r, WriteTransaction target) {
    switch (code) {
      case ADD_OUTBOX -> {
        OutboxEntry e = readEntry(r);
        target.require(OutboxStorage.class).addOutbox(e);
      }
      case UPDATE_OUTBOX -> {
        OutboxEntry e = readEntry(r);
        target.require(OutboxStorage.class).updateOutbox(e);
      }
      case DELETE_OUTBOX -> {
        String key = r.readString();
        target.require(OutboxStorage.class).deleteOutbox(key);
      }
      case PUT_DELIVERY -> {
        Delivery d = readDelivery(r);
        target.require(OutboxStorage.class).putDelivery(d);
      }
      case DELETE_DELIVERIES -> {
        ProfileId p = r.readProfileId();
        target.require(OutboxStorage.class).deleteDeliveries(p);
      }
      default -> throw new IllegalStateException("not an outbox op: " + code);
    }
  }
}

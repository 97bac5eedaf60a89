package io.cdpkit.storage.jdbc.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.spi.storage.OutboxStorage;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.Savepoint;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.lang.reflect.InvocationTargetException;
import io.cdpkit.storage.jdbc.WithoutModulesLoader;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Capture: what is recorded, the capabilities wrapped, savepoints, coalescing. */
class JournalingTransactionTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop-journal");
  private static final ProfileId P = JournalFixtures.PROFILES.get(0);

  private static <T> T inJournal(Function<JournalingTransaction, T> work) {
    return Store.inMemory().write(WS, tx -> work.apply(new JournalingTransaction(tx)));
  }

  private static byte[] body(Consumer<WriteTransaction> work) {
    return inJournal(j -> {
      work.accept(j);
      return j.encode();
    });
  }

  @Test
  @DisplayName("the capabilities are the inner ones wrapped, the same object each time; reads"
      + " through them forward; another capability is the inner one or empty")
  void capabilities() {
    inJournal(j -> {
      assertThat(j.require(SegmentStorage.class)).isInstanceOf(JournalingSegments.class)
          .isSameAs(j.require(SegmentStorage.class));
      assertThat(j.require(OutboxStorage.class)).isInstanceOf(JournalingOutbox.class)
          .isSameAs(j.require(OutboxStorage.class));
      assertThat(j.require(MetadataStorage.class)).isSameAs(j.require(MetadataStorage.class))
          .isNotInstanceOf(WriteTransaction.class);
      assertThat(j.require(PrivacyStorage.class)).isSameAs(j.require(PrivacyStorage.class));
      assertThat(j.capability(Runnable.class)).isEmpty();
      assertThat(j.isEmpty()).isTrue();
      j.require(SegmentStorage.class).putMembership(new Membership("vip", P,
          JournalFixtures.T));
      assertThat(j.isEmpty()).as("a capability's write is recorded").isFalse();
      assertThat(j.require(SegmentStorage.class).memberships(P)).hasSize(1);
      j.require(MetadataStorage.class).putMetadata("k", "v");
      assertThat(j.require(MetadataStorage.class).metadata("")).containsKey("k");
      return null;
    });
  }

  @Test
  @DisplayName("a write that throws, and an insert that stored nothing, are not recorded")
  void failedWritesNotRecorded() {
    inJournal(j -> {
      assertThatThrownBy(() -> j.require(MetadataStorage.class).putMetadata("", "v"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> j.require(OutboxStorage.class).updateOutbox(
          JournalFixtures.outbox(0, 0, 0))).isInstanceOf(IllegalArgumentException.class);
      assertThat(j.isEmpty()).isTrue();
      assertThat(j.insertEvent(JournalFixtures.event(0, 0, 1))).isTrue();
      byte[] once = j.encode();
      assertThat(j.insertEvent(JournalFixtures.event(0, 0, 1))).isFalse();
      assertThat(j.require(OutboxStorage.class).insertOutbox(JournalFixtures.outbox(0, 0, 0)))
          .isTrue();
      byte[] withOutbox = j.encode();
      assertThat(j.require(OutboxStorage.class).insertOutbox(JournalFixtures.outbox(0, 0, 0)))
          .isFalse();
      assertThat(j.encode()).isEqualTo(withOutbox).isNotEqualTo(once);
      return null;
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"putTombstone", "deleteEvents", "deleteNode", "deleteLinks",
      "deleteRedirect", "deleteLedger"})
  @DisplayName("erases() tells a tombstone or a privacy delete, and forgets it when rolled back")
  void erases(String call) {
    inJournal(j -> {
      PrivacyStorage p = j.require(PrivacyStorage.class);
      p.appendAudit(new AuditEntry(0, JournalFixtures.T, "erase", P, null, "{}"));
      j.putProfile(JournalFixtures.profile(0, 1));
      assertThat(j.erases()).as("an audit entry alone does not erase").isFalse();
      Savepoint sp = j.savepoint();
      switch (call) {
        case "putTombstone" -> p.putTombstone("h-1", JournalFixtures.T);
        case "deleteEvents" -> p.deleteEvents(List.of("m-0"));
        case "deleteNode" -> p.deleteNode(JournalFixtures.IDS.get(0));
        case "deleteLinks" -> p.deleteLinks("c-0");
        case "deleteRedirect" -> p.deleteRedirect(P);
        default -> p.deleteLedger(P);
      }
      assertThat(j.erases()).isTrue();
      j.rollbackTo(sp);
      assertThat(j.erases()).isFalse();
      assertThat(j.isEmpty()).isFalse();
      return null;
    });
  }

  @Test
  @DisplayName("rolling back to a savepoint drops the ops recorded after it, inner state too;"
      + " a savepoint of another transaction is refused")
  void savepoints() {
    byte[] expected = body(tx -> tx.putProfile(JournalFixtures.profile(0, 1)));
    byte[] actual = inJournal(j -> {
      Savepoint start = j.savepoint();
      j.putRedirect(P, JournalFixtures.PROFILES.get(1));
      j.rollbackTo(start);
      j.putProfile(JournalFixtures.profile(0, 1));
      Savepoint sp = j.savepoint();
      j.require(SegmentStorage.class).putCheck(new ScheduledCheck(P, JournalFixtures.T));
      j.require(MetadataStorage.class).putMetadata("k", "v");
      j.rollbackTo(sp);
      assertThat(j.require(SegmentStorage.class).check(P)).isEmpty();
      assertThat(j.redirect(P)).isEmpty();
      Savepoint foreign = Store.inMemory().write(WS, WriteTransaction::savepoint);
      assertThatThrownBy(() -> j.rollbackTo(foreign))
          .isInstanceOf(IllegalArgumentException.class);
      return j.encode();
    });
    assertThat(actual).isEqualTo(expected);
    boolean empty = inJournal(j -> {
      Savepoint sp = j.savepoint();
      j.putProfile(JournalFixtures.profile(0, 1));
      j.rollbackTo(sp);
      return j.isEmpty();
    });
    assertThat(empty).isTrue();
  }

  @Test
  @DisplayName("a profile written 30 times in a transaction is journaled once, as its last"
      + " version; so are a node, a component, metadata, a membership and a check")
  void coalescing() {
    byte[] last = body(tx -> {
      tx.putProfile(JournalFixtures.profile(0, 30));
      tx.putNode(new IdentityNode(JournalFixtures.IDS.get(0), JournalFixtures.PROFILES.get(1),
          "c-1"));
      tx.putComponent(JournalFixtures.component(1, 2));
      tx.require(MetadataStorage.class).putMetadata("k", "v30");
      tx.require(SegmentStorage.class).putMembership(new Membership("vip", P,
          JournalFixtures.at(30)));
      tx.require(SegmentStorage.class).putCheck(new ScheduledCheck(P, JournalFixtures.at(30)));
    });
    byte[] all = body(tx -> {
      for (int i = 1; i <= 30; i++) {
        tx.putProfile(JournalFixtures.profile(0, i));
        tx.putNode(new IdentityNode(JournalFixtures.IDS.get(0), JournalFixtures.PROFILES.get(
            i == 30 ? 1 : 2), i == 30 ? "c-1" : "c-0"));
        tx.putComponent(JournalFixtures.component(1, i == 30 ? 2 : 0));
        tx.require(MetadataStorage.class).putMetadata("k", "v" + i);
        tx.require(SegmentStorage.class).putMembership(new Membership("vip", P,
            JournalFixtures.at(i)));
        tx.require(SegmentStorage.class).putCheck(new ScheduledCheck(P, JournalFixtures.at(i)));
      }
    });
    assertThat(all).isEqualTo(last);
    // A later delete drops the puts before it, but is kept; a put after it is kept too.
    byte[] deleted = body(tx -> {
      tx.putProfile(JournalFixtures.profile(0, 1));
      tx.deleteProfile(P);
      tx.require(SegmentStorage.class).putMembership(new Membership("vip", P, JournalFixtures.T));
      tx.require(SegmentStorage.class).deleteMembership("vip", P);
    });
    byte[] deleteOnly = body(tx -> {
      tx.deleteProfile(P);
      tx.require(SegmentStorage.class).deleteMembership("vip", P);
    });
    assertThat(deleted).isEqualTo(deleteOnly);
    // Different keys are not coalesced.
    byte[] two = body(tx -> {
      tx.putProfile(JournalFixtures.profile(0, 1));
      tx.putProfile(JournalFixtures.profile(1, 1));
    });
    assertThat(two.length).isGreaterThan(body(tx -> tx.putProfile(
        JournalFixtures.profile(0, 1))).length + 10);
  }

  // ------------------------------------------------------------------ optional modules

  @Test
  @DisplayName("on a class path without cdp-segmentation and cdp-activation-spi, a journaling"
      + " transaction records, encodes and replays, and answers capabilities, without loading a"
      + " class of either module")
  void worksWithoutTheOptionalModules() throws Exception {
    Set<String> asked = ConcurrentHashMap.newKeySet();
    try (URLClassLoader host = WithoutModulesLoader.open(asked, n -> n.endsWith(".JournalingSegments") || n.endsWith(".JournalingOutbox"))) {
      assertThatThrownBy(() -> host.loadClass(SegmentStorage.class.getName()))
          .isInstanceOf(ClassNotFoundException.class);
      asked.clear();
      Object result;
      try {
        result = host.loadClass(WithoutOptionalModules.class.getName())
            .getMethod("run").invoke(null);
      } catch (InvocationTargetException e) {
        throw new AssertionError("failed without the optional modules", e.getCause());
      }
      assertThat(result).isEqualTo("metadata {k=v}, profile true, tombstone [h-1], none, none");
    }
    assertThat(asked).as("classes of (or for) the optional modules loaded").isEmpty();
  }

  /** Runs in a class loader without the optional modules; names none of their classes. */
  public static final class WithoutOptionalModules {
    private WithoutOptionalModules() {}

    public static String run() {
      WorkspaceId ws = WorkspaceId.of("no-modules");
      ProfileId p = ProfileId.of("p-0");
      java.time.Instant t = java.time.Instant.parse("2026-03-01T10:15:30Z");
      byte[] body = Store.inMemory().write(ws, tx -> {
        JournalingTransaction j = new JournalingTransaction(tx);
        j.putProfile(new io.cdpkit.core.spi.storage.ProfileRecord(p,
            io.cdpkit.core.model.ProfileState.EMPTY, java.util.Map.of(), 1));
        j.require(MetadataStorage.class).putMetadata("k", "v");
        j.require(PrivacyStorage.class).putTombstone("h-1", t);
        if (j.capability(Runnable.class).isPresent()) {
          throw new AssertionError("a capability nobody has");
        }
        return j.encode();
      });
      Store replica = Store.inMemory();
      replica.write(ws, tx -> {
        JournalCodec.replay(body, tx);
        return null;
      });
      return replica.write(ws, tx -> {
        JournalingTransaction j = new JournalingTransaction(tx);
        return "metadata " + j.require(MetadataStorage.class).metadata("")
            + ", profile " + j.profile(p).isPresent()
            + ", tombstone " + j.require(PrivacyStorage.class).tombstones(List.of("h-1"))
                .keySet()
            + ", " + tx.capability(Runnable.class).map(x -> "some").orElse("none")
            + ", " + j.capability(Runnable.class).map(x -> "some").orElse("none");
      });
    }
  }
}

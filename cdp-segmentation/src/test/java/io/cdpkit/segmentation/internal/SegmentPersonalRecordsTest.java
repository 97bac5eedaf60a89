package io.cdpkit.segmentation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.PersonalRecords;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.ScheduledCheck;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Segmentation's memberships and checks in a person's export and erasure. */
class SegmentPersonalRecordsTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-03-01T10:15:00.123456789Z");
  private static final ProfileId LIVE = ProfileId.of("p-live");
  /** Merged into {@link #LIVE}; sorts before it, so "the first id" is not the live one. */
  private static final ProfileId MERGED = ProfileId.of("a-merged");
  private static final ProfileId OTHER = ProfileId.of("p-other");

  private final Store store = Store.inMemory();
  private final PersonalRecords records = new SegmentPersonalRecords();

  @AfterEach
  void close() {
    store.close();
  }

  private void update(Consumer<SegmentStorage> work) {
    store.write(WS, tx -> {
      work.accept(tx.require(SegmentStorage.class));
      return null;
    });
  }

  private String export(Set<ProfileId> ids) {
    return store.read(WS, tx -> {
      ObjectNode doc = JSON.createObjectNode();
      doc.put("before", 1);
      records.export(tx, ids, doc);
      return doc.toString();
    });
  }

  @Test
  @DisplayName("the core finds it with ServiceLoader")
  void foundByServiceLoader() {
    List<Class<?>> found = new ArrayList<>();
    ServiceLoader.load(PersonalRecords.class).forEach(p -> found.add(p.getClass()));

    assertThat(found).contains(SegmentPersonalRecords.class);
  }

  @Test
  @DisplayName("export adds memberships sorted by segment and the scheduled check, in the shape"
      + " exports always had")
  void exportShape() {
    update(st -> {
      st.putMembership(new Membership("vip", LIVE, T0));
      st.putMembership(new Membership("churn", LIVE, T0.plusSeconds(60)));
      st.putMembership(new Membership("vip", OTHER, T0));
      st.putCheck(new ScheduledCheck(LIVE, T0.plusSeconds(3600)));
      st.putCheck(new ScheduledCheck(OTHER, T0));
    });

    assertThat(export(Set.of(LIVE))).isEqualTo("{\"before\":1,\"memberships\":["
        + "{\"segment\":\"churn\",\"since\":\"2026-03-01T10:16:00.123456789Z\"},"
        + "{\"segment\":\"vip\",\"since\":\"2026-03-01T10:15:00.123456789Z\"}],"
        + "\"scheduledCheck\":{\"at\":\"2026-03-01T11:15:00.123456789Z\"}}");
    // Merged-away ids without records change nothing.
    assertThat(export(Set.of(MERGED, LIVE))).isEqualTo(export(Set.of(LIVE)));
  }

  @Test
  @DisplayName("export of a person with no memberships and no check has an empty array and a"
      + " null check")
  void exportEmpty() {
    update(st -> st.putMembership(new Membership("vip", OTHER, T0)));

    assertThat(export(Set.of(LIVE, MERGED)))
        .isEqualTo("{\"before\":1,\"memberships\":[],\"scheduledCheck\":null}");
  }

  @Test
  @DisplayName("export reads the memberships of every id of the person, not only the first,"
      + " and gives the earliest check")
  void exportEveryId() {
    update(st -> {
      st.putMembership(new Membership("vip", LIVE, T0));
      st.putMembership(new Membership("churn", MERGED, T0));
      st.putCheck(new ScheduledCheck(LIVE, T0.plusSeconds(120)));
      st.putCheck(new ScheduledCheck(MERGED, T0.plusSeconds(60)));
    });

    assertThat(export(Set.of(LIVE, MERGED))).isEqualTo("{\"before\":1,\"memberships\":["
        + "{\"segment\":\"churn\",\"since\":\"2026-03-01T10:15:00.123456789Z\"},"
        + "{\"segment\":\"vip\",\"since\":\"2026-03-01T10:15:00.123456789Z\"}],"
        + "\"scheduledCheck\":{\"at\":\"2026-03-01T10:16:00.123456789Z\"}}");
  }

  @Test
  @DisplayName("erase deletes every membership and the check of each id, counts them, and"
      + " leaves other people's")
  void erase() {
    update(st -> {
      st.putMembership(new Membership("vip", LIVE, T0));
      st.putMembership(new Membership("churn", LIVE, T0));
      st.putMembership(new Membership("vip", MERGED, T0));
      st.putMembership(new Membership("vip", OTHER, T0));
      st.putCheck(new ScheduledCheck(LIVE, T0));
      st.putCheck(new ScheduledCheck(MERGED, T0));
      st.putCheck(new ScheduledCheck(OTHER, T0));
    });

    Map<String, Integer> counts = store.write(WS, tx -> records.erase(tx, Set.of(LIVE, MERGED)));

    assertThat(counts).containsOnly(entry("memberships", 3), entry("scheduledChecks", 2));
    store.read(WS, tx -> {
      SegmentStorage st = tx.require(SegmentStorage.class);
      assertThat(st.memberships(LIVE)).isEmpty();
      assertThat(st.memberships(MERGED)).isEmpty();
      assertThat(st.members("vip", null, 10)).containsExactly(new Membership("vip", OTHER, T0));
      assertThat(st.dueChecks(Instant.MAX, 10)).containsExactly(new ScheduledCheck(OTHER, T0));
      return null;
    });
    Map<String, Integer> again = store.write(WS, tx -> records.erase(tx, Set.of(LIVE, MERGED)));
    assertThat(again).containsOnly(entry("memberships", 0), entry("scheduledChecks", 0));
  }

  @Test
  @DisplayName("an erasure whose transaction fails deletes nothing")
  void eraseRolledBack() {
    update(st -> {
      st.putMembership(new Membership("vip", LIVE, T0));
      st.putCheck(new ScheduledCheck(LIVE, T0));
    });
    String before = export(Set.of(LIVE));

    assertThatThrownBy(() -> store.write(WS, tx -> {
      records.erase(tx, Set.of(LIVE));
      throw new IllegalStateException("erasure step failed");
    })).hasMessage("erasure step failed");

    assertThat(export(Set.of(LIVE))).isEqualTo(before).contains("vip");
  }

  @Test
  @DisplayName("a store without SegmentStorage: export adds nothing, erase deletes and counts"
      + " nothing")
  void noCapability() {
    ReadTransaction read = without(ReadTransaction.class);
    WriteTransaction write = without(WriteTransaction.class);
    ObjectNode doc = JSON.createObjectNode();

    records.export(read, Set.of(LIVE), doc);

    assertThat(doc.isEmpty()).isTrue();
    assertThat(records.erase(write, Set.of(LIVE))).isEmpty();
  }

  /** A transaction with no capability that fails on any other call. */
  private static <T> T without(Class<T> type) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          if (method.getName().equals("capability")) {
            return Optional.empty();
          }
          throw new AssertionError("unexpected call of " + method.getName());
        }));
  }
}

package io.cdpkit.segmentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Segments#history}: entries and exits per segment and UTC day. */
class SegmentHistoryTest {
  static final Instant START = Instant.parse("2026-03-01T23:30:00Z");
  static final LocalDate DAY0 = LocalDate.parse("2026-03-01");

  final MutableClock clock = new MutableClock(START);
  final Store store = Store.inMemory();
  final AtomicBoolean failNext = new AtomicBoolean();
  Cdp cdp;
  Segmentation segmentation;
  int n;

  void start(boolean history) {
    segmentation = Segmentation.builder().segmentHistory(history).build();
    CdpExtension failing = new CdpExtension() {
      @Override
      public void attach(ExtensionContext context) {
        context.observe(changes -> {
          if (failNext.getAndSet(false)) {
            throw new IllegalStateException("a later step of the transaction failed");
          }
        });
      }
    };
    cdp = Cdp.builder().store(store).clock(clock).extension(segmentation).extension(failing)
        .build();
    segmentation.segments().save(SegmentDefinition.builder("gold")
        .where(Conditions.trait("tier").eq("gold")).build());
  }

  @AfterEach
  void stop() {
    if (cdp != null) {
      cdp.close();
    }
  }

  void tier(String customer, String tier) {
    cdp.ingest(Event.identify().messageId("m" + n++).userId(customer).trait("tier", tier)
        .timestamp(clock.instant()).build());
  }

  List<String> days(LocalDate from, LocalDate to) {
    return segmentation.segments().history("gold", from, to).stream()
        .map(d -> d.day() + " +" + d.entries() + " -" + d.exits()).toList();
  }

  Map<String, String> records() {
    return store.read(WorkspaceId.DEFAULT,
        tx -> tx.require(MetadataStorage.class).metadata("segment-history/"));
  }

  @Test
  @DisplayName("entries and exits land on their UTC day (not the local one), days between read"
      + " as zeros, and entries minus exits is the size")
  void perDay() {
    start(true);
    tier("a", "gold");
    tier("b", "gold");
    clock.advance(Duration.ofHours(1)); // 2026-03-02 00:30 UTC
    tier("a", "silver");
    tier("c", "gold");
    clock.advance(Duration.ofDays(2));
    tier("c", "silver");
    clock.advance(Duration.ofMinutes(1));
    tier("c", "gold"); // out and in again on one day: one exit, one entry
    tier("d", "gold");
    assertThat(days(DAY0.minusDays(1), DAY0.plusDays(4))).containsExactly(
        "2026-02-28 +0 -0", "2026-03-01 +2 -0", "2026-03-02 +1 -1", "2026-03-03 +0 -0",
        "2026-03-04 +2 -1", "2026-03-05 +0 -0");
    assertThat(segmentation.segments().members("gold", null, 100)).hasSize(3);
  }

  @Test
  @DisplayName("the records hold counts only: no profile id, no identifier")
  void countsOnly() {
    start(true);
    tier("C-1001", "gold");
    String id = cdp.profiles().find(Identifier.customerId("C-1001")).orElseThrow().id().value();
    assertThat(records()).isNotEmpty().allSatisfy((k, v) -> {
      assertThat(k).doesNotContain(id).doesNotContain("1001");
      assertThat(v).matches("[0-9]+,[0-9]+");
    });
  }

  @Test
  @DisplayName("a transaction that fails after the change counts nothing (same transaction)")
  void rollback() {
    start(true);
    tier("a", "gold");
    failNext.set(true);
    assertThatThrownBy(() -> tier("b", "gold")).hasMessageContaining("could not be stored");
    assertThat(days(DAY0, DAY0)).containsExactly("2026-03-01 +1 -0");
    assertThat(segmentation.segments().members("gold", null, 100)).hasSize(1);
  }

  @Test
  @DisplayName("exits by time, by a definition saved again, by a merge and by erasure all count")
  void everyCause() {
    start(true);
    tier("a", "gold");
    tier("b", "gold");
    cdp.privacy().erase(Identifier.customerId("b"));
    segmentation.segments().save(SegmentDefinition.builder("gold")
        .where(Conditions.trait("tier").eq("platinum")).build());
    assertThat(days(DAY0, DAY0)).containsExactly("2026-03-01 +2 -2");
    assertThat(segmentation.segments().members("gold", null, 100)).isEmpty();
  }

  @Test
  @DisplayName("deleting a segment deletes its history; it reads as zeros")
  void deleted() {
    start(true);
    tier("a", "gold");
    segmentation.segments().delete("gold");
    assertThat(records()).isEmpty();
    assertThat(days(DAY0, DAY0)).containsExactly("2026-03-01 +0 -0");
  }

  @Test
  @DisplayName("retention: a day 400 days old is deleted when the segment changes; older days"
      + " read as zeros")
  void retention() {
    start(true);
    tier("a", "gold");
    clock.advance(Duration.ofDays(400));
    tier("a", "silver");
    assertThat(records()).hasSize(1);
    assertThat(days(DAY0, DAY0)).containsExactly("2026-03-01 +0 -0");
  }

  @Test
  @DisplayName("retention holds however the days of change fall: records older than 400 days"
      + " are gone at the next change, not only the day exactly 400 days back")
  void retentionWithGaps() {
    start(true);
    tier("a", "gold");
    clock.advance(Duration.ofDays(3));
    tier("a", "silver");
    assertThat(records()).hasSize(2);
    clock.advance(Duration.ofDays(500));
    tier("a", "gold");
    assertThat(records()).as("only the new day is left").hasSize(1);
  }

  @Test
  @DisplayName("with segmentHistory(false) nothing is written")
  void off() {
    start(false);
    tier("a", "gold");
    assertThat(records()).isEmpty();
    assertThat(days(DAY0, DAY0)).containsExactly("2026-03-01 +0 -0");
  }

  @Test
  @DisplayName("bad ranges and segment ids are refused, naming the argument")
  void badArguments() {
    start(true);
    Segments s = segmentation.segments();
    assertThatThrownBy(() -> s.history("gold", DAY0, DAY0.minusDays(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after");
    assertThatThrownBy(() -> s.history("gold", DAY0, DAY0.plusDays(366)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("366");
    assertThat(s.history("gold", DAY0, DAY0.plusDays(365))).hasSize(366);
    assertThatThrownBy(() -> s.history("gold/../x", DAY0, DAY0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segment id");
    assertThatThrownBy(() -> s.history("Gold", DAY0, DAY0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segment id");
  }
}

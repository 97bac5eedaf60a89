package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.SegmentEvent;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.ProfileField;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A refit moves the members of the segments that read the predictions, and no others. */
class RefitSegmentsTest {
  static final int CUSTOMERS = 60;

  MutableClock clock;
  Store store;
  Predictions predictions;
  Segmentation segmentation;
  Cdp cdp;
  final List<SegmentEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    clock = new MutableClock(PredictionsTest.NOW);
    store = Store.inMemory();
    predictions = Predictions.builder().refreshInterval(Duration.ZERO).build();
    segmentation = Segmentation.builder().listener(events::add).build();
    cdp = Cdp.builder().store(store).clock(clock).extension(segmentation)
        .extension(predictions).build();
    cdp.ingest(PredictionsTest.shop(CUSTOMERS, 3));
  }

  @AfterEach
  void stop() {
    cdp.close();
    store.close();
  }

  Profile customer(int c) {
    return cdp.profiles().find(Identifier.customerId("C-" + c)).orElseThrow();
  }

  boolean leaving(Profile p) {
    return ((BigDecimal) p.computedTrait("p_alive").orElseThrow())
        .compareTo(new BigDecimal("0.3")) < 0;
  }

  @Test
  @DisplayName("fit: members of a segment on p_alive (and of a segment reading it) are right at"
      + " once, with cause recompute; a segment reading no prediction is not re-evaluated")
  void fitMovesMembersAtOnce() {
    Segments segments = segmentation.segments();
    segments.save(SegmentDefinition.builder("leaving")
        .where(Conditions.computed("p_alive").lt(new BigDecimal("0.3"))).build());
    segments.save(SegmentDefinition.builder("leaving-repeat")
        .where(Conditions.and(Conditions.inSegment("leaving"),
            Conditions.profile(ProfileField.ORDER_COUNT).gte(2))).build());
    segments.save(SegmentDefinition.builder("repeat")
        .where(Conditions.profile(ProfileField.ORDER_COUNT).gte(2)).build());
    for (int c = 0; c < CUSTOMERS; c++) {
      assertThat(segments.isMember(customer(c).id(), "leaving"))
          .as("no model yet: nobody is leaving").isFalse();
    }
    events.clear();
    List<String> phases = new ArrayList<>();
    predictions.fit(io.cdpkit.core.model.WorkspaceId.DEFAULT,
        (phase, done, total) -> phases.add(phase));

    int leaving = 0;
    Set<io.cdpkit.core.model.ProfileId> entered = new HashSet<>();
    for (SegmentEvent e : events) {
      assertThat(e.segment()).as("only segments reading p_alive move")
          .isIn("leaving", "leaving-repeat");
      assertThat(e.kind()).isEqualTo(SegmentEvent.Kind.ENTERED);
      assertThat(e.cause().type()).isEqualTo(SegmentEvent.Cause.Type.RECOMPUTE);
      if (e.segment().equals("leaving")) {
        entered.add(e.profile());
      }
    }
    for (int c = 0; c < CUSTOMERS; c++) {
      Profile p = customer(c);
      boolean low = leaving(p);
      leaving += low ? 1 : 0;
      assertThat(segments.isMember(p.id(), "leaving")).as("C-" + c).isEqualTo(low);
      assertThat(entered.contains(p.id())).as("C-" + c + " entered").isEqualTo(low);
      assertThat(segments.isMember(p.id(), "leaving-repeat")).as("C-" + c + " nested")
          .isEqualTo(low && p.orderCount() >= 2);
    }
    assertThat(leaving).as("some customers are leaving").isPositive();
    assertThat(leaving).as("and some are not").isLessThan(CUSTOMERS);
    assertThat(phases).contains("read", "store", "evaluate");
    assertThat(phases.lastIndexOf("store")).isLessThan(phases.indexOf("evaluate"));

    // A second fit on the same data moves nobody.
    events.clear();
    predictions.fit(io.cdpkit.core.model.WorkspaceId.DEFAULT, ProgressListener.none());
    assertThat(events).isEmpty();
  }

  @Test
  @DisplayName("a fit in one workspace moves no member of another")
  void otherWorkspaceUntouched() {
    io.cdpkit.core.model.WorkspaceId b = io.cdpkit.core.model.WorkspaceId.of("shop-b");
    cdp.workspace(b).ingest(PredictionsTest.shop(CUSTOMERS, 5));
    segmentation.segments(b).save(SegmentDefinition.builder("leaving")
        .where(Conditions.computed("p_alive").lt(new BigDecimal("0.3"))).build());
    events.clear();
    predictions.fit(io.cdpkit.core.model.WorkspaceId.DEFAULT, ProgressListener.none());
    assertThat(events).isEmpty();
    predictions.fit(b, ProgressListener.none());
    assertThat(events).isNotEmpty().allMatch(e -> e.workspace().equals(b));
  }
}

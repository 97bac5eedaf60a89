package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Laws of the prediction traits: they are a function of the profile's events, not of the order
 * they arrived in, and removing an order (refund in full, erasure) gives what recomputing from
 * the remaining events gives. One {@code Cdp} is shared; each try uses fresh workspaces into
 * which the model fitted once on a training workspace is copied (the stored metadata, loaded
 * with {@link Predictions#refresh}).
 */
class PredictionsProperties {
  static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");
  static final List<String> TRAITS = List.of("p_alive", "expected_purchases_90d",
      "expected_order_value", "predicted_value_365d", "churn_cohort");
  static Store store;
  static Cdp cdp;
  static Predictions predictions;
  static Map<String, String> model;
  static final AtomicInteger WORKSPACES = new AtomicInteger();

  @BeforeContainer
  static void fitOnce() {
    store = Store.inMemory();
    predictions = Predictions.builder().refreshInterval(Duration.ZERO).build();
    cdp = Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(predictions)
        .build();
    WorkspaceId training = WorkspaceId.of("training");
    cdp.workspace(training).ingest(PredictionsTest.shop(60, 11));
    predictions.fit(training, ProgressListener.none());
    model = store.read(training,
        tx -> tx.require(MetadataStorage.class).metadata(Predictions.KEY_PREFIX));
  }

  @AfterContainer
  static void stop() {
    cdp.close();
    store.close();
  }

  /** A fresh workspace holding the training workspace's model. */
  static WorkspaceId fresh() {
    WorkspaceId w = WorkspaceId.of("w" + WORKSPACES.incrementAndGet());
    store.write(w, tx -> {
      MetadataStorage md = tx.require(MetadataStorage.class);
      model.forEach(md::putMetadata);
      return null;
    });
    cdp.workspace(w);
    predictions.refresh(w);
    assertThat(predictions.model(w)).isPresent();
    return w;
  }

  /** One customer's orders (a few on the same day), and refunds in full or in part. */
  record History(List<Event> orders, List<Event> fullRefunds, List<Event> partialRefunds) {
    List<Event> all() {
      List<Event> out = new ArrayList<>(orders);
      out.addAll(fullRefunds);
      out.addAll(partialRefunds);
      return out;
    }

    /** The orders not refunded in full, with their partial refunds. */
    List<Event> remaining() {
      List<String> gone = fullRefunds.stream()
          .map(e -> String.valueOf(e.properties().get("order_id"))).toList();
      List<Event> out = new ArrayList<>();
      for (Event o : orders) {
        if (!gone.contains(String.valueOf(o.properties().get("order_id")))) {
          out.add(o);
        }
      }
      for (Event r : partialRefunds) {
        if (!gone.contains(String.valueOf(r.properties().get("order_id")))) {
          out.add(r);
        }
      }
      return out;
    }
  }

  static History history(String customer, int n, Random random) {
    List<Event> orders = new ArrayList<>();
    List<Event> full = new ArrayList<>();
    List<Event> partial = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant at = NOW.minus(Duration.ofHours(1 + random.nextInt(300 * 24)));
      String id = customer + "-O" + i;
      orders.add(Event.track("Order Completed").messageId(id).userId(customer).timestamp(at)
          .property("order_id", id)
          .property("total", BigDecimal.valueOf(500 + random.nextInt(20_000), 2))
          .property("currency", random.nextInt(8) == 0 ? "USD" : "EUR").build());
      int kind = random.nextInt(5);
      if (kind == 0) {
        full.add(Event.track("Order Refunded").messageId(id + "-R").userId(customer)
            .timestamp(at.plusSeconds(3_600)).property("order_id", id).build());
      } else if (kind == 1) {
        partial.add(Event.track("Order Refunded").messageId(id + "-P").userId(customer)
            .timestamp(at.plusSeconds(3_600)).property("order_id", id)
            .property("total", BigDecimal.valueOf(random.nextInt(400), 2))
            .property("currency", "EUR").build());
      }
    }
    return new History(orders, full, partial);
  }

  static Map<String, Optional<Object>> traits(WorkspaceId w, String customer) {
    Optional<Profile> p = cdp.workspace(w).profiles().find(Identifier.customerId(customer));
    Map<String, Optional<Object>> out = new LinkedHashMap<>();
    for (String t : TRAITS) {
      out.put(t, p.flatMap(x -> x.computedTrait(t)));
    }
    return out;
  }

  @Property(tries = 40)
  @Label("the predictions of a profile are the same for any ingestion order of its orders and "
      + "refunds")
  void ingestionOrder(@ForAll @IntRange(min = 1, max = 10) int n, @ForAll long seed) {
    Random random = new Random(seed);
    List<Event> events = history("C-1", n, random).all();
    WorkspaceId a = fresh();
    WorkspaceId b = fresh();
    for (Event e : events) {
      cdp.workspace(a).ingest(e);
    }
    Collections.shuffle(events, random);
    for (Event e : events) {
      cdp.workspace(b).ingest(e);
    }
    assertThat(traits(b, "C-1")).isEqualTo(traits(a, "C-1"));
  }

  @Property(tries = 40)
  @Label("refunding orders in full, and erasing another person, give the predictions that the "
      + "remaining events give")
  void removalIsRecomputation(@ForAll @IntRange(min = 1, max = 10) int n,
      @ForAll long seed) {
    Random random = new Random(seed);
    History kept = history("C-1", n, random);
    History erased = history("C-2", 1 + random.nextInt(5), random);
    WorkspaceId removed = fresh();
    WorkspaceId recomputed = fresh();
    List<Event> everything = new ArrayList<>(kept.orders());
    everything.addAll(erased.all());
    everything.addAll(kept.partialRefunds());
    Collections.shuffle(everything, random);
    cdp.workspace(removed).ingest(everything);
    Map<String, Optional<Object>> beforeRefunds = traits(removed, "C-1");
    cdp.workspace(removed).ingest(kept.fullRefunds());
    cdp.workspace(removed).privacy().erase(Identifier.customerId("C-2"));
    cdp.workspace(recomputed).ingest(kept.remaining());
    assertThat(traits(removed, "C-1")).isEqualTo(traits(recomputed, "C-1"));
    assertThat(traits(removed, "C-2").values()).allMatch(Optional::isEmpty);
    if (kept.fullRefunds().isEmpty()) {
      assertThat(traits(removed, "C-1")).isEqualTo(beforeRefunds);
    }
  }
}

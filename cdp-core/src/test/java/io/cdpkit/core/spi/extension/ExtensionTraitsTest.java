package io.cdpkit.core.spi.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.traits.Aggregation;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.ComputedTraits;
import io.cdpkit.core.traits.DerivedTrait;
import io.cdpkit.core.traits.EventFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Extensions add their traits themselves ({@link CdpExtension#computedTraits()}), and tell each
 * other when a model behind derived traits changed ({@link ExtensionContext#traitsChanged}).
 */
class ExtensionTraitsTest {
  static final ComputedTrait ORDERS = ComputedTrait.builder("ext_orders", Aggregation.COUNT)
      .filter(EventFilter.ORDERS).build();
  /** A derived trait reading the aggregate, as a model would. */
  static final DerivedTrait SCORE = DerivedTrait.of("ext_score", Set.of("ext_orders"),
      ctx -> ctx.value("ext_orders").map(v -> ((Number) v).longValue() * 10));

  /** Offers an aggregate and a derived trait, and records what it is told. */
  static class Modelling implements CdpExtension {
    final List<String> told = new ArrayList<>();
    ExtensionContext context;

    @Override
    public void attach(ExtensionContext context) {
      this.context = context;
    }

    @Override
    public ComputedTraits computedTraits() {
      return ComputedTraits.of(List.of(ORDERS), List.of(SCORE));
    }

    @Override
    public void traitsChanged(WorkspaceId workspace, Set<String> traits,
        ProgressListener progress) {
      told.add(workspace + " " + traits);
      progress.progress("seen", 1, 1);
    }
  }

  static Event order(String id) {
    return Event.track("Order Completed").messageId("m-" + id).userId("u1")
        .property("order_id", id).property("total", 10).build();
  }

  @Test
  @DisplayName("an extension's aggregate and derived trait are kept without the host declaring"
      + " them")
  void traitsOfTheExtensionAreKept() {
    Modelling m = new Modelling();
    try (Cdp cdp = Cdp.builder().extension(m).build()) {
      cdp.ingest(List.of(order("o1"), order("o2")));
      var p = cdp.profiles().find(Identifier.customerId("u1")).orElseThrow();
      assertThat(p.computedTrait("ext_orders")).contains(2L);
      assertThat(p.computedTrait("ext_score")).contains(20L);
    }
  }

  @Test
  @DisplayName("a host trait with an extension trait's name is refused at extension()")
  void clashRefused() {
    Cdp.Builder b = Cdp.builder().computedTrait(ComputedTrait.builder("ext_orders",
        Aggregation.COUNT).build());
    assertThatThrownBy(() -> b.extension(new Modelling()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ext_orders");
  }

  @Test
  @DisplayName("traitsChanged reaches every extension with the derived traits that read the"
      + " changed ones; names that are not derived traits in force are refused")
  void traitsChanged() {
    Modelling m = new Modelling();
    Modelling other = new Modelling() {
      @Override
      public ComputedTraits computedTraits() {
        return ComputedTraits.NONE;
      }
    };
    DerivedTrait hostReadsScore = DerivedTrait.of("host_band", Set.of("ext_score"),
        ctx -> Optional.of("band"));
    try (Cdp cdp = Cdp.builder().extension(m).extension(other).derivedTrait(hostReadsScore)
        .build()) {
      List<String> phases = new ArrayList<>();
      m.context.traitsChanged(WorkspaceId.DEFAULT, Set.of("ext_score"),
          (phase, done, total) -> phases.add(phase));
      assertThat(m.told).containsExactly("default [ext_score, host_band]");
      assertThat(other.told).containsExactly("default [ext_score, host_band]");
      assertThat(phases).containsExactly("seen", "seen");

      assertThatThrownBy(() -> m.context.traitsChanged(WorkspaceId.DEFAULT,
          Set.of("ext_orders"), ProgressListener.none()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ext_orders is not a derived trait");
      assertThatThrownBy(() -> m.context.traitsChanged(WorkspaceId.DEFAULT,
          Set.of("nothing"), ProgressListener.none()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing");
      assertThat(m.told).hasSize(1);
    }
  }

  @Test
  @DisplayName("opening a store whose profiles lack a new aggregate reports the recompute")
  void recomputeProgress() {
    Store store = Store.inMemory();
    try (Cdp cdp = Cdp.builder().store(store).build()) {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 450; i++) {
        events.add(Event.track("Order Completed").messageId("m" + i).userId("u" + i)
            .property("order_id", "o" + i).property("total", 5).build());
      }
      cdp.ingest(events);
    }
    List<Long> done = new ArrayList<>();
    try (Cdp cdp = Cdp.builder().store(store).extension(new Modelling())
        .recomputeProgress((phase, n, total) -> {
          assertThat(phase).isEqualTo("recompute");
          assertThat(total).isEqualTo(ProgressListener.UNKNOWN);
          done.add(n);
        }).build()) {
      assertThat(done).isNotEmpty().isSorted();
      assertThat(done.get(done.size() - 1)).isEqualTo(450L);
      assertThat(cdp.profiles().find(Identifier.customerId("u7")).orElseThrow()
          .computedTrait("ext_score")).contains(10L);
    }
    store.close();
  }
}

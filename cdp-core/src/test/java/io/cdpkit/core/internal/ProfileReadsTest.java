package io.cdpkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.extension.ReadModel;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.traits.ComputedTraits;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The read model extensions get: it follows merges as far as {@link ReadModel#MAX_REDIRECTS}
 * and no further, refuses loops, and shows a person exactly as {@code Cdp.profiles()} does.
 */
class ProfileReadsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final WorkspaceId WS = WorkspaceId.DEFAULT;
  private final ReadModel reads = new ProfileReads(() -> ComputedTraits.NONE);

  private static ProfileId id(int i) {
    return ProfileId.of("p-" + i);
  }

  /** A live profile {@code p-0} and a chain {@code p-n -> ... -> p-1 -> p-0}. */
  private static Store chain(int n) {
    Store store = Store.inMemory();
    store.write(WS, tx -> {
      tx.putProfile(new ProfileRecord(id(0), ProfileState.EMPTY, Map.of(), 1));
      for (int i = 1; i <= n; i++) {
        tx.putRedirect(id(i), id(i - 1));
      }
      return null;
    });
    return store;
  }

  @Test
  @DisplayName("a chain of merges as long as the limit resolves; one step longer is an"
      + " inconsistent store")
  void chainsUpToTheLimit() {
    Store ok = chain(ReadModel.MAX_REDIRECTS);
    Optional<ProfileId> resolved = ok.read(WS,
        tx -> reads.resolve(tx, id(ReadModel.MAX_REDIRECTS)));
    assertThat(resolved).contains(id(0));
    Store tooLong = chain(ReadModel.MAX_REDIRECTS + 1);
    assertThatThrownBy(() -> tooLong.read(WS,
        tx -> reads.resolve(tx, id(ReadModel.MAX_REDIRECTS + 1))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("redirect chain");
  }

  @Test
  @DisplayName("a loop of redirects is an inconsistent store, not an endless read; an id that"
      + " was never a profile resolves to nothing")
  void loopsAndStrangers() {
    Store store = Store.inMemory();
    store.write(WS, tx -> {
      tx.putRedirect(id(1), id(2));
      tx.putRedirect(id(2), id(1));
      return null;
    });
    assertThatThrownBy(() -> store.read(WS, tx -> reads.resolve(tx, id(1))))
        .isInstanceOf(IllegalStateException.class);
    Optional<ProfileId> none = store.read(WS, tx -> reads.resolve(tx, id(9)));
    assertThat(none).isEmpty();
    List<StoredEvent> noEvents = store.read(WS, tx -> reads.events(tx, id(9)));
    assertThat(noEvents).isEmpty();
  }

  @Test
  @DisplayName("an extension reads a merged-away id as Cdp.profiles() does: the same profile,"
      + " identifiers and events")
  void extensionsSeeWhatTheApiShows() {
    AtomicReference<ExtensionContext> context = new AtomicReference<>();
    CdpExtension grab = context::set;
    Store store = Store.inMemory();
    try (Cdp cdp = Cdp.builder().store(store).extension(grab).build()) {
      cdp.ingest(Event.identify().messageId("m1").anonymousId("anon-1")
          .trait("email", "ayse@example.com").timestamp(T0).build());
      cdp.ingest(Event.identify().messageId("m2").userId("c-7").timestamp(T0.plusSeconds(1))
          .build());
      ProfileId before = cdp.profiles().find(Identifier.customerId("c-7")).orElseThrow().id();
      cdp.ingest(Event.identify().messageId("m3").userId("c-7")
          .trait("email", "ayse@example.com").timestamp(T0.plusSeconds(2)).build());

      Profile viaApi = cdp.profiles().get(before).orElseThrow();
      ReadModel model = context.get().readModel();
      Instant at = viaApi.readAt();
      Profile viaModel = store.read(WS, tx -> model.profile(tx, WS, before, at)).orElseThrow();
      assertThat(viaModel.id()).isEqualTo(viaApi.id());
      assertThat(viaModel.identifiers()).containsExactlyInAnyOrderElementsOf(
          viaApi.identifiers());
      assertThat(viaModel.version()).isEqualTo(viaApi.version());
      List<String> events = store.read(WS, tx -> model.events(tx, before)).stream()
          .map(e -> e.event().messageId()).toList();
      assertThat(events).containsExactlyElementsOf(
          cdp.profiles().events(before).stream().map(Event::messageId).toList());
      assertThat(events).containsExactlyInAnyOrder("m1", "m2", "m3");
    }
  }

  @Test
  @DisplayName("a state view reads nothing and shows the record's derived fields as the full"
      + " profile does, in the workspace it is given")
  void stateViewShowsDerivedFields() {
    WorkspaceId other = WorkspaceId.of("other-shop");
    Store store = Store.inMemory();
    try (Cdp cdp = Cdp.builder().store(store).build()) {
      Workspace w = cdp.workspace(other);
      w.ingest(Event.track("Order Completed").messageId("o1").userId("c-9")
          .property("order_id", "A-1").property("total", new java.math.BigDecimal("20.00"))
          .property("currency", "EUR").timestamp(T0).build());
      w.ingest(Event.track("Order Completed").messageId("o2").userId("c-9")
          .property("order_id", "A-2").property("total", new java.math.BigDecimal("5.50"))
          .property("currency", "EUR").timestamp(T0.plusSeconds(60)).build());
      Profile full = w.profiles().find(Identifier.customerId("c-9")).orElseThrow();
      ProfileRecord record = store.read(other, tx -> tx.profile(full.id())).orElseThrow();
      Profile view = reads.stateView(other, record, full.readAt());

      assertThat(view.workspace()).isEqualTo(other);
      assertThat(view.identifiers()).isEmpty();
      assertThat(view.orderCount()).isEqualTo(full.orderCount()).isEqualTo(2);
      assertThat(view.totalSpend()).isEqualTo(full.totalSpend());
      assertThat(view.lastOrder()).isEqualTo(full.lastOrder());
      assertThat(view.version()).isEqualTo(full.version());
    }
  }
}

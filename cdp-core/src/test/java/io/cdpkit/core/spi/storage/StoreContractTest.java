package io.cdpkit.core.spi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.ProfileState.Order;
import io.cdpkit.core.model.WorkspaceId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;


/**
 * The storage contract of the engine's own records: what every {@link Store} must do with
 * events, the identity graph, profiles and the merge ledger, with transactions, savepoints and
 * atomicity, written only against the public SPI. What a store keeps beyond them is a capability
 * with a suite of its own ({@link MetadataStorageContractTest}, {@link PrivacyStorageContractTest},
 * and those modules ship in their test-jars for the capabilities they own). A store passes this
 * suite by subclassing it once and returning a fresh, empty store from {@link #createStore()}:
 *
 * <pre>{@code
 * class MyStoreContractTest extends StoreContractTest {
 *   @Override
 *   protected Store createStore() {
 *     return MyStore.openFreshSchema();
 *   }
 * }
 * }</pre>
 *
 * <p>The test-jar of cdp-core does not bring its test dependencies along: a consumer declares
 * JUnit Jupiter and AssertJ itself.
 *
 * <p>Decisions the SPI leaves implicit and this suite pins down: stored values round-trip by
 * {@code equals} (so {@code BigDecimal} scale, {@code Long} vs {@code Integer}, list order and
 * {@code null} map values survive, and instants keep at least microseconds); ties of event time
 * sort by messageId in {@link String#compareTo} order, not a locale collation; an anchor given
 * twice to {@link ReadTransaction#eventsByAnchors} still lists each event once; a ledger entry
 * naming the same profile on both sides is listed once for it. For profile scans: a page
 * ({@code profilesAfter}) is short only when nothing follows it, so a short page ends a scan,
 * and any limit from 1 to {@link Integer#MAX_VALUE} is allowed; {@code after} need not name an
 * existing row; ids order by {@link String#compareTo}; a write transaction's ordered reads
 * include its own writes. A capability the store does not have is empty, and {@code require}
 * throws {@link UnsupportedCapabilityException} naming it.
 */
public abstract class StoreContractTest extends StoreContractSupport {

  @Nested
  @DisplayName("Events")
  class Events {

    @Test
    @DisplayName("insertEvent stores a new messageId and refuses a repeated one, keeping the first")
    void insertIsIdempotentByMessageId() {
      StoredEvent first = order("pos-4711-receipt-88", at(1), AYSE_CUSTOMER);
      StoredEvent repeat = stored(Event.track("Order Cancelled")
          .messageId("pos-4711-receipt-88")
          .userId("C-2002")
          .timestamp(at(9))
          .build(), BOB_EMAIL);

      boolean firstStored = store.write(SHOP, tx -> tx.insertEvent(first));
      boolean repeatStored = store.write(SHOP, tx -> tx.insertEvent(repeat));

      assertThat(firstStored).isTrue();
      assertThat(repeatStored).isFalse();

      read(tx -> {
        assertThat(tx.event("pos-4711-receipt-88")).contains(first);
        assertThat(tx.eventsByAnchors(List.of(AYSE_CUSTOMER))).containsExactly(first);
        assertThat(tx.eventsByAnchors(List.of(BOB_EMAIL))).isEmpty();
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        return null;
      });
    }

    @Test
    @DisplayName("events(messageIds) returns by messageId what event(messageId) returns, committed"
        + " and written earlier in the transaction, leaving out unknown ones")
    void batchRead() {
      StoredEvent a = order("e-1", at(1), AYSE_CUSTOMER);
      StoredEvent b = viewed("e-2", at(2), BOB_EMAIL);
      update(tx -> tx.insertEvent(a));
      Map<String, StoredEvent> read = store.write(SHOP, tx -> {
        tx.insertEvent(b);
        return tx.events(List.of("e-2", "nobody", "e-1"));
      });
      assertThat(read).containsOnlyKeys("e-1", "e-2");
      assertThat(read.get("e-1")).isEqualTo(a);
      assertThat(read.get("e-2")).isEqualTo(b);
      Map<String, StoredEvent> committed = store.read(SHOP,
          tx -> tx.events(List.of("e-1", "e-3")));
      assertThat(committed).containsOnlyKeys("e-1");
      Map<String, StoredEvent> elsewhere = store.read(OTHER_SHOP,
          tx -> tx.events(List.of("e-1")));
      assertThat(elsewhere).isEmpty();
    }

    @Test
    @DisplayName("insertEvent refuses a messageId inserted earlier in the same transaction")
    void insertIsIdempotentWithinOneTransaction() {
      StoredEvent first = viewed("m-1", at(1), AYSE_COOKIE);
      StoredEvent second = viewed("m-1", at(2), BOB_EMAIL);

      List<Boolean> results = store.write(SHOP,
          tx -> List.of(tx.insertEvent(first), tx.insertEvent(second)));

      assertThat(results).containsExactly(true, false);
      assertThat(readEvent("m-1")).contains(first);
      assertThat(readEvents(List.of(AYSE_COOKIE, BOB_EMAIL)))
          .containsExactly(first);
    }

    @Test
    @DisplayName("event() returns the stored event exactly as written, every field and value type")
    void eventRoundTripsExactly() {
      StoredEvent rich = richOrder();
      update(tx -> assertThat(tx.insertEvent(rich)).isTrue());

      Optional<StoredEvent> back = readEvent("pos-4711-receipt-88");

      assertThat(back).contains(rich);
      Event e = back.orElseThrow().event();
      assertThat(e.properties().get("total")).isEqualTo(new BigDecimal("59.90"));
      assertThat(e.properties().get("items")).isInstanceOf(Long.class).isEqualTo(3L);
      assertThat(e.properties()).containsEntry("coupon", null);
      assertThat(e.properties().get("tags")).isEqualTo(Arrays.asList("sale", null, "spring"));
      assertThat(e.timestamp()).isEqualTo(Instant.parse("2026-03-01T10:15:00.120Z"));
      assertThat(e.originalTimestamp()).isEqualTo(Instant.parse("2026-03-01T10:14:59.870Z"));
      assertThat(e.sentAt()).isEqualTo(Instant.parse("2026-03-01T10:15:02.250Z"));
      assertThat(e.receivedAt()).isEqualTo(Instant.parse("2026-03-01T10:15:03.123456Z"));
      assertThat(back.orElseThrow().key()).isEqualTo(rich.key());
      assertThat(back.orElseThrow().identifiers())
          .containsExactly(AYSE_CUSTOMER, AYSE_CARD, AYSE_EMAIL, MEMBERSHIP, AYSE_COOKIE);
      assertThat(back.orElseThrow().anchor()).isEqualTo(AYSE_CUSTOMER);
    }

    @Test
    @DisplayName("an event without identifiers round-trips with no anchor")
    void eventWithoutAnchorRoundTrips() {
      StoredEvent lone = stored(Event.page("Home")
          .messageId("web-page-1")
          .anonymousId("blocked-cookie")
          .property("path", "/")
          .receivedAt(at(3))
          .build());
      update(tx -> tx.insertEvent(lone));

      assertThat(readEvent("web-page-1")).contains(lone);
      assertThat(readEvent("web-page-1").orElseThrow().anchor()).isNull();
    }

    @Test
    @DisplayName("event() of an unknown messageId is empty")
    void unknownEventIsEmpty() {
      update(tx -> tx.insertEvent(viewed("m-1", at(1), AYSE_COOKIE)));

      assertThat(readEvent("m-2")).isEmpty();
      assertThat(readEvent("M-1")).isEmpty();
    }

    @Test
    @DisplayName("eventsByAnchors returns the anchors' events sorted by event time, then messageId,"
        + " whatever the insertion order")
    void eventsByAnchorsAreSortedByKey() {
      StoredEvent a1 = identify("m-100", at(1), AYSE_EMAIL);
      StoredEvent a2 = viewed("m-050", at(2), AYSE_COOKIE);
      StoredEvent a3 = order("m-200", at(3), AYSE_EMAIL, AYSE_CARD);
      StoredEvent a4 = order("m-300", at(3), AYSE_COOKIE);
      StoredEvent a5 = viewed("m-001", at(7), AYSE_EMAIL);
      StoredEvent bob = viewed("m-000", at(2), BOB_EMAIL);
      update(tx -> {
        tx.insertEvent(a5);
        tx.insertEvent(bob);
        tx.insertEvent(a3);
      });
      update(tx -> tx.insertEvent(a4));
      update(tx -> {
        tx.insertEvent(a2);
        tx.insertEvent(a1);
      });

      assertThat(readEvents(List.of(AYSE_EMAIL, AYSE_COOKIE)))
          .containsExactly(a1, a2, a3, a4, a5);
      assertThat(readEvents(List.of(AYSE_COOKIE)))
          .containsExactly(a2, a4);
      assertThat(readEvents(List.of(BOB_EMAIL, AYSE_CUSTOMER)))
          .containsExactly(bob);
    }

    @Test
    @DisplayName("ties of event time sort by messageId in String.compareTo order, not by a locale"
        + " collation")
    void tiesSortByBinaryMessageId() {
      StoredEvent lowerA = viewed("evt-a", at(1), AYSE_EMAIL);
      StoredEvent upperB = viewed("evt-B", at(1), AYSE_EMAIL);
      StoredEvent dottedI = viewed("evt-İ", at(1), AYSE_EMAIL);
      StoredEvent upperI = viewed("evt-I", at(1), AYSE_EMAIL);
      update(tx -> {
        tx.insertEvent(dottedI);
        tx.insertEvent(lowerA);
        tx.insertEvent(upperI);
        tx.insertEvent(upperB);
      });

      // 'B' (66) < 'I' (73) < 'a' (97) < 'İ' (304)
      assertThat(readEvents(List.of(AYSE_EMAIL)))
          .containsExactly(upperB, upperI, lowerA, dottedI);
    }

    @Test
    @DisplayName("eventsByAnchors lists only events anchored at the identifiers, not events that"
        + " merely carry them, and never events without an anchor")
    void eventsByAnchorsMatchesTheAnchorOnly() {
      StoredEvent anchoredAtCard = order("m-1", at(1), AYSE_CARD, AYSE_EMAIL);
      StoredEvent anchoredAtEmail = identify("m-2", at(2), AYSE_EMAIL, AYSE_CARD);
      StoredEvent noAnchor = stored(Event.page("Home").messageId("m-3").anonymousId("x")
          .receivedAt(at(3)).build());
      update(tx -> {
        tx.insertEvent(anchoredAtCard);
        tx.insertEvent(anchoredAtEmail);
        tx.insertEvent(noAnchor);
      });

      assertThat(readEvents(List.of(AYSE_EMAIL)))
          .containsExactly(anchoredAtEmail);
      assertThat(readEvents(List.of(AYSE_CARD, AYSE_EMAIL, AYSE_COOKIE)))
          .containsExactly(anchoredAtCard, anchoredAtEmail);
      assertThat(readCounts()).containsEntry("page", 1L);
    }

    @Test
    @DisplayName("eventsByAnchors tells identifier types apart: same value, other type, no match")
    void eventsByAnchorsComparesTypeAndValue() {
      Identifier asCustomer = Identifier.customerId("2900012345678");
      update(tx -> tx.insertEvent(order("m-1", at(1), AYSE_CARD)));

      assertThat(readEvents(List.of(asCustomer))).isEmpty();
      assertThat(readEvents(List.of(AYSE_CARD))).hasSize(1);
    }

    @Test
    @DisplayName("eventsByAnchors of no anchors, or of unknown ones, is empty")
    void eventsByAnchorsOfNothing() {
      update(tx -> tx.insertEvent(order("m-1", at(1), AYSE_CARD)));

      assertThat(readEvents(List.of())).isEmpty();
      assertThat(readEvents(List.of(BOB_PHONE))).isEmpty();
    }

    @Test
    @DisplayName("eventsByAnchors lists an event once even when its anchor is given twice")
    void eventsByAnchorsHasNoDuplicates() {
      StoredEvent e = order("m-1", at(1), AYSE_CARD);
      update(tx -> tx.insertEvent(e));

      assertThat(readEvents(List.of(AYSE_CARD, AYSE_CARD)))
          .containsExactly(e);
    }

    @Test
    @DisplayName("eventNameCounts counts stored events by countedName: track name, else type")
    void eventNameCountsByCountedName() {
      assertThat(readCounts()).isEmpty();

      update(tx -> {
        tx.insertEvent(order("m-1", at(1), AYSE_CARD));
        tx.insertEvent(order("m-2", at(2), AYSE_CARD));
        tx.insertEvent(viewed("m-3", at(3), AYSE_COOKIE));
        tx.insertEvent(identify("m-4", at(4), AYSE_EMAIL));
        tx.insertEvent(stored(Event.page("Home").messageId("m-5").anonymousId("x")
            .receivedAt(at(5)).build()));
        tx.insertEvent(stored(Event.track("identify").messageId("m-6").userId("C-1001")
            .receivedAt(at(6)).build(), AYSE_CUSTOMER));
      });
      update(tx -> tx.insertEvent(order("m-1", at(1), AYSE_CARD)));

      assertThat(readCounts()).isEqualTo(Map.of(
          "Order Completed", 2L, "Product Viewed", 1L, "identify", 2L, "page", 1L));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Identity graph nodes")
  class Nodes {

    @Test
    @DisplayName("putNode creates a node that node() finds; an unknown identifier has none")
    void putNodeCreates() {
      IdentityNode n = node(AYSE_EMAIL, AYSE, "c-1");
      update(tx -> tx.putNode(n));

      assertThat(readNode(AYSE_EMAIL)).contains(n);
      assertThat(readNode(BOB_EMAIL)).isEmpty();
      assertThat(readNode(Identifier.customerId(AYSE_EMAIL.value()))).isEmpty();
    }

    @Test
    @DisplayName("putNode replaces the node of the same identifier")
    void putNodeReplaces() {
      update(tx -> tx.putNode(node(AYSE_EMAIL, AYSE, "c-1")));
      update(tx -> tx.putNode(node(AYSE_EMAIL, BOB, "c-2")));

      assertThat(readNode(AYSE_EMAIL)).contains(node(AYSE_EMAIL, BOB, "c-2"));
      assertThat(readNodesOfProfile(BOB)).containsExactly(node(AYSE_EMAIL, BOB, "c-2"));
      assertThat(readNodesOfComponent("c-2"))
          .containsExactly(node(AYSE_EMAIL, BOB, "c-2"));
    }

    @Test
    @DisplayName("nodesOfProfile and nodesOfComponent list exactly the nodes that belong there")
    void nodesByProfileAndComponent() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(AYSE_COOKIE, CAROL, "c-1"));
        tx.putNode(node(BOB_EMAIL, BOB, "c-2"));
      });

      read(tx -> {
        assertThat(tx.nodesOfProfile(AYSE)).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(CAROL)).containsExactly(node(AYSE_COOKIE, CAROL, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).containsExactly(node(BOB_EMAIL, BOB, "c-2"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-1"),
            node(AYSE_COOKIE, CAROL, "c-1"));
        assertThat(tx.nodesOfComponent("c-2")).containsExactly(node(BOB_EMAIL, BOB, "c-2"));
        assertThat(tx.nodesOfProfile(ProfileId.of("p-nobody"))).isEmpty();
        assertThat(tx.nodesOfComponent("c-none")).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("identifiers with the same value but different types are different nodes")
    void typeIsPartOfTheNodeKey() {
      Identifier cardAsCustomer = Identifier.customerId(AYSE_CARD.value());
      update(tx -> {
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(cardAsCustomer, BOB, "c-2"));
      });

      assertThat(readNode(AYSE_CARD)).contains(node(AYSE_CARD, AYSE, "c-1"));
      assertThat(readNode(cardAsCustomer)).contains(node(cardAsCustomer, BOB, "c-2"));
      assertThat(readNodesOfProfile(AYSE)).containsExactly(node(AYSE_CARD, AYSE, "c-1"));
    }

    @Test
    @DisplayName("a node moved to another profile leaves the old profile's list and joins the new")
    void moveToAnotherProfile() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
      });
      update(tx -> tx.putNode(node(AYSE_CARD, BOB, "c-1")));

      read(tx -> {
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).containsExactly(node(AYSE_CARD, BOB, "c-1"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, BOB, "c-1"));
        return null;
      });
    }

    @Test
    @DisplayName("a node moved to another component leaves the old component's list and joins the"
        + " new, and its profile's list shows the new component")
    void moveToAnotherComponent() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
      });
      update(tx -> tx.putNode(node(AYSE_CARD, AYSE, "c-2")));

      read(tx -> {
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-2")).containsExactly(node(AYSE_CARD, AYSE, "c-2"));
        assertThat(tx.nodesOfProfile(AYSE)).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-2"));
        return null;
      });
    }

    @Test
    @DisplayName("moves within one transaction keep the indexes right, back and forth")
    void movesWithinOneTransaction() {
      update(tx -> {
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).containsExactly(node(AYSE_CARD, BOB, "c-2"));
      });

      read(tx -> {
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).containsExactly(node(AYSE_CARD, BOB, "c-2"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-2")).containsExactly(node(AYSE_CARD, BOB, "c-2"));
        return null;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Components and links")
  class ComponentsAndLinks {

    @Test
    @DisplayName("putComponent stores a record that component() returns exactly, rules in order")
    void componentRoundTrips() {
      Link l = link("m-9", Instant.parse("2026-03-01T10:15:00.123456Z"), AYSE_EMAIL, AYSE_CARD);
      ComponentRecord c = component("c-1", l,
          new DoNotLinkRule(AYSE_EMAIL, BOB_EMAIL, at(10)),
          new DoNotLinkRule(AYSE_CARD, MEMBERSHIP, at(5)));
      ComponentRecord bare = component("c-2", null);
      update(tx -> {
        tx.putComponent(c);
        tx.putComponent(bare);
      });

      assertThat(readComponent("c-1")).contains(c);
      assertThat(readComponent("c-2")).contains(bare);
      assertThat(readComponent("c-2").orElseThrow().latestLink()).isNull();
      assertThat(readComponent("c-3")).isEmpty();
    }

    @Test
    @DisplayName("putComponent replaces the record with the same id")
    void putComponentReplaces() {
      update(tx -> tx.putComponent(component("c-1", link("m-1", at(1), AYSE_EMAIL, AYSE_CARD))));
      ComponentRecord replacement = component("c-1", link("m-2", at(2), AYSE_EMAIL, BOB_EMAIL),
          new DoNotLinkRule(AYSE_EMAIL, BOB_EMAIL, at(3)));
      update(tx -> tx.putComponent(replacement));

      assertThat(readComponent("c-1")).contains(replacement);
    }

    @Test
    @DisplayName("deleteComponent removes the record and leaves the others; deleting an absent one"
        + " changes nothing")
    void deleteComponent() {
      update(tx -> {
        tx.putComponent(component("c-1", null));
        tx.putComponent(component("c-2", null));
      });
      update(tx -> {
        tx.deleteComponent("c-1");
        tx.deleteComponent("c-404");
      });

      assertThat(readComponent("c-1")).isEmpty();
      assertThat(readComponent("c-2")).contains(component("c-2", null));
    }

    @Test
    @DisplayName("addLink adds links that links() returns, identifiers in priority order")
    void addLinkAndLinks() {
      Link l1 = link("m-1", at(1), AYSE_CUSTOMER, AYSE_EMAIL, AYSE_CARD, AYSE_COOKIE);
      Link l2 = link("m-2", Instant.parse("2026-03-01T10:15:00.654321Z"), AYSE_EMAIL, MEMBERSHIP);
      Link l3 = link("m-3", at(3), BOB_EMAIL, BOB_PHONE);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-2", l3);
      });
      update(tx -> tx.addLink("c-1", l2));

      assertThat(readLinks("c-1")).containsExactlyInAnyOrder(l1, l2);
      assertThat(readLinks("c-2")).containsExactly(l3);
      assertThat(readLinks("c-3")).isEmpty();
      assertThat(readLinks("c-1").stream()
          .filter(l -> l.key().messageId().equals("m-1")).findFirst().orElseThrow().identifiers())
          .containsExactly(AYSE_CUSTOMER, AYSE_EMAIL, AYSE_CARD, AYSE_COOKIE);
    }

    @Test
    @DisplayName("moveLinks moves every link of one component to another, leaving the source empty")
    void moveLinks() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE);
      Link l3 = link("m-3", at(3), BOB_EMAIL, BOB_PHONE);
      Link other = link("m-4", at(4), MEMBERSHIP, AYSE_CUSTOMER);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-1", l2);
        tx.addLink("c-2", l3);
        tx.addLink("c-9", other);
      });
      update(tx -> tx.moveLinks("c-1", "c-2"));

      assertThat(readLinks("c-1")).isEmpty();
      assertThat(readLinks("c-2")).containsExactlyInAnyOrder(l1, l2, l3);
      assertThat(readLinks("c-9")).containsExactly(other);
    }

    @Test
    @DisplayName("moveLinks to a component without links moves them all there")
    void moveLinksToEmpty() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      update(tx -> tx.addLink("c-1", l1));
      update(tx -> tx.moveLinks("c-1", "c-new"));

      assertThat(readLinks("c-1")).isEmpty();
      assertThat(readLinks("c-new")).containsExactly(l1);
    }

    @Test
    @DisplayName("moveLinks from a component to itself changes nothing")
    void moveLinksToItself() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-1", l2);
      });
      update(tx -> tx.moveLinks("c-1", "c-1"));

      assertThat(readLinks("c-1")).containsExactlyInAnyOrder(l1, l2);
    }

    @Test
    @DisplayName("moveLinks from a component without links changes nothing")
    void moveLinksFromEmpty() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      update(tx -> tx.addLink("c-2", l1));
      update(tx -> tx.moveLinks("c-404", "c-2"));

      assertThat(readLinks("c-2")).containsExactly(l1);
      assertThat(readLinks("c-404")).isEmpty();
    }

    @Test
    @DisplayName("links added to a component after a move land next to the moved ones")
    void addAfterMove() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE);
      Link l3 = link("m-3", at(3), AYSE_CARD, MEMBERSHIP);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-2", l2);
        tx.moveLinks("c-1", "c-2");
        tx.addLink("c-2", l3);
        tx.addLink("c-1", l1);
      });

      assertThat(readLinks("c-2")).containsExactlyInAnyOrder(l1, l2, l3);
      assertThat(readLinks("c-1")).containsExactly(l1);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Profiles and redirects")
  class Profiles {

    @Test
    @DisplayName("putProfile stores a record that profile() returns exactly: state, identifier"
        + " counts and version")
    void profileRoundTrips() {
      ProfileRecord rich = richProfile(AYSE, 7);
      ProfileRecord empty = new ProfileRecord(BOB, ProfileState.EMPTY, Map.of(), 1);
      update(tx -> {
        tx.putProfile(rich);
        tx.putProfile(empty);
      });

      ProfileRecord back = readProfile(AYSE).orElseThrow();
      assertThat(back).isEqualTo(rich);
      assertThat(back.state()).isEqualTo(rich.state());
      assertThat(back.state().traits().get("score").value()).isEqualTo(new BigDecimal("12.50"));
      assertThat(back.state().traits().get("points").value()).isInstanceOf(Long.class);
      assertThat(back.state().traits().get("nickname").value()).isNull();
      assertThat(back.state().orders().get("R-88").refunds().get("refund-2").amount()).isNull();
      assertThat(back.state().orders().get("R-99").completion()).isNull();
      assertThat(back.identifierCounts()).isEqualTo(rich.identifierCounts());
      assertThat(back.version()).isEqualTo(7);
      assertThat(readProfile(BOB)).contains(empty);
    }

    @Test
    @DisplayName("profile() of an unknown id is empty")
    void unknownProfile() {
      update(tx -> tx.putProfile(profile(AYSE, 1)));

      assertThat(readProfile(BOB)).isEmpty();
    }

    @Test
    @DisplayName("putProfile replaces the record with the same id")
    void putProfileReplaces() {
      update(tx -> tx.putProfile(profile(AYSE, 1)));
      ProfileRecord next = richProfile(AYSE, 2);
      update(tx -> tx.putProfile(next));

      assertThat(readProfile(AYSE)).contains(next);
    }

    @Test
    @DisplayName("deleteProfile removes one profile and leaves the others")
    void deleteProfile() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(BOB, 4));
      });
      update(tx -> {
        tx.deleteProfile(AYSE);
        tx.deleteProfile(CAROL);
      });

      assertThat(readProfile(AYSE)).isEmpty();
      assertThat(readProfile(BOB)).contains(profile(BOB, 4));
    }

    @Test
    @DisplayName("putRedirect records one step that redirect() returns; chains are not followed")
    void redirects() {
      update(tx -> {
        tx.putRedirect(BOB, AYSE);
        tx.putRedirect(CAROL, BOB);
      });

      assertThat(readRedirect(BOB)).contains(AYSE);
      assertThat(readRedirect(CAROL)).contains(BOB);
      assertThat(readRedirect(AYSE)).isEmpty();
    }

    @Test
    @DisplayName("a redirect is independent of profile records: deleting the profile keeps it")
    void redirectOutlivesProfile() {
      update(tx -> {
        tx.putProfile(profile(BOB, 1));
        tx.putProfile(profile(AYSE, 1));
      });
      update(tx -> {
        tx.deleteProfile(BOB);
        tx.putRedirect(BOB, AYSE);
      });

      assertThat(readProfile(BOB)).isEmpty();
      assertThat(readRedirect(BOB)).contains(AYSE);
      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
    }
  

    @Test
    @DisplayName("redirectsTo lists the ids redirected to a profile, one step, in id order")
    void redirectsTo() {
      update(tx -> {
        tx.putRedirect(CAROL, AYSE);
        tx.putRedirect(BOB, AYSE);
        tx.putRedirect(ProfileId.of("p-dave"), BOB);
      });

      read(tx -> {
        assertThat(tx.redirectsTo(AYSE)).containsExactly(BOB, CAROL);
        assertThat(tx.redirectsTo(BOB)).containsExactly(ProfileId.of("p-dave"));
        assertThat(tx.redirectsTo(CAROL)).isEmpty();
        return null;
      });
      List<ProfileId> elsewhere = store.read(OTHER_SHOP, tx -> tx.redirectsTo(AYSE));
      assertThat(elsewhere).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("The merge ledger")
  class Ledger {

    @Test
    @DisplayName("ledger(p) returns the entries naming p on either side, in the order written")
    void ledgerInWriteOrder() {
      // recordedAt deliberately out of order: the ledger keeps write order, not time order.
      LedgerEntry e1 = merged(AYSE, BOB, "m-1", at(30));
      LedgerEntry e2 = conflict(CAROL, AYSE, "m-2", at(10));
      LedgerEntry e3 = merged(CAROL, BOB, "m-3", at(20));
      LedgerEntry e4 = conflict(AYSE, null, "m-4", at(5));
      update(tx -> {
        tx.appendLedger(e1);
        tx.appendLedger(e2);
      });
      update(tx -> tx.appendLedger(e3));
      update(tx -> tx.appendLedger(e4));

      assertThat(readLedger(AYSE)).containsExactly(e1, e2, e4);
      assertThat(readLedger(BOB)).containsExactly(e1, e3);
      assertThat(readLedger(CAROL)).containsExactly(e2, e3);
      assertThat(readLedger(ProfileId.of("p-nobody"))).isEmpty();
    }

    @Test
    @DisplayName("entries round-trip exactly, including an unmerge without identifier or event")
    void ledgerRoundTrips() {
      LedgerEntry unmerged = new LedgerEntry(LedgerEntry.Kind.UNMERGED, AYSE, BOB, null, null,
          null, Instant.parse("2026-03-02T08:00:00.000001Z"), "do-not-link rule by operator");
      LedgerEntry merge = merged(AYSE, BOB, "pos-4711-receipt-88", at(1));
      update(tx -> {
        tx.appendLedger(merge);
        tx.appendLedger(unmerged);
      });

      assertThat(readLedger(AYSE)).containsExactly(merge, unmerged);
      assertThat(readLedger(BOB)).containsExactly(merge, unmerged);
    }

    @Test
    @DisplayName("an entry naming the same profile on both sides is listed once")
    void sameProfileBothSides() {
      LedgerEntry self = conflict(AYSE, AYSE, "m-1", at(1));
      update(tx -> tx.appendLedger(self));

      assertThat(readLedger(AYSE)).containsExactly(self);
    }

    @Test
    @DisplayName("equal entries written twice are both kept")
    void duplicatesKept() {
      LedgerEntry e = merged(AYSE, BOB, "m-1", at(1));
      update(tx -> tx.appendLedger(e));
      update(tx -> tx.appendLedger(e));

      assertThat(readLedger(AYSE)).containsExactly(e, e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Profile scans")
  class ProfileScans {

    @Test
    @DisplayName("profilesAfter pages through every live profile exactly once, in String.compareTo"
        + " order of the id, with full pages until the last, whatever the page size")
    void scanEveryProfileOnce() {
      List<ProfileId> ids = awkwardIds(600);
      for (int from = 0; from < ids.size(); from += 200) {
        List<ProfileId> part = ids.subList(from, from + 200);
        update(tx -> part.forEach(id -> tx.putProfile(profile(id, versionOf(id)))));
      }
      List<ProfileId> deleted = ids.subList(100, 160);
      update(tx -> deleted.forEach(tx::deleteProfile));
      List<ProfileId> live = new ArrayList<>(ids);
      live.removeAll(deleted);
      Collections.sort(live);

      for (int pageSize : new int[] {1, 7, 64, 540, 1000, Integer.MAX_VALUE}) {
        List<ProfileRecord> scanned = read(tx -> scan(tx, pageSize));
        assertThat(scanned).extracting(ProfileRecord::id).as("page size %d", pageSize)
            .containsExactlyElementsOf(live);
        assertThat(scanned).allSatisfy(r ->
            assertThat(r).isEqualTo(profile(r.id(), versionOf(r.id()))));
      }
    }

    @Test
    @DisplayName("profileCount counts exactly the live profiles a scan lists, in a read and in a"
        + " write transaction with its own puts and deletes, and not another workspace's")
    void profileCountMatchesTheScan() {
      List<ProfileId> ids = awkwardIds(1_234);
      for (int from = 0; from < ids.size(); from += 300) {
        List<ProfileId> part = ids.subList(from, Math.min(ids.size(), from + 300));
        update(tx -> part.forEach(id -> tx.putProfile(profile(id, versionOf(id)))));
      }
      update(tx -> ids.subList(0, 34).forEach(tx::deleteProfile));
      long counted = read(ReadTransaction::profileCount);
      long scanned = read(tx -> (long) scan(tx, 97).size());
      assertThat(counted).isEqualTo(1_200);
      assertThat(scanned).isEqualTo(1_200);
      long inside = store.write(SHOP, tx -> {
        tx.putProfile(profile(ProfileId.of("zz-new"), 1));
        tx.deleteProfile(ids.get(500));
        tx.deleteProfile(ids.get(0)); // deleted already
        return tx.profileCount();
      });
      long after = read(ReadTransaction::profileCount);
      long other = store.read(OTHER_SHOP, ReadTransaction::profileCount);
      assertThat(inside).isEqualTo(1_200);
      assertThat(after).isEqualTo(1_200);
      assertThat(other).isZero();
    }

    @Test
    @DisplayName("profile ids sort byte for byte, not by a language's rules: case, '-', '.' and"
        + " '_' included")
    void stringOrderNotCollation() {
      List<String> sorted = List.of("-x", ".x", "0", "9-", "B", "X1", "Z", "_x", "a", "x-1", "x.1",
          "x1", "x10", "x2", "x_1", "z");
      List<String> shuffled = new ArrayList<>(sorted);
      Collections.shuffle(shuffled, new Random(7));
      update(tx -> shuffled.forEach(v -> tx.putProfile(profile(ProfileId.of(v), 1))));

      assertThat(readScan(3)).extracting(r -> r.id().value())
          .containsExactlyElementsOf(sorted);
      assertThat(readProfilesAfter(SHOP, ProfileId.of("X1"), 3))
          .extracting(r -> r.id().value()).containsExactly("Z", "_x", "a");
    }

    @Test
    @DisplayName("after is exclusive and need not be a live profile's id; past the end is empty")
    void afterIsExclusive() {
      update(tx -> {
        for (String v : List.of("p-a", "p-b", "p-d", "p-e")) {
          tx.putProfile(profile(ProfileId.of(v), 1));
        }
      });

      read(tx -> {
        assertThat(tx.profilesAfter(ProfileId.of("p-b"), 10)).extracting(r -> r.id().value())
            .containsExactly("p-d", "p-e");
        assertThat(tx.profilesAfter(ProfileId.of("p-c"), 1)).extracting(r -> r.id().value())
            .containsExactly("p-d");
        assertThat(tx.profilesAfter(ProfileId.of("p-"), 2)).extracting(r -> r.id().value())
            .containsExactly("p-a", "p-b");
        assertThat(tx.profilesAfter(ProfileId.of("p-e"), 10)).isEmpty();
        assertThat(tx.profilesAfter(ProfileId.of("q"), 10)).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("deleted profiles are gone from scans, a profile put again is back, a replaced"
        + " one shows its new record, and merged-away ids are no profiles")
    void deletesAndReplacements() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(BOB, 1));
        tx.putProfile(profile(CAROL, 1));
      });
      update(tx -> {
        tx.deleteProfile(BOB);
        tx.putRedirect(BOB, AYSE);
        tx.putProfile(richProfile(CAROL, 2));
      });
      assertThat(readProfilesAfter(SHOP, null, 10))
          .containsExactly(profile(AYSE, 1), richProfile(CAROL, 2));

      update(tx -> tx.putProfile(profile(BOB, 3)));
      assertThat(readProfilesAfter(SHOP, null, 10))
          .containsExactly(profile(AYSE, 1), profile(BOB, 3), richProfile(CAROL, 2));
    }

    @Test
    @DisplayName("a write transaction's scan sees its own puts, replacements and deletes, in"
        + " order, across pages")
    void scanSeesOwnWrites() {
      update(tx -> {
        for (String v : List.of("p-b", "p-d", "p-f", "p-h")) {
          tx.putProfile(profile(ProfileId.of(v), 1));
        }
      });

      update(tx -> {
        tx.putProfile(profile(ProfileId.of("p-a"), 2));
        tx.putProfile(profile(ProfileId.of("p-c"), 2));
        tx.putProfile(profile(ProfileId.of("p-d"), 2));
        tx.deleteProfile(ProfileId.of("p-f"));
        tx.putProfile(profile(ProfileId.of("p-z"), 2));
        tx.putProfile(profile(ProfileId.of("p-x"), 2));
        tx.deleteProfile(ProfileId.of("p-x"));

        List<String> expected = List.of("p-a:2", "p-b:1", "p-c:2", "p-d:2", "p-h:1", "p-z:2");
        for (int pageSize : new int[] {1, 2, 4, 100}) {
          assertThat(scan(tx, pageSize)).extracting(r -> r.id().value() + ":" + r.version())
              .as("page size %d", pageSize).containsExactlyElementsOf(expected);
        }
        assertThat(tx.profilesAfter(ProfileId.of("p-d"), 1)).extracting(r -> r.id().value())
            .containsExactly("p-h");
      });

      assertThat(readScan(2)).extracting(r -> r.id().value() + ":" + r.version())
          .containsExactly("p-a:2", "p-b:1", "p-c:2", "p-d:2", "p-h:1", "p-z:2");
    }

    @Test
    @DisplayName("a scan after deleting more than a thousand profiles in the same transaction"
        + " still finds the first live ones")
    void scanPastManyOwnDeletes() {
      List<ProfileId> ids = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        ids.add(ProfileId.of(String.format(Locale.ROOT, "p-%04d", i)));
      }
      update(tx -> ids.forEach(id -> tx.putProfile(profile(id, 1))));

      update(tx -> {
        ids.subList(0, 1_100).forEach(tx::deleteProfile);
        tx.putProfile(profile(ProfileId.of("p-1150"), 2));
        assertThat(tx.profilesAfter(null, 3)).extracting(r -> r.id().value() + ":" + r.version())
            .containsExactly("p-1100:1", "p-1101:1", "p-1102:1");
        assertThat(tx.profilesAfter(ProfileId.of("p-1149"), 2))
            .extracting(r -> r.id().value() + ":" + r.version())
            .containsExactly("p-1150:2", "p-1151:1");
        assertThat(scan(tx, 30)).hasSize(100);
      });
    }

    @Test
    @DisplayName("a limit below 1 is refused with IllegalArgumentException")
    void limitChecked() {
      update(tx -> tx.putProfile(profile(AYSE, 1)));

      read(tx -> {
        assertThatThrownBy(() -> tx.profilesAfter(null, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tx.profilesAfter(AYSE, -1))
            .isInstanceOf(IllegalArgumentException.class);
        return null;
      });
      update(tx -> assertThatThrownBy(() -> tx.profilesAfter(null, 0))
          .isInstanceOf(IllegalArgumentException.class));
    }

    @Test
    @DisplayName("a scan sees only its own workspace's profiles")
    void workspaceIsolation() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(CAROL, 1));
      });
      update(OTHER_SHOP, tx -> tx.putProfile(profile(BOB, 7)));

      assertThat(readProfilesAfter(SHOP, null, 10))
          .containsExactly(profile(AYSE, 1), profile(CAROL, 1));
      assertThat(readProfilesAfter(OTHER_SHOP, null, 10))
          .containsExactly(profile(BOB, 7));
      assertThat(readProfilesAfter(OTHER_SHOP, AYSE, 10))
          .containsExactly(profile(BOB, 7));
      assertThat(readProfilesAfter(WorkspaceId.of("shop-empty"), null, 10))
          .isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Transactions")
  class Transactions {

    @Test
    @DisplayName("a store from createStore() starts empty")
    void startsEmpty() {
      read(tx -> {
        assertThat(tx.event("m-order")).isEmpty();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).isEmpty();
        assertThat(tx.node(AYSE_EMAIL)).isEmpty();
        assertThat(tx.nodesOfProfile(AYSE)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).isEmpty();
        assertThat(tx.component("c-1")).isEmpty();
        assertThat(tx.links("c-1")).isEmpty();
        assertThat(tx.profile(AYSE)).isEmpty();
        assertThat(tx.redirect(BOB)).isEmpty();
        assertThat(tx.ledger(AYSE)).isEmpty();
        assertThat(tx.eventNameCounts()).isEmpty();
        assertThat(tx.profilesAfter(null, 10)).isEmpty();
        assertThat(tx.redirectsTo(AYSE)).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("write() and read() return what their callbacks return")
    void callbacksReturnValues() {
      String written = store.write(SHOP, tx -> {
        tx.putProfile(profile(AYSE, 1));
        return "committed";
      });
      long version = store.read(SHOP, tx -> tx.profile(AYSE).map(ProfileRecord::version)
          .orElse(-1L));
      int answer = store.read(SHOP, tx -> 42);

      assertThat(written).isEqualTo("committed");
      assertThat(version).isEqualTo(1L);
      assertThat(answer).isEqualTo(42);
    }

    @Test
    @DisplayName("read() sees everything committed before, in every kind of record")
    void readSeesCommittedData() {
      writeOneOfEach(SHOP);

      read(tx -> {
        assertThat(tx.event("m-order")).isPresent();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).hasSize(1);
        assertThat(tx.node(AYSE_EMAIL)).isPresent();
        assertThat(tx.nodesOfProfile(AYSE)).hasSize(2);
        assertThat(tx.nodesOfComponent("c-1")).hasSize(2);
        assertThat(tx.component("c-1")).isPresent();
        assertThat(tx.links("c-1")).hasSize(1);
        assertThat(tx.profile(AYSE)).contains(richProfile(AYSE, 3));
        assertThat(tx.redirect(BOB)).contains(AYSE);
        assertThat(tx.ledger(AYSE)).hasSize(1);
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        assertThat(tx.profilesAfter(null, 10)).containsExactly(richProfile(AYSE, 3));
        assertThat(tx.redirectsTo(AYSE)).containsExactly(BOB);
        return null;
      });
    }

    @Test
    @DisplayName("a write transaction reads its own writes before it commits")
    void readsOwnWrites() {
      StoredEvent e = order("m-order", at(1), AYSE_EMAIL);
      Link l = link("m-order", at(1), AYSE_EMAIL, AYSE_CARD);
      update(tx -> {
        tx.insertEvent(e);
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putComponent(component("c-1", l));
        tx.addLink("c-1", l);
        tx.putProfile(profile(AYSE, 1));
        tx.putRedirect(BOB, AYSE);
        LedgerEntry entry = merged(AYSE, BOB, "m-order", at(2));
        tx.appendLedger(entry);

        assertThat(tx.event("m-order")).contains(e);
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).containsExactly(e);
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        assertThat(tx.node(AYSE_EMAIL)).contains(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.component("c-1")).contains(component("c-1", l));
        assertThat(tx.links("c-1")).containsExactly(l);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 1));
        assertThat(tx.redirect(BOB)).contains(AYSE);
        assertThat(tx.ledger(BOB)).containsExactly(entry);

        tx.moveLinks("c-1", "c-2");
        tx.deleteComponent("c-1");
        tx.deleteProfile(AYSE);
        assertThat(tx.links("c-1")).isEmpty();
        assertThat(tx.links("c-2")).containsExactly(l);
        assertThat(tx.component("c-1")).isEmpty();
        assertThat(tx.profile(AYSE)).isEmpty();
      });
    }

    @Test
    @DisplayName("an exception thrown by a read callback propagates")
    void readExceptionPropagates() {
      RuntimeException boom = new IllegalArgumentException("bad query");

      assertThatThrownBy(() -> store.read(SHOP, tx -> {
        throw boom;
      })).isSameAs(boom);
      assertThat(readProfile(AYSE)).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Atomicity: a write that throws leaves nothing behind")
  class Atomicity {

    @Test
    @DisplayName("an inserted event is gone, from every index and count, and can be inserted again")
    void event() {
      StoredEvent kept = order("m-1", at(1), AYSE_EMAIL);
      update(tx -> tx.insertEvent(kept));

      updateAndFail(tx -> {
        assertThat(tx.insertEvent(order("m-2", at(2), AYSE_EMAIL))).isTrue();
        assertThat(tx.insertEvent(viewed("m-3", at(3), AYSE_COOKIE))).isTrue();
      });

      read(tx -> {
        assertThat(tx.event("m-2")).isEmpty();
        assertThat(tx.event("m-3")).isEmpty();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL, AYSE_COOKIE))).containsExactly(kept);
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        return null;
      });
      boolean insertedAgain =
          store.write(SHOP, tx -> tx.insertEvent(order("m-2", at(2), AYSE_EMAIL)));
      assertThat(insertedAgain).isTrue();
    }

    @Test
    @DisplayName("new and moved nodes are restored, with their profile and component indexes")
    void nodesAndIndexes() {
      update(tx -> tx.putNode(node(AYSE_EMAIL, AYSE, "c-1")));

      updateAndFail(tx -> {
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
        tx.putNode(node(BOB_EMAIL, BOB, "c-2"));
      });

      read(tx -> {
        assertThat(tx.node(AYSE_EMAIL)).contains(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.node(AYSE_CARD)).isEmpty();
        assertThat(tx.node(BOB_EMAIL)).isEmpty();
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-2")).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("regression: a node added to a profile and moved away with its last old node is"
        + " rolled back without emptying the profile's index")
    void indexRestoredAfterProfileEmptiedAndRefilled() {
      update(tx -> tx.putNode(node(AYSE_EMAIL, AYSE, "c-1")));

      updateAndFail(tx -> {
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
      });

      read(tx -> {
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfComponent("c-1")).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();
        assertThat(tx.nodesOfComponent("c-2")).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("new, replaced and deleted components are restored")
    void components() {
      ComponentRecord c1 = component("c-1", link("m-1", at(1), AYSE_EMAIL, AYSE_CARD));
      ComponentRecord c2 = component("c-2", null);
      update(tx -> {
        tx.putComponent(c1);
        tx.putComponent(c2);
      });

      updateAndFail(tx -> {
        tx.putComponent(component("c-1", link("m-5", at(5), AYSE_EMAIL, BOB_EMAIL),
            new DoNotLinkRule(AYSE_EMAIL, BOB_EMAIL, at(5))));
        tx.deleteComponent("c-2");
        tx.putComponent(component("c-3", null));
      });

      assertThat(readComponent("c-1")).contains(c1);
      assertThat(readComponent("c-2")).contains(c2);
      assertThat(readComponent("c-3")).isEmpty();
    }

    @Test
    @DisplayName("added links are gone")
    void links() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      update(tx -> tx.addLink("c-1", l1));

      updateAndFail(tx -> {
        tx.addLink("c-1", link("m-2", at(2), AYSE_EMAIL, AYSE_COOKIE));
        tx.addLink("c-3", link("m-3", at(3), BOB_EMAIL, BOB_PHONE));
      });

      assertThat(readLinks("c-1")).containsExactly(l1);
      assertThat(readLinks("c-3")).isEmpty();
    }

    @Test
    @DisplayName("moved links are back where they were")
    void moveLinks() {
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), BOB_EMAIL, BOB_PHONE);
      Link l3 = link("m-3", at(3), MEMBERSHIP, AYSE_CUSTOMER);
      update(tx -> {
        tx.addLink("c-1", l1);
        tx.addLink("c-2", l2);
        tx.addLink("c-3", l3);
      });

      updateAndFail(tx -> {
        tx.moveLinks("c-1", "c-2");
        tx.moveLinks("c-3", "c-4");
        tx.addLink("c-2", link("m-5", at(5), AYSE_EMAIL, BOB_EMAIL));
        tx.moveLinks("c-2", "c-3");
      });

      assertThat(readLinks("c-1")).containsExactly(l1);
      assertThat(readLinks("c-2")).containsExactly(l2);
      assertThat(readLinks("c-3")).containsExactly(l3);
      assertThat(readLinks("c-4")).isEmpty();
    }

    @Test
    @DisplayName("new and replaced profiles are restored")
    void profiles() {
      update(tx -> tx.putProfile(richProfile(AYSE, 1)));

      updateAndFail(tx -> {
        tx.putProfile(profile(AYSE, 2));
        tx.putProfile(profile(BOB, 1));
      });

      assertThat(readProfile(AYSE)).contains(richProfile(AYSE, 1));
      assertThat(readProfile(BOB)).isEmpty();
    }

    @Test
    @DisplayName("deleted profiles and components are back")
    void deletes() {
      update(tx -> {
        tx.putProfile(richProfile(AYSE, 4));
        tx.putComponent(component("c-1", null));
      });

      updateAndFail(tx -> {
        tx.deleteProfile(AYSE);
        tx.deleteComponent("c-1");
        assertThat(tx.profile(AYSE)).isEmpty();
      });

      assertThat(readProfile(AYSE)).contains(richProfile(AYSE, 4));
      assertThat(readComponent("c-1")).contains(component("c-1", null));
    }

    @Test
    @DisplayName("new redirects are gone")
    void redirects() {
      update(tx -> tx.putRedirect(CAROL, AYSE));

      updateAndFail(tx -> tx.putRedirect(BOB, AYSE));

      assertThat(readRedirect(BOB)).isEmpty();
      assertThat(readRedirect(CAROL)).contains(AYSE);
    }

    @Test
    @DisplayName("appended ledger entries are gone from both profiles' ledgers")
    void ledger() {
      LedgerEntry kept = merged(AYSE, CAROL, "m-1", at(1));
      update(tx -> tx.appendLedger(kept));

      updateAndFail(tx -> {
        tx.appendLedger(merged(AYSE, BOB, "m-2", at(2)));
        tx.appendLedger(conflict(BOB, CAROL, "m-3", at(3)));
      });

      assertThat(readLedger(AYSE)).containsExactly(kept);
      assertThat(readLedger(CAROL)).containsExactly(kept);
      assertThat(readLedger(BOB)).isEmpty();
      LedgerEntry next = merged(BOB, AYSE, "m-4", at(4));
      update(tx -> tx.appendLedger(next));
      assertThat(readLedger(AYSE)).containsExactly(kept, next);
    }

    @Test
    @DisplayName("a whole merge (event, nodes, component, links, profiles, redirect, ledger) is"
        + " undone together, and the store stays usable")
    void wholeMerge() {
      writeOneOfEach(SHOP);
      Link bobLink = link("m-bob", at(0), BOB_EMAIL, BOB_PHONE);
      update(tx -> {
        tx.putNode(node(BOB_EMAIL, CAROL, "c-2"));
        tx.putNode(node(BOB_PHONE, CAROL, "c-2"));
        tx.putComponent(component("c-2", bobLink));
        tx.addLink("c-2", bobLink);
        tx.putProfile(profile(CAROL, 1));
      });
      Map<String, Object> before = snapshot();

      updateAndFail(tx -> {
        tx.insertEvent(identify("m-merge", at(9), AYSE_EMAIL, BOB_EMAIL));
        tx.addLink("c-1", link("m-merge", at(9), AYSE_EMAIL, BOB_EMAIL));
        tx.moveLinks("c-2", "c-1");
        tx.putNode(node(BOB_EMAIL, AYSE, "c-1"));
        tx.putNode(node(BOB_PHONE, AYSE, "c-1"));
        tx.deleteComponent("c-2");
        tx.putComponent(component("c-1", link("m-merge", at(9), AYSE_EMAIL, BOB_EMAIL)));
        tx.putProfile(profile(AYSE, 4));
        tx.deleteProfile(CAROL);
        tx.putRedirect(CAROL, AYSE);
        tx.appendLedger(merged(AYSE, CAROL, "m-merge", at(10)));
      });

      assertThat(snapshot()).isEqualTo(before);
      update(tx -> tx.putProfile(profile(AYSE, 4)));
      assertThat(readProfile(AYSE)).contains(profile(AYSE, 4));
    }

    @Test
    @DisplayName("scans list the profiles as before: new ones gone, deleted ones back, in order")
    void profileScans() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(BOB, 1));
      });

      updateAndFail(tx -> {
        tx.putProfile(profile(CAROL, 1));
        tx.putProfile(profile(ProfileId.of("a-first"), 1));
        tx.deleteProfile(BOB);
        tx.putProfile(profile(AYSE, 2));
        assertThat(tx.profilesAfter(null, 10)).extracting(r -> r.id().value())
            .containsExactly("a-first", "p-ayse", "p-carol");
      });

      assertThat(readProfilesAfter(SHOP, null, 10))
          .containsExactly(profile(AYSE, 1), profile(BOB, 1));
      update(tx -> tx.putProfile(profile(CAROL, 1)));
      assertThat(readProfilesAfter(SHOP, BOB, 10)).containsExactly(profile(CAROL, 1));
    }
  }


  /** Everything the tests of {@link Atomicity} and {@link Savepoints} write, as plain values. */
  Map<String, Object> snapshot() {
    List<Identifier> ids = List.of(AYSE_EMAIL, AYSE_CARD, AYSE_COOKIE, AYSE_CUSTOMER, MEMBERSHIP,
        BOB_EMAIL, BOB_PHONE);
    List<ProfileId> profiles = List.of(AYSE, BOB, CAROL);
    List<String> components = List.of("c-1", "c-2", "c-3");
    return read(tx -> {
      Map<String, Object> s = new LinkedHashMap<>();
      for (String m : List.of("m-order", "m-merge", "m-1", "m-2", "m-3")) {
        s.put("event " + m, tx.event(m));
      }
      s.put("events", tx.eventsByAnchors(ids));
      s.put("counts", tx.eventNameCounts());
      for (Identifier i : ids) {
        s.put("node " + i.type() + ":" + i.value(), tx.node(i));
      }
      for (ProfileId p : profiles) {
        s.put("nodes of " + p, Set.copyOf(tx.nodesOfProfile(p)));
        s.put("profile " + p, tx.profile(p));
        s.put("redirect " + p, tx.redirect(p));
        s.put("ledger " + p, tx.ledger(p));
      }
      s.put("scan", tx.profilesAfter(null, 100));
      for (String c : components) {
        s.put("nodes in " + c, Set.copyOf(tx.nodesOfComponent(c)));
        s.put("component " + c, tx.component(c));
        s.put("links " + c, Set.copyOf(tx.links(c)));
      }
      return s;
    });
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Savepoints")
  class Savepoints {

    @Test
    @DisplayName("rollbackTo undoes exactly the writes after the savepoint, keeps those before, and"
        + " the transaction goes on and commits")
    void rollbackToSavepoint() {
      StoredEvent before = order("m-1", at(1), AYSE_EMAIL);
      StoredEvent after = viewed("m-2", at(2), AYSE_EMAIL);
      StoredEvent later = identify("m-3", at(3), AYSE_EMAIL);
      Link l1 = link("m-1", at(1), AYSE_EMAIL, AYSE_CARD);
      Link l2 = link("m-2", at(2), AYSE_EMAIL, BOB_EMAIL);
      LedgerEntry keptEntry = conflict(AYSE, BOB, "m-1", at(1));

      update(tx -> {
        tx.insertEvent(before);
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putComponent(component("c-1", l1));
        tx.addLink("c-1", l1);
        tx.addLink("c-2", l2);
        tx.putProfile(profile(AYSE, 1));
        tx.putProfile(profile(BOB, 1));
        tx.appendLedger(keptEntry);

        Savepoint sp = tx.savepoint();
        tx.insertEvent(after);
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
        tx.putNode(node(BOB_EMAIL, BOB, "c-2"));
        tx.putComponent(component("c-1", l2));
        tx.putComponent(component("c-2", l2));
        tx.addLink("c-1", link("m-2", at(2), AYSE_CARD, BOB_EMAIL));
        tx.moveLinks("c-2", "c-1");
        tx.putProfile(profile(AYSE, 2));
        tx.deleteProfile(BOB);
        tx.putRedirect(BOB, AYSE);
        tx.appendLedger(merged(AYSE, BOB, "m-2", at(2)));
        tx.rollbackTo(sp);

        assertThat(tx.event("m-2")).isEmpty();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).containsExactly(before);
        assertThat(tx.nodesOfProfile(AYSE)).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-1"));
        assertThat(tx.profile(BOB)).contains(profile(BOB, 1));

        assertThat(tx.insertEvent(later)).isTrue();
        assertThat(tx.insertEvent(after)).isTrue();
      });

      read(tx -> {
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL))).containsExactly(before, after, later);
        assertThat(tx.eventNameCounts()).isEqualTo(
            Map.of("Order Completed", 1L, "Product Viewed", 1L, "identify", 1L));
        assertThat(tx.node(AYSE_CARD)).contains(node(AYSE_CARD, AYSE, "c-1"));
        assertThat(tx.node(BOB_EMAIL)).isEmpty();
        assertThat(tx.nodesOfProfile(AYSE)).containsExactlyInAnyOrder(
            node(AYSE_EMAIL, AYSE, "c-1"), node(AYSE_CARD, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).hasSize(2);
        assertThat(tx.nodesOfComponent("c-2")).isEmpty();
        assertThat(tx.component("c-1")).contains(component("c-1", l1));
        assertThat(tx.component("c-2")).isEmpty();
        assertThat(tx.links("c-1")).containsExactly(l1);
        assertThat(tx.links("c-2")).containsExactly(l2);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 1));
        assertThat(tx.profile(BOB)).contains(profile(BOB, 1));
        assertThat(tx.redirect(BOB)).isEmpty();
        assertThat(tx.ledger(AYSE)).containsExactly(keptEntry);
        assertThat(tx.ledger(BOB)).containsExactly(keptEntry);
        return null;
      });
    }

    @Test
    @DisplayName("nested savepoints: rolling back to the inner keeps what came between, rolling"
        + " back to the outer undoes both")
    void nestedSavepoints() {
      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        Savepoint outer = tx.savepoint();
        tx.putProfile(profile(AYSE, 2));
        tx.putNode(node(AYSE_EMAIL, AYSE, "c-1"));
        Savepoint inner = tx.savepoint();
        tx.putProfile(profile(AYSE, 3));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));

        tx.rollbackTo(inner);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 2));
        assertThat(tx.nodesOfProfile(AYSE)).containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();

        tx.putProfile(profile(BOB, 1));
        tx.rollbackTo(outer);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 1));
        assertThat(tx.profile(BOB)).isEmpty();
        assertThat(tx.node(AYSE_EMAIL)).isEmpty();
        tx.putProfile(profile(CAROL, 1));
      });

      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
      assertThat(readProfile(BOB)).isEmpty();
      assertThat(readProfile(CAROL)).contains(profile(CAROL, 1));
      assertThat(readNode(AYSE_EMAIL)).isEmpty();
      assertThat(readNodesOfProfile(AYSE)).isEmpty();
    }

    @Test
    @DisplayName("regression: rolling back node moves that emptied and refilled a profile keeps"
        + " the profile's earlier nodes in its index")
    void rollbackKeepsIndexOfEarlierNodes() {
      update(tx -> tx.putNode(node(AYSE_EMAIL, AYSE, "c-1")));

      update(tx -> {
        Savepoint sp = tx.savepoint();
        tx.putNode(node(AYSE_CARD, AYSE, "c-1"));
        tx.putNode(node(AYSE_EMAIL, BOB, "c-2"));
        tx.putNode(node(AYSE_CARD, BOB, "c-2"));
        tx.rollbackTo(sp);
      });

      assertThat(readNodesOfProfile(AYSE))
          .containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
      assertThat(readNodesOfComponent("c-1"))
          .containsExactly(node(AYSE_EMAIL, AYSE, "c-1"));
      assertThat(readNodesOfProfile(BOB)).isEmpty();
    }

    @Test
    @DisplayName("a savepoint taken first and rolled back to leaves an empty commit")
    void rollbackEverything() {
      update(tx -> {
        Savepoint sp = tx.savepoint();
        tx.insertEvent(order("m-1", at(1), AYSE_EMAIL));
        tx.putProfile(profile(AYSE, 1));
        tx.appendLedger(merged(AYSE, BOB, "m-1", at(1)));
        tx.rollbackTo(sp);
      });

      assertThat(readEvent("m-1")).isEmpty();
      assertThat(readCounts()).isEmpty();
      assertThat(readProfile(AYSE)).isEmpty();
      assertThat(readLedger(BOB)).isEmpty();
    }

    @Test
    @DisplayName("a transaction that throws after a rollbackTo keeps nothing, not even the writes"
        + " before the savepoint")
    void throwAfterRollback() {
      updateAndFail(tx -> {
        tx.putProfile(profile(AYSE, 1));
        Savepoint sp = tx.savepoint();
        tx.putProfile(profile(BOB, 1));
        tx.rollbackTo(sp);
        tx.putProfile(profile(CAROL, 1));
      });

      assertThat(readProfile(AYSE)).isEmpty();
      assertThat(readProfile(BOB)).isEmpty();
      assertThat(readProfile(CAROL)).isEmpty();
    }

    @Test
    @DisplayName("rollbackTo restores the profile scan order: profiles put after the savepoint are"
        + " gone, profiles deleted after it are back")
    void profileScans() {
      update(tx -> tx.putProfile(profile(BOB, 1)));

      update(tx -> {
        tx.putProfile(profile(AYSE, 1));
        Savepoint sp = tx.savepoint();
        tx.putProfile(profile(CAROL, 1));
        tx.deleteProfile(BOB);
        tx.deleteProfile(AYSE);
        tx.putProfile(profile(AYSE, 2));
        tx.rollbackTo(sp);

        assertThat(tx.profilesAfter(null, 10)).containsExactly(profile(AYSE, 1),
            profile(BOB, 1));
        tx.putProfile(profile(ProfileId.of("p-dave"), 1));
      });

      assertThat(readProfilesAfter(SHOP, null, 10)).extracting(r -> r.id().value())
          .containsExactly("p-ayse", "p-bob", "p-dave");
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Workspaces")
  class Workspaces {

    @Test
    @DisplayName("data written in one workspace is invisible in another, through every read")
    void isolation() {
      writeOneOfEach(SHOP);

      store.read(OTHER_SHOP, tx -> {
        assertThat(tx.event("m-order")).isEmpty();
        assertThat(tx.eventsByAnchors(List.of(AYSE_EMAIL, AYSE_CARD))).isEmpty();
        assertThat(tx.eventNameCounts()).isEmpty();
        assertThat(tx.node(AYSE_EMAIL)).isEmpty();
        assertThat(tx.nodesOfProfile(AYSE)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).isEmpty();
        assertThat(tx.component("c-1")).isEmpty();
        assertThat(tx.links("c-1")).isEmpty();
        assertThat(tx.profile(AYSE)).isEmpty();
        assertThat(tx.redirect(BOB)).isEmpty();
        assertThat(tx.ledger(AYSE)).isEmpty();
        assertThat(tx.ledger(BOB)).isEmpty();
        assertThat(tx.profilesAfter(null, 10)).isEmpty();
        assertThat(tx.redirectsTo(AYSE)).isEmpty();
        return null;
      });
    }

    @Test
    @DisplayName("the same keys in two workspaces are separate records")
    void sameKeysSeparateRecords() {
      writeOneOfEach(SHOP);
      StoredEvent otherOrder = order("m-order", at(7), BOB_EMAIL);
      Link otherLink = link("m-x", at(7), AYSE_EMAIL, BOB_EMAIL);

      store.write(OTHER_SHOP, tx -> {
        assertThat(tx.insertEvent(otherOrder)).isTrue();
        tx.putNode(node(AYSE_EMAIL, BOB, "c-1"));
        tx.putComponent(component("c-1", null));
        tx.addLink("c-1", otherLink);
        tx.putProfile(profile(AYSE, 1));
        tx.putRedirect(BOB, CAROL);
        tx.appendLedger(conflict(CAROL, AYSE, "m-x", at(7)));
        tx.moveLinks("c-1", "c-9");
        tx.deleteComponent("c-1");
        return null;
      });

      read(tx -> {
        assertThat(tx.event("m-order")).contains(order("m-order", at(1), AYSE_EMAIL, AYSE_CARD));
        assertThat(tx.eventsByAnchors(List.of(BOB_EMAIL))).isEmpty();
        assertThat(tx.eventNameCounts()).isEqualTo(Map.of("Order Completed", 1L));
        assertThat(tx.node(AYSE_EMAIL)).contains(node(AYSE_EMAIL, AYSE, "c-1"));
        assertThat(tx.nodesOfProfile(BOB)).isEmpty();
        assertThat(tx.nodesOfComponent("c-1")).hasSize(2);
        assertThat(tx.component("c-1")).isPresent();
        assertThat(tx.links("c-1")).containsExactly(link("m-link", at(1), AYSE_EMAIL, AYSE_CARD));
        assertThat(tx.links("c-9")).isEmpty();
        assertThat(tx.profile(AYSE)).contains(richProfile(AYSE, 3));
        assertThat(tx.redirect(BOB)).contains(AYSE);
        assertThat(tx.ledger(AYSE)).containsExactly(merged(AYSE, BOB, "m-order", at(2)));
        assertThat(tx.ledger(CAROL)).isEmpty();
        return null;
      });
      store.read(OTHER_SHOP, tx -> {
        assertThat(tx.event("m-order")).contains(otherOrder);
        assertThat(tx.links("c-9")).containsExactly(otherLink);
        assertThat(tx.profile(AYSE)).contains(profile(AYSE, 1));
        assertThat(tx.redirect(BOB)).contains(CAROL);
        return null;
      });
    }

    @Test
    @DisplayName("a failed write in one workspace leaves another untouched")
    void failureIsolated() {
      writeOneOfEach(OTHER_SHOP);

      updateAndFail(tx -> tx.putProfile(profile(AYSE, 9)));

      assertThat(readProfile(OTHER_SHOP, AYSE)).contains(richProfile(AYSE, 3));
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Concurrency")
  class Concurrency {

    private static final int THREADS = 4;
    private static final int WRITES_PER_THREAD = 500;
    private static final long TIMEOUT_SECONDS = 120;

    @Test
    @DisplayName("a node whose profile is truly missing: inconsistentRead is a corrupt graph in"
        + " the end (IllegalStateException), after any retries the store makes; never a"
        + " storage failure, never a loop")
    void inconsistentReadEndsAsCorruption() {
      update(tx -> tx.putNode(new IdentityNode(AYSE_EMAIL, ProfileId.of("p-gone"), "c-gone")));
      AtomicInteger runs = new AtomicInteger();
      assertThatThrownBy(() -> store.write(SHOP, tx -> {
        runs.incrementAndGet();
        IdentityNode n = tx.node(AYSE_EMAIL).orElseThrow();
        return tx.profile(n.profile())
            .orElseThrow(() -> tx.inconsistentRead("node without profile"));
      })).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("node without profile");
      assertThat(runs.get()).as("runs of the work").isBetween(1, 10);
    }

    @Test
    @DisplayName("concurrent read-modify-write transactions in one workspace lose no update")
    void noLostUpdates() throws Exception {
      update(tx -> tx.putProfile(profile(AYSE, 1)));
      AtomicInteger committed = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < WRITES_PER_THREAD; i++) {
              String messageId = "t" + thread + "-" + i;
              Instant time = at(i);
              store.write(SHOP, tx -> {
                ProfileRecord p = tx.profile(AYSE).orElseThrow();
                // Work between the read and the write, as the pipeline does, widens the window
                // in which an unserialized store would lose an update.
                tx.insertEvent(viewed(messageId, time, AYSE_COOKIE));
                tx.eventsByAnchors(List.of(AYSE_COOKIE));
                tx.putProfile(new ProfileRecord(AYSE, p.state(), p.identifierCounts(),
                    p.version() + 1));
                return null;
              });
              committed.incrementAndGet();
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : futures) {
          f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(committed.get()).isEqualTo(THREADS * WRITES_PER_THREAD);
      assertThat(readProfile(AYSE).orElseThrow().version())
          .isEqualTo(1L + THREADS * WRITES_PER_THREAD);
      assertThat(readCounts())
          .isEqualTo(Map.of("Product Viewed", (long) THREADS * WRITES_PER_THREAD));
    }

    @Test
    @DisplayName("a reader running next to a writer sees each transaction whole or not at all")
    void readersNeverSeeHalfATransaction() throws Exception {
      int writes = 300;
      assertReadersSeeWholeTransactions(writes, (tx, version) -> {
        tx.putProfile(profile(AYSE, version));
        tx.insertEvent(viewed("w-" + version, at(version), AYSE_COOKIE));
        tx.putProfile(profile(BOB, version));
      }, tx -> {
        long a = tx.profile(AYSE).map(ProfileRecord::version).orElse(0L);
        long events = tx.eventsByAnchors(List.of(AYSE_COOKIE)).size();
        long counted = tx.eventNameCounts().getOrDefault("Product Viewed", 0L);
        long b = tx.profile(BOB).map(ProfileRecord::version).orElse(0L);
        if (a != b || a != events || a != counted) {
          return "ayse=" + a + " events=" + events + " counted=" + counted + " bob=" + b;
        }
        return null;
      });

      assertThat(readProfile(BOB)).contains(profile(BOB, writes));
    }

    @Test
    @DisplayName("writes are invisible to other threads until the transaction commits")
    void uncommittedWritesAreInvisible() throws Exception {
      assertUncommittedWritesInvisible(tx -> {
        tx.putProfile(profile(AYSE, 1));
        tx.insertEvent(order("m-1", at(1), AYSE_EMAIL));
      }, tx -> tx.profile(AYSE).isPresent() || tx.event("m-1").isPresent()
          || !tx.eventNameCounts().isEmpty());

      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
    }

    @Test
    @DisplayName("writers in different workspaces do not disturb each other")
    void workspacesInParallel() throws Exception {
      List<WorkspaceId> shops = List.of(SHOP, OTHER_SHOP, WorkspaceId.of("shop-berlin"),
          WorkspaceId.of("shop-izmir"));
      for (WorkspaceId ws : shops) {
        update(ws, tx -> tx.putProfile(profile(AYSE, 1)));
      }
      ExecutorService pool = Executors.newFixedThreadPool(shops.size());
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (WorkspaceId ws : shops) {
          futures.add(pool.submit(() -> {
            for (int i = 0; i < 200; i++) {
              store.write(ws, tx -> {
                ProfileRecord p = tx.profile(AYSE).orElseThrow();
                tx.putProfile(new ProfileRecord(AYSE, p.state(), p.identifierCounts(),
                    p.version() + 1));
                return null;
              });
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      for (WorkspaceId ws : shops) {
        assertThat(readProfile(ws, AYSE).orElseThrow().version())
            .as("version in %s", ws).isEqualTo(201L);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("Capabilities")
  class Capabilities {

    /** A capability no store has. */
    private interface Teleporter {
      void beam();
    }

    @Test
    @DisplayName("capability() of a type the store does not have is empty, in read and write"
        + " transactions and on the store")
    void unknownCapabilityIsEmpty() {
      Optional<Teleporter> inRead = read(tx -> tx.capability(Teleporter.class));
      assertThat(inRead).isEmpty();
      Optional<Teleporter> inWrite = store.write(SHOP, tx -> tx.capability(Teleporter.class));
      assertThat(inWrite).isEmpty();
      assertThat(store.capability(Teleporter.class)).isEmpty();
    }

    @Test
    @DisplayName("require() of a capability the store does not have throws"
        + " UnsupportedCapabilityException naming it, and the transaction goes on")
    void requireUnknownCapability() {
      String name = Teleporter.class.getName();
      assertThatThrownBy(() -> read(tx -> tx.require(Teleporter.class)))
          .isInstanceOf(UnsupportedCapabilityException.class)
          .hasMessageContaining(name)
          .satisfies(e -> assertThat(((UnsupportedCapabilityException) e).capability())
              .isEqualTo(name));
      update(tx -> {
        assertThatThrownBy(() -> tx.require(Teleporter.class))
            .isInstanceOf(UnsupportedCapabilityException.class)
            .hasMessageContaining(name);
        tx.putProfile(profile(AYSE, 1));
      });
      assertThat(readProfile(AYSE)).contains(profile(AYSE, 1));
    }

    @Test
    @DisplayName("a capability type of null is refused with NullPointerException")
    void nullType() {
      assertThatThrownBy(() -> read(tx -> tx.capability(null)))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> store.capability(null))
          .isInstanceOf(NullPointerException.class);
    }
  }
}

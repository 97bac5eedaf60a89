package io.cdpkit.storage.jdbc.redteam;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks "an export holds only the person's own data" with the shared devices of a shop: six
 * shoppers identify on one kiosk (one cookie), two share a family e-mail, two pay with the
 * blocked walk-in card, and one types another's phone into her own form (a merge), which an
 * operator then undoes (an unmerge, a do-not-link rule). The identity rules keep them apart
 * (one customer id per profile), so the kiosk's links, the conflicts and merges of the ledger,
 * the do-not-link rule and the audit line of the unmerge all name several people at once.
 *
 * <p>Each shopper is exported and the whole JSON is searched, case-insensitively, for every
 * value of every other shopper: raw and normalised e-mail and phone, customer id, raw and
 * normalised loyalty card, first and last name, street, city, order id, live profile id. None
 * may be found. Each shopper's own values must all be found (so a test that found nothing
 * because the export was empty would fail). The values that are really shared (the kiosk
 * cookie, the family e-mail, the walk-in card) are no one's alone and are not searched for.
 */
class ExportOfOnePersonRedTeamTest {
  private static final Instant START = Instant.parse("2026-05-04T10:00:00Z");
  private static final String KIOSK_COOKIE = "kiosk-cookie-7f3a";
  private static final String FAMILY = "Family.Home@Example.NL";
  private static final String WALK_IN = "2900000000000";

  private static final String[] FIRST = {"Annelies", "Bartholomeus", "Cornelia", "Dirkjan",
      "Evertine", "Floortje"};
  private static final String[] LAST = {"Achterhuis", "Boomsma", "Crommelin", "Dijkgraaf",
      "Eijsbouts", "Fokkema"};
  private static final String[] CITY = {"Zwolle", "Leeuwarden", "Maastricht", "Groningen",
      "Deventer", "Haarlem"};

  /** One shopper's values; the last one (index 5) is a guest without a customer id. */
  record Shopper(int i) {
    String email() {
      return FIRST[i] + "." + LAST[i] + "@Example.NL";
    }

    String phone() {
      return "+31 6 5" + i + "7" + i + " 2" + i + "9" + i;
    }

    String phoneE164() {
      return "+3165" + i + "7" + i + "2" + i + "9" + i;
    }

    String customer() {
      return "cust-" + LAST[i].toLowerCase(Locale.ROOT) + "-" + i;
    }

    String card() {
      return "2900-" + i + "777-66655";
    }

    String street() {
      return LAST[i] + "straat 1" + i;
    }

    String order() {
      return "ORD-" + LAST[i].toUpperCase(Locale.ROOT) + "-" + i;
    }

    boolean guest() {
      return i == 5;
    }

    /** Shoppers 1 and 3 pay with the shop's walk-in card instead of their own. */
    boolean ownCard() {
      return guest() || i % 2 == 0;
    }

    Identifier key() {
      return guest() ? Identifier.email(email()) : Identifier.customerId(customer());
    }

    /** Every value to search for, raw and normalised. */
    List<String> values() {
      List<String> v = new ArrayList<>(List.of(email(), email().toLowerCase(Locale.ROOT),
          phone(), phoneE164(), FIRST[i], LAST[i], street(), CITY[i], order()));
      if (ownCard()) {
        v.add(card());
        v.add(card().replace("-", ""));
      }
      if (!guest()) {
        v.add(customer());
      }
      return v;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("issue 15 item 5: an export names nobody else: shared kiosk cookie, family"
      + " e-mail, walk-in card, a merge and its unmerge; 0 values of others, all of her own")
  void exportsHoldOnlyTheirOwnPerson(String kind) {
    try (RedTeamStores place = RedTeamStores.open(kind)) {
      MutableClock clock = new MutableClock(START);
      IdentityRules rules = IdentityRules.builder()
          .block(IdentifierType.LOYALTY_CARD, WALK_IN).build();
      List<Shopper> shoppers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        shoppers.add(new Shopper(i));
      }
      try (Cdp cdp = Cdp.builder().store(place.store()).identityRules(rules).clock(clock)
          .build()) {
        story(cdp, shoppers);

        Map<Shopper, List<String>> values = new LinkedHashMap<>();
        Map<Shopper, String> exports = new LinkedHashMap<>();
        for (Shopper s : shoppers) {
          ProfileId id = cdp.profiles().find(s.key()).orElseThrow().id();
          List<String> v = new ArrayList<>(s.values());
          v.add(id.value());
          values.put(s, v);
          exports.put(s, cdp.privacy().export(s.key()).orElseThrow());
        }
        // The story made people apart, not one merged blob (else there is nobody to leak).
        assertThat(values.values().stream().map(v -> v.get(v.size() - 1)).distinct())
            .hasSize(shoppers.size());

        List<String> leaks = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Shopper s : shoppers) {
          String export = exports.get(s).toLowerCase(Locale.ROOT);
          for (Shopper other : shoppers) {
            for (String v : values.get(other)) {
              boolean found = export.contains(v.toLowerCase(Locale.ROOT));
              if (other.equals(s) && !found) {
                missing.add(s.i() + ": " + v);
              } else if (!other.equals(s) && found) {
                leaks.add("export of " + s.i() + " holds a value of " + other.i() + " ("
                    + v.length() + " chars)");
              }
            }
          }
        }
        assertThat(missing).as("own values missing from own export").isEmpty();
        assertThat(leaks).as("other people's values in exports").isEmpty();
        // The shared-device story is in the exports, redacted rather than dropped.
        assertThat(exports.get(shoppers.get(0))).contains("\"redacted\":true");
        assertThat(exports.get(shoppers.get(4))).contains("[redacted phone]");
      }
    }
  }

  private static void story(Cdp cdp, List<Shopper> shoppers) {
    Instant t = START;
    // A page view on the kiosk before anyone identifies.
    cdp.ingest(Event.page("Welcome").messageId("kiosk-0").anonymousId(KIOSK_COOKIE)
        .timestamp(t).build());
    for (Shopper s : shoppers) {
      t = t.plus(Duration.ofMinutes(5));
      Event.Builder identify = Event.identify().messageId("id-" + s.i())
          .identifier(Identifier.email(s.email())).trait("phone", s.phone())
          .trait("firstName", FIRST[s.i()]).trait("lastName", LAST[s.i()])
          .trait("address", Map.of("street", s.street(), "city", CITY[s.i()]))
          .timestamp(t);
      if (s.guest()) {
        identify.identifier(Identifier.loyaltyCard(s.card()));
      } else {
        identify.userId(s.customer()).anonymousId(KIOSK_COOKIE);
      }
      cdp.ingest(identify.build());
      Event.Builder order = Event.track("Order Completed").messageId("order-" + s.i())
          .property("order_id", s.order()).property("total", new BigDecimal("19.95"))
          .property("currency", "EUR").property("ship_to", s.street() + ", " + CITY[s.i()])
          .identifier(Identifier.loyaltyCard(s.ownCard() ? s.card() : WALK_IN))
          .timestamp(t.plusSeconds(60));
      if (s.guest()) {
        order.identifier(Identifier.email(s.email()));
      } else {
        order.userId(s.customer());
      }
      cdp.ingest(order.build());
    }
    // The family e-mail: the first two shoppers give it.
    for (int i = 0; i < 2; i++) {
      cdp.ingest(Event.identify().messageId("family-" + i).userId(shoppers.get(i).customer())
          .trait("email", FAMILY).timestamp(t.plusSeconds(120 + i)).build());
    }
    // Shopper 4 types the guest's phone into her own form: the two merge...
    Shopper four = shoppers.get(4);
    Shopper guest = shoppers.get(5);
    cdp.ingest(Event.track("Callback Requested").messageId("callback-4")
        .identifier(Identifier.email(four.email())).identifier(Identifier.phone(guest.phone()))
        .property("note", "call me back").timestamp(t.plusSeconds(300)).build());
    // ...and an operator takes them apart again.
    cdp.profiles().unmerge(Identifier.email(four.email()), Identifier.phone(guest.phone()));
  }
}

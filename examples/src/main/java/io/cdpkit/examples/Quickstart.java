package io.cdpkit.examples;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.storage.jdbc.JdbcStore;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A small, realistic story ingested into CDPKit, with the resulting profiles and merge ledger
 * printed:
 *
 * <ol>
 *   <li>a visitor browses dresses anonymously, logs in and buys online;
 *   <li>she buys in a store with her loyalty card (a separate profile at first);
 *   <li>later she links the card to her account: the two profiles merge;
 *   <li>three strangers use the shop's shared walk-in card: they do not merge;
 *   <li>two customer accounts share one family e-mail: the limit of one customer id per profile
 *       refuses the link, and the conflict is recorded.
 * </ol>
 *
 * The data lives in an embedded H2 file database under {@code target/quickstart-data}, emptied
 * at every start so the story begins afresh.
 *
 * Run it with {@code mvn -q -pl examples -am package exec:java -DskipTests}. Stateless: each
 * {@link #run} builds its own {@link Cdp}.
 */
public final class Quickstart {
  /** The shop's shared in-store card, handed to customers without one of their own. */
  static final String WALK_IN_CARD = "2900000000017";

  private Quickstart() {}

  public static void main(String[] args) throws IOException {
    run(System.out, Path.of("target", "quickstart-data"));
  }

  /** Runs the story on an H2 file store in {@code dataDir} (emptied first), printing to out. */
  public static void run(PrintStream out, Path dataDir) throws IOException {
    if (Files.exists(dataDir)) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    IdentityRules rules = IdentityRules.builder()
        .block(IdentifierType.LOYALTY_CARD, WALK_IN_CARD)
        .defaultRegion("NL")
        .build();
    Clock clock = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);
    try (JdbcStore h2 = JdbcStore.h2File(dataDir);
        Cdp cdp = Cdp.builder().store(h2).identityRules(rules).clock(clock).build()) {
      Map<String, ProfileId> seen = new LinkedHashMap<>();

      // 1. Anonymous browsing, login, online order.
      cdp.ingest(Event.page("Dresses").messageId("web-1").anonymousId("ck-7f3a")
          .channel(Channels.WEB).timestamp(t("2026-03-01T19:02:00Z")).build());
      cdp.ingest(Event.track("Product Viewed").messageId("web-2").anonymousId("ck-7f3a")
          .property("category", "dresses").property("size", "M").property("sku", "DR-114-M")
          .channel(Channels.WEB).timestamp(t("2026-03-01T19:04:10Z")).build());
      cdp.ingest(Event.identify().messageId("web-3").anonymousId("ck-7f3a").userId("C-1001")
          .trait("email", "Jane.deVries@Example.com").trait("firstName", "Jane")
          .trait("lastName", "de Vries").consent("marketing", "email", true)
          .channel(Channels.WEB).timestamp(t("2026-03-01T19:06:00Z")).build());
      IngestResult online = cdp.ingest(Event.track("Order Completed").messageId("web-4")
          .userId("C-1001").property("order_id", "W-5001")
          .property("total", new BigDecimal("89.90")).property("currency", "EUR")
          .channel(Channels.WEB).timestamp(t("2026-03-01T19:09:30Z")).build());
      seen.put("online shopper", online.profileId());

      // 2. A POS receipt with her loyalty card: nothing links it to her account yet.
      IngestResult store = cdp.ingest(Event.track("Order Completed").messageId("pos-88")
          .identifier(IdentifierType.LOYALTY_CARD, "2900 0012 3456 7")
          .property("order_id", "AMS-R-88").property("total", new BigDecimal("59.90"))
          .property("currency", "EUR").channel(Channels.POS).storeId("amsterdam-centraal")
          .source("pos").timestamp(t("2026-03-14T11:20:00Z")).build());
      seen.put("card holder", store.profileId());
      out.printf("Before linking the card: %d profiles for Jane%n",
          seen.values().stream().distinct().count());

      // 3. She adds the card to her account: the profiles merge.
      cdp.ingest(Event.identify().messageId("web-9").userId("C-1001")
          .identifier(IdentifierType.LOYALTY_CARD, "2900001234567")
          .channel(Channels.WEB).timestamp(t("2026-04-02T08:00:00Z")).build());

      // 4. Three strangers pay with the shared walk-in card and leave a phone number.
      String[] phones = {"06 1234 5671", "06 1234 5672", "06 1234 5673"};
      for (int i = 0; i < phones.length; i++) {
        cdp.ingest(Event.track("Order Completed").messageId("pos-walkin-" + i)
            .identifier(IdentifierType.LOYALTY_CARD, WALK_IN_CARD)
            .identifier(IdentifierType.PHONE, phones[i])
            .property("order_id", "UTR-R-" + (100 + i)).property("total", 15L + i)
            .channel(Channels.POS).storeId("utrecht-hoog-catharijne").source("pos")
            .timestamp(t("2026-05-0" + (i + 1) + "T10:00:00Z")).build());
      }

      // 5. Two accounts of one family share an e-mail address.
      cdp.ingest(Event.identify().messageId("crm-1").userId("C-2001")
          .trait("email", "family@devries.example").trait("firstName", "Kees")
          .timestamp(t("2026-06-01T09:00:00Z")).build());
      cdp.ingest(Event.identify().messageId("crm-2").userId("C-2002")
          .trait("email", "family@devries.example").trait("firstName", "Anna")
          .timestamp(t("2026-06-02T09:00:00Z")).build());

      out.println();
      out.println("== Profiles");
      List<Identifier> lookups = List.of(Identifier.email("jane.devries@example.com"),
          Identifier.phone("+31612345671"), Identifier.phone("+31612345672"),
          Identifier.phone("+31612345673"), Identifier.customerId("C-2001"),
          Identifier.customerId("C-2002"));
      for (Identifier id : lookups) {
        print(out, cdp.profiles().find(id).orElseThrow(), clock.instant());
      }

      out.println("== Merge ledger");
      ProfileId jane = cdp.profiles().find(Identifier.customerId("C-1001")).orElseThrow().id();
      ProfileId anna = cdp.profiles().find(Identifier.customerId("C-2002")).orElseThrow().id();
      for (ProfileId p : List.of(jane, anna)) {
        for (LedgerEntry e : cdp.profiles().ledger(p)) {
          out.printf("  %-8s %s <- %s  by %s in event %s (%s)%n", e.kind(), shortId(e.profile()),
              e.other() == null ? "-" : shortId(e.other()),
              e.identifier() == null ? "-" : plain(e.identifier()), e.messageId(), e.reason());
        }
      }
      out.printf("%nThe card holder's old profile id %s now resolves to %s.%n",
          shortId(store.profileId()), shortId(cdp.profiles().resolve(store.profileId())
              .orElseThrow()));
    }
  }

  private static void print(PrintStream out, Profile p, Instant now) {
    out.printf("Profile %s%n", shortId(p.id()));
    out.printf("  identifiers : %s%n",
        p.identifiers().stream().map(Quickstart::plain).collect(Collectors.joining(", ")));
    if (!p.traits().isEmpty()) {
      out.printf("  traits      : %s%n", p.traits());
    }
    if (!p.consents().isEmpty()) {
      out.printf("  consents    : %s%n", p.consents());
    }
    out.printf("  seen        : %s .. %s on %s%s%n", p.firstSeen().orElseThrow(),
        p.lastSeen().orElseThrow(), p.channelsSeen(),
        p.storesSeen().isEmpty() ? "" : " in " + p.storesSeen());
    if (p.orderCount() > 0) {
      out.printf("  orders      : %d, spend %s, average %s, last %s%n", p.orderCount(),
          p.totalSpend().values(), p.averageOrderValue("EUR").map(Object::toString).orElse("-"),
          p.lastOrder().map(o -> o.orderId() + " via " + o.channel()).orElse("-"));
      out.printf("  favourite   : store %s, channel %s; customer for %d years%n",
          p.favouriteStore().orElse("-"), p.favouriteChannel().orElse("-"),
          p.yearsAsCustomer(now));
    }
    out.printf("  events      : %s%n%n", p.eventCounts());
  }

  /** The example prints values on purpose; CDPKit's own toString() never does. */
  private static String plain(Identifier id) {
    return id.type().id() + ":" + id.value();
  }

  /**
   * The last 8 characters of an id: the pipeline's ids share a prefix drawn once per instance
   * and end in a counter, so their ends tell them apart.
   */
  private static String shortId(ProfileId id) {
    String v = id.value();
    return v.length() <= 8 ? v : v.substring(v.length() - 8);
  }

  private static Instant t(String iso) {
    return Instant.parse(iso);
  }
}

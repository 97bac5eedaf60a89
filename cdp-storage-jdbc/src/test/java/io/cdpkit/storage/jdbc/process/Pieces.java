package io.cdpkit.storage.jdbc.process;

import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * A seeded stream of events about a small crowd of people whose identifiers arrive in pieces:
 * person {@code p} has a userId, two anonymousIds (cookies), an e-mail address and a phone
 * number, and no single event carries more than two of them. The profile of one person only
 * becomes whole through pairs: userId with e-mail, cookie with e-mail, userId with phone. So when
 * the events are shared out among several writers, each writer sees a different part of a person
 * and their profiles merge across writers. Besides the linking identifies there are page views
 * (cookie only), web orders (userId only), store orders (phone only), e-mail opens (e-mail
 * only) and trait updates whose last value wins by event time. People never share an
 * identifier, so the end state has one profile per person whatever the order of ingestion.
 * Same seed, same events.
 */
final class Pieces {
  static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");
  private static final String[] TIERS = {"bronze", "silver", "gold"};

  private Pieces() {}

  static List<Event> stream(long seed, int people, int events) {
    Random r = new Random(seed);
    List<Event> out = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      int p = r.nextInt(people);
      String user = userId(p);
      String cookie = cookie(p, r.nextInt(2));
      Instant at = T0.plusSeconds(i * 37L);
      String id = "pc-" + seed + "-" + i;
      Event e = switch (r.nextInt(9)) {
        case 0 -> Event.identify().messageId(id).userId(user).trait("email", email(p))
            .channel(Channels.WEB).timestamp(at).build();
        case 1 -> Event.identify().messageId(id).anonymousId(cookie).trait("email", email(p))
            .channel(Channels.WEB).timestamp(at).build();
        case 2 -> Event.identify().messageId(id).userId(user)
            .identifier(IdentifierType.PHONE, phone(p)).channel(Channels.APP).timestamp(at)
            .build();
        case 3, 4 -> Event.page("Product Detail").messageId(id).anonymousId(cookie)
            .property("path", "/p/" + r.nextInt(30)).channel(Channels.WEB).timestamp(at).build();
        case 5 -> Event.track("Order Completed").messageId(id).userId(user)
            .property("order_id", "W-" + i).property("total", price(r))
            .property("currency", "EUR").channel(Channels.WEB).timestamp(at).build();
        case 6 -> Event.track("Order Completed").messageId(id)
            .identifier(IdentifierType.PHONE, phone(p))
            .property("order_id", "R-" + i).property("total", price(r))
            .property("currency", "EUR").channel(Channels.POS).storeId("st-" + r.nextInt(3))
            .timestamp(at).build();
        case 7 -> Event.track("Email Opened").messageId(id)
            .identifier(IdentifierType.EMAIL, email(p)).property("campaign", "c-" + r.nextInt(5))
            .channel(Channels.EMAIL).timestamp(at).build();
        default -> Event.identify().messageId(id).anonymousId(cookie)
            .trait("loyalty_tier", TIERS[r.nextInt(TIERS.length)]).channel(Channels.WEB)
            .timestamp(at).build();
      };
      out.add(e);
    }
    return out;
  }

  /** The instant after the last event of a stream of {@code events}. */
  static Instant end(int events) {
    return T0.plusSeconds(events * 37L);
  }

  private static String userId(int p) {
    return "U-" + (1000 + p);
  }

  private static String cookie(int p, int k) {
    return "ck-" + p + "-" + k;
  }

  private static String email(int p) {
    return "Person." + p + "@Example.com";
  }

  private static String phone(int p) {
    return String.format(Locale.ROOT, "+31 6 1%07d", p);
  }

  private static BigDecimal price(Random r) {
    return BigDecimal.valueOf(500 + r.nextInt(20_000), 2);
  }

  /** Every identifier the stream can carry, as the store keys them (normalised). */
  static Set<Identifier> identifiers(int people) {
    Set<Identifier> ids = new LinkedHashSet<>();
    for (int p = 0; p < people; p++) {
      ids.add(Identifier.customerId(userId(p)));
      ids.add(Identifier.anonymousId(cookie(p, 0)));
      ids.add(Identifier.anonymousId(cookie(p, 1)));
      ids.add(Identifier.email(email(p).toLowerCase(Locale.ROOT)));
      ids.add(Identifier.phone(String.format(Locale.ROOT, "+3161%07d", p)));
    }
    return ids;
  }
}

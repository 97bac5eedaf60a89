package io.cdpkit.storage.jdbc.redteam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.ErasureReport;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks "a lookup never matches a different stored value" with forged identifiers next to
 * real people: unpaired surrogates (high and low, at the start, middle and end), NUL and other
 * C0/C1 controls, zero-width, bidi, no-break and other invisible characters inside e-mail
 * addresses and ids, decomposed versus composed accents, case and accent variants. For every
 * forgery, {@code find}, {@code export}, {@code unmerge}, {@code erase}, ingestion (Java and
 * JSON) and tombstone matching must leave the real person alone: a refused forgery is refused
 * naming the field and never quoting the value; a forgery the rules accept as a different value
 * is a different person; only what the documented canonical form makes equal (trimming, e-mail
 * case, NFC) reaches the owner.
 */
class ForgedIdentifierRedTeamTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  enum Expect {
    /** Refused at the door with an {@link InvalidEventException}. */
    REFUSED,
    /** Accepted as a different value: a different person. */
    DISTINCT,
    /** The documented canonical form makes it the owner's own identifier. */
    SAME
  }

  record Person(String userId, Identifier identifier) {}

  record Forgery(String what, Identifier id, Expect expect, Person owner) {}

  static final Person GRETA = new Person("C-greta", Identifier.email("gr?ta.q@example.com"));
  static final Person BOB = new Person("C-bob", Identifier.email("bob@example.com"));
  static final Person JOSE = new Person("C-jose", Identifier.email("jos\u00E9@example.com"));
  static final Person CUST = new Person("Cust-1", Identifier.anonymousId("anon-ABC"));
  static final List<Person> PEOPLE = List.of(GRETA, BOB, JOSE, CUST);

  static final String SURROGATES = "\uD800\uDBFF\uDC00\uDFFF";
  static final String CONTROLS = "\u0000\u0001\u0008\u000B\u001B\u001F\u007F\u0080\u0085\u009B"
      + "\u009F\t\n\r";
  static final String INVISIBLE = "\u00A0\u00AD\u034F\u061C\u115F\u1160\u180E\u2007\u200B"
      + "\u200C\u200D\u200E\u200F\u2028\u2029\u202A\u202B\u202C\u202D\u202E\u202F\u205F\u2060"
      + "\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3000\u3164\uFE00\uFE0F\uFEFF\uFFA0"
      + "\uFFFE\uFFFF";

  static String code(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().forEach(cp -> b.append(String.format("U+%04X ", cp)));
    return b.toString().trim();
  }

  /** {@code c} inserted into {@code v} at the start, after the first character, in the middle, before the end, at the end. */
  static List<Map.Entry<String, String>> placements(String v, String c) {
    int at = v.indexOf('@');
    int mid = at > 0 ? at : v.length() / 2;
    return List.of(Map.entry("start", c + v), Map.entry("second", v.charAt(0) + c + v.substring(1)),
        Map.entry("middle", v.substring(0, mid) + c + v.substring(mid)),
        Map.entry("before end", v.substring(0, v.length() - 1) + c + v.substring(v.length() - 1)),
        Map.entry("end", v + c));
  }

  static List<Forgery> forgeries() {
    List<Forgery> out = new ArrayList<>();
    // Lone surrogates, in place of Greta's '?' (what a driver would turn them into) and around.
    for (char s : SURROGATES.toCharArray()) {
      String v = GRETA.identifier().value();
      out.add(new Forgery("surrogate " + code("" + s) + " for '?'",
          Identifier.email(v.replace('?', s)), Expect.REFUSED, GRETA));
      for (Map.Entry<String, String> p : placements(v, "" + s)) {
        out.add(new Forgery("surrogate " + code("" + s) + " " + p.getKey(),
            Identifier.email(p.getValue()), Expect.REFUSED, GRETA));
      }
    }
    // Controls and invisible characters inside Bob's address and Cust's anonymous id.
    for (Person owner : List.of(BOB, CUST)) {
      String v = owner.identifier().value();
      for (String set : List.of(CONTROLS, INVISIBLE)) {
        for (int i = 0; i < set.length(); i++) {
          String c = String.valueOf(set.charAt(i));
          for (Map.Entry<String, String> p : placements(v, c)) {
            boolean edge = p.getKey().equals("start") || p.getKey().equals("end");
            // Trimming (String.strip) removes white space at the edges: the same value.
            Expect e = edge && Character.isWhitespace(c.charAt(0)) ? Expect.SAME : Expect.REFUSED;
            out.add(new Forgery(code(c) + " " + p.getKey(),
                new Identifier(owner.identifier().type(), p.getValue()), e, owner));
          }
        }
      }
      // a tag character (supplementary, format) and a supplementary noncharacter
      out.add(new Forgery("tag U+E0041", new Identifier(owner.identifier().type(),
          v.substring(0, 2) + "\uDB40\uDC41" + v.substring(2)), Expect.REFUSED, owner));
      out.add(new Forgery("noncharacter U+1FFFE", new Identifier(owner.identifier().type(),
          v.substring(0, 2) + "\uD83F\uDFFE" + v.substring(2)), Expect.REFUSED, owner));
    }
    // Accents, case, composition.
    out.add(new Forgery("decomposed e + U+0301", Identifier.email("jose\u0301@example.com"),
        Expect.SAME, JOSE));
    out.add(new Forgery("upper case, decomposed", Identifier.email("JOSE\u0301@EXAMPLE.COM"),
        Expect.SAME, JOSE));
    out.add(new Forgery("upper case, composed", Identifier.email("JOS\u00C9@example.com"),
        Expect.SAME, JOSE));
    out.add(new Forgery("accent dropped", Identifier.email("jose@example.com"),
        Expect.DISTINCT, JOSE));
    out.add(new Forgery("other accent", Identifier.email("jos\u00E8@example.com"),
        Expect.DISTINCT, JOSE));
    out.add(new Forgery("diaeresis combining", Identifier.email("jose\u0308@example.com"),
        Expect.DISTINCT, JOSE));
    out.add(new Forgery("trailing space", Identifier.email("jos\u00E9@example.com "),
        Expect.SAME, JOSE));
    out.add(new Forgery("'?' replaced by 'e'", Identifier.email("greta.q@example.com"),
        Expect.DISTINCT, GRETA));
    out.add(new Forgery("U+FFFD for '?'", Identifier.email("gr\uFFFDta.q@example.com"),
        Expect.DISTINCT, GRETA));
    out.add(new Forgery("anonymous id, lower case", Identifier.anonymousId("anon-abc"),
        Expect.DISTINCT, CUST));
    out.add(new Forgery("anonymous id, dotless i", Identifier.anonymousId("anon-ABC\u0131"),
        Expect.DISTINCT, CUST));
    out.add(new Forgery("anonymous id, fullwidth", Identifier.anonymousId("anon-\uFF21BC"),
        Expect.DISTINCT, CUST));
    out.add(new Forgery("anonymous id, non-breaking hyphen",
        Identifier.anonymousId("anon\u2011ABC"), Expect.DISTINCT, CUST));
    out.add(new Forgery("customer id, lower case", Identifier.customerId("cust-1"),
        Expect.DISTINCT, CUST));
    out.add(new Forgery("customer id, trailing space", Identifier.customerId("Cust-1 "),
        Expect.SAME, CUST));
    out.add(new Forgery("customer id, trailing no-break space",
        Identifier.customerId("Cust-1\u00A0"), Expect.REFUSED, CUST));
    return out;
  }

  /** What a person looks like before the attack. */
  record Snapshot(ProfileId profile, int consents, int events, List<Identifier> ids) {}

  static Snapshot snapshot(Cdp cdp, Person p) {
    Profile profile = cdp.profiles().find(p.identifier()).orElseThrow();
    return new Snapshot(profile.id(), cdp.profiles().consentHistory(profile.id()).size(),
        cdp.profiles().events(profile.id()).size(),
        profile.identifiers().stream().sorted(java.util.Comparator.comparing(Identifier::value))
            .toList());
  }

  static Event real(Person p, String messageId, Instant at) {
    Event.Builder b = Event.identify().messageId(messageId).userId(p.userId())
        .trait("name", p.userId()).consent("marketing", "email", true).timestamp(at);
    return b.identifier(p.identifier()).build();
  }

  static void assertRefused(InvalidEventException e, Forgery f, String pointer) {
    assertThat(e.pointer()).as(f.what()).isEqualTo(pointer);
    assertThat(e.reason()).as(f.what()).containsAnyOf("unpaired UTF-16 surrogate",
        "control character", "invisible or formatting character");
    // never the value: no part of it, no stray surrogate
    assertThat(e.getMessage()).as(f.what()).doesNotContain("example", "anon", "Cust", "bob")
        .matches(m -> m.chars().noneMatch(c -> Character.isSurrogate((char) c)),
            "has no surrogate");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("a forged identifier next to a real person's never finds, exports, erases,"
      + " unmerges or tombstones that person; bad input is refused naming the field")
  void forgedIdentifiersNeverReachTheRealPerson(String kind) {
    List<Forgery> forgeries = forgeries();
    int operations = 0;
    int matchedOther = 0;
    List<String> leaks = new ArrayList<>();
    MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(1)));
    try (RedTeamStores place = RedTeamStores.open(kind);
        Store store = place.store();
        Cdp cdp = Cdp.builder().store(store).clock(clock).build()) {
      int n = 0;
      for (Person p : PEOPLE) {
        assertThat(cdp.ingest(real(p, "real-" + (n++), T0)).status())
            .isEqualTo(IngestResult.Status.STORED);
      }
      Map<Person, Snapshot> before = new LinkedHashMap<>();
      for (Person p : PEOPLE) {
        before.put(p, snapshot(cdp, p));
      }
      List<ProfileId> realIds = before.values().stream().map(Snapshot::profile).toList();

      int i = 0;
      for (Forgery f : forgeries) {
        i++;
        ProfileId owner = before.get(f.owner()).profile();
        // find
        operations++;
        try {
          Optional<Profile> found = cdp.profiles().find(f.id());
          if (f.expect() == Expect.REFUSED) {
            fail(f.what() + ": find was not refused");
          } else if (f.expect() == Expect.SAME) {
            assertThat(found.map(Profile::id)).as(f.what()).contains(owner);
          } else if (found.isPresent() && realIds.contains(found.get().id())) {
            matchedOther++;
            leaks.add(f.what() + ": find");
          }
        } catch (InvalidEventException e) {
          assertThat(f.expect()).as(f.what()).isEqualTo(Expect.REFUSED);
          assertRefused(e, f, "");
        }
        // export
        operations++;
        try {
          Optional<String> export = cdp.privacy().export(f.id());
          if (f.expect() == Expect.REFUSED) {
            fail(f.what() + ": export was not refused");
          } else if (f.expect() == Expect.SAME) {
            assertThat(export).as(f.what()).isPresent();
          } else if (export.isPresent()) {
            matchedOther++;
            leaks.add(f.what() + ": export");
          }
        } catch (InvalidEventException e) {
          assertThat(f.expect()).isEqualTo(Expect.REFUSED);
          assertRefused(e, f, "");
        }
        if (f.expect() == Expect.SAME) {
          continue; // the owner's own identifier: unmerging or erasing it is legitimate
        }
        // unmerge from the owner's customer id
        operations++;
        try {
          cdp.profiles().unmerge(f.id(), Identifier.customerId(f.owner().userId()));
          if (f.expect() == Expect.REFUSED) {
            fail(f.what() + ": unmerge was not refused");
          }
        } catch (InvalidEventException e) {
          assertThat(f.expect()).isEqualTo(Expect.REFUSED);
          assertRefused(e, f, "");
        } catch (IllegalArgumentException e) {
          assertThat(f.expect()).as(f.what() + ": " + e.getMessage()).isEqualTo(Expect.DISTINCT);
        }
        // ingest, built in Java, carrying the forgery next to an attacker's own id
        operations++;
        String attacker = "X-" + i;
        Event ev;
        try {
          ev = Event.identify().messageId("forged-" + i).userId(attacker).identifier(f.id())
              .consent("marketing", "email", false).timestamp(T0.plusSeconds(i)).build();
        } catch (InvalidEventException e) {
          assertThat(f.expect()).as(f.what()).isEqualTo(Expect.REFUSED);
          assertRefused(e, f, "/context/externalIds/0/id");
          ev = null;
        }
        ProfileId attackerProfile = null;
        if (ev != null) {
          IngestResult r = cdp.ingest(List.of(ev)).results().get(0);
          if (f.expect() == Expect.REFUSED) {
            assertThat(r.status()).as(f.what()).isEqualTo(IngestResult.Status.REJECTED);
            assertRefused(r.error(), f, "/context/externalIds/0/id");
          } else {
            assertThat(r.status()).as(f.what()).isEqualTo(IngestResult.Status.STORED);
            attackerProfile = r.profileId();
            if (realIds.contains(attackerProfile)) {
              matchedOther++;
              leaks.add(f.what() + ": ingest joined a real person");
            }
          }
        }
        // erase
        operations++;
        try {
          ErasureReport report = cdp.privacy().erase(f.id());
          if (f.expect() == Expect.REFUSED) {
            fail(f.what() + ": erase was not refused");
          }
          if (report.profile() != null && realIds.contains(report.profile())) {
            matchedOther++;
            leaks.add(f.what() + ": erase");
          }
          if (attackerProfile != null && f.id().type().equals(IdentifierType.EMAIL)) {
            assertThat(report.erasedProfile()).as(f.what()).contains(attackerProfile);
          }
        } catch (InvalidEventException e) {
          assertThat(f.expect()).isEqualTo(Expect.REFUSED);
          assertRefused(e, f, "");
        }
      }

      // The same forgeries in JSON: refused per message, the good messages of the batch stored.
      StringBuilder body = new StringBuilder("{\"batch\":[");
      int good = 0;
      int bad = 0;
      for (Forgery f : forgeries) {
        if (f.expect() != Expect.REFUSED) {
          continue;
        }
        body.append(good == 0 && bad == 0 ? "" : ",")
            .append("{\"type\":\"track\",\"event\":\"Probe\",\"messageId\":\"json-bad-")
            .append(bad++).append("\",\"userId\":\"J-").append(bad)
            .append("\",\"timestamp\":\"2026-03-01T11:00:00Z\",\"context\":{\"externalIds\":")
            .append("[{\"type\":\"").append(f.id().type().id()).append("\",\"id\":\"")
            .append(jsonEscape(f.id().value())).append("\"}]}},")
            .append("{\"type\":\"track\",\"event\":\"Probe\",\"messageId\":\"json-good-")
            .append(good++).append("\",\"userId\":\"").append(f.owner().userId())
            .append("\",\"timestamp\":\"2026-03-01T11:00:00Z\"}");
        operations++;
      }
      body.append("]}");
      BatchResult jr = cdp.ingestJson(body.toString().getBytes(StandardCharsets.UTF_8));
      assertThat(jr.stored()).isEqualTo(good);
      assertThat(jr.rejected()).isEqualTo(bad);
      for (IngestResult r : jr.results()) {
        if (r.status() == IngestResult.Status.REJECTED) {
          assertThat(r.error().pointer()).isEqualTo("/context/externalIds/0/id");
        }
      }

      // The real people are as they were, and their later events are stored, not dropped as
      // erased.
      for (Person p : PEOPLE) {
        Snapshot now = snapshot(cdp, p);
        Snapshot was = before.get(p);
        assertThat(now.profile()).as(p.userId()).isEqualTo(was.profile());
        assertThat(now.ids()).as(p.userId()).isEqualTo(was.ids());
        assertThat(now.consents()).as(p.userId()).isEqualTo(was.consents());
        assertThat(cdp.privacy().export(p.identifier())).as(p.userId()).isPresent();
        IngestResult later = cdp.ingest(real(p, "later-" + p.userId(), T0.plusSeconds(7200)));
        assertThat(later.status()).as(p.userId()).isEqualTo(IngestResult.Status.STORED);
        assertThat(later.profileId()).isEqualTo(was.profile());
        assertThat(cdp.profiles().consentAt(was.profile(), "marketing", "email",
            clock.instant()).status().name()).isEqualTo("GRANTED");
      }
      assertThat(leaks).isEmpty();
      assertThat(matchedOther).isZero();
      System.out.printf("ForgedIdentifierRedTeamTest[%s]: %d forged identifiers, %d operations,"
          + " %d matched another person%n", kind, forgeries.size(), operations, matchedOther);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.cdpkit.storage.jdbc.redteam.RedTeamStores#kinds")
  @DisplayName("behind the door: the store's own lookup of a value it cannot hold exactly (a lone"
      + " surrogate, NUL) matches nothing, even where a driver would write '?'")
  void storeLookupsBehindTheDoor(String kind) {
    try (RedTeamStores place = RedTeamStores.open(kind);
        Store store = place.store();
        Cdp cdp = Cdp.builder().store(store).build()) {
      cdp.ingest(real(GRETA, "real-greta", T0));
      cdp.ingest(Event.track("Order?Placed").messageId("m?1").userId("C-greta").timestamp(T0)
          .build());
      io.cdpkit.core.model.WorkspaceId ws = io.cdpkit.core.model.WorkspaceId.DEFAULT;
      for (char s : (SURROGATES + "\u0000").toCharArray()) {
        String forged = GRETA.identifier().value().replace('?', s);
        Optional<?> node = store.read(ws, tx -> tx.node(Identifier.email(forged)));
        Optional<?> event = store.read(ws, tx -> tx.event("m" + s + "1"));
        assertThat(node).isEmpty();
        assertThat(event).isEmpty();
      }
      Optional<?> node = store.read(ws, tx -> tx.node(GRETA.identifier()));
      Optional<?> event = store.read(ws, tx -> tx.event("m?1"));
      assertThat(node).isPresent();
      assertThat(event).isPresent();
    }
  }

  static String jsonEscape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}

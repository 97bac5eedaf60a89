package io.cdpkit.core.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.util.Locale;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class CompactIdsTest {
  @Provide
  Arbitrary<String> ids() {
    Arbitrary<String> uuids = Arbitraries.longs().tuple2()
        .map(t -> new UUID(t.get1(), t.get2()).toString());
    // Near misses: one character of a UUID changed (upper case, a non-hex letter, a dash moved,
    // chars above 127 whose low 7 bits are a hex digit's or a dash's).
    Arbitrary<String> nearMisses = Arbitraries.longs().tuple2()
        .flatMap(t -> {
          String u = new UUID(t.get1(), t.get2()).toString();
          return Arbitraries.integers().between(0, 35).flatMap(i -> Arbitraries.of(
              'A', 'F', 'g', 'z', '-', '0', 'f', ' ', 'é', '\u00e1', '\u0130', '\u0161', '\u00ad')
              .map(c -> u.substring(0, i) + c + u.substring(i + 1)));
        });
    return Arbitraries.oneOf(uuids, nearMisses, Arbitraries.strings().ofMinLength(1)
        .ofMaxLength(40), Arbitraries.strings().withChars("0123456789abcdef-").ofLength(36));
  }

  @Property(tries = 2000)
  @Label("an id's key gives back the equal id; keys are equal exactly when ids are")
  void roundTrips(@ForAll("ids") String a, @ForAll("ids") String b) {
    Object ka = CompactIds.key(a);
    assertThat(CompactIds.id(ka)).isEqualTo(a);
    assertThat(CompactIds.id(CompactIds.key(b))).isEqualTo(b);
    assertThat(ka.equals(CompactIds.key(b))).isEqualTo(a.equals(b));
    if (ka instanceof CompactIds.Bits) {
      assertThat(UUID.fromString(a).toString()).isEqualTo(a);
    }
  }

  @Property(tries = 200)
  @Label("every canonical UUID is kept as bits")
  void uuidsAreBits(@ForAll long hi, @ForAll long lo) {
    String id = new UUID(hi, lo).toString();
    assertThat(CompactIds.key(id)).isEqualTo(new CompactIds.Bits(hi, lo));
  }

  @Property(tries = 2000)
  @Label("keys sort exactly as the ids they stand for, bits against bits and against strings")
  void orderAsStrings(@ForAll("ids") String a, @ForAll("ids") String b, @ForAll long hi,
      @ForAll long lo) {
    // Two UUIDs sharing a prefix, so that the low halves and unsigned signs get compared too.
    String c = new UUID(hi, lo).toString();
    String d = new UUID(hi, lo ^ Long.MIN_VALUE).toString();
    for (String[] pair : new String[][] {{a, b}, {a, c}, {c, d}, {d, c}, {c, a}}) {
      int expected = Integer.signum(pair[0].compareTo(pair[1]));
      assertThat(Integer.signum(CompactIds.ORDER.compare(CompactIds.key(pair[0]),
          CompactIds.key(pair[1])))).as("%s vs %s", pair[0], pair[1]).isEqualTo(expected);
    }
  }

  @Provide
  Arbitrary<Identifier> identifiers() {
    Arbitrary<String> upper = Arbitraries.longs().tuple2()
        .map(t -> new UUID(t.get1(), t.get2()).toString().toUpperCase(Locale.ROOT));
    Arbitrary<String> values = Arbitraries.oneOf(ids(), upper).filter(v -> !v.isEmpty()
        && v.length() <= Identifier.MAX_VALUE_LENGTH);
    return Combinators.combine(Arbitraries.of(IdentifierType.ANONYMOUS_ID, IdentifierType.EMAIL,
        IdentifierType.of("pos_terminal")), values).as(Identifier::new);
  }

  @Property(tries = 2000)
  @Label("an identifier's key gives back the identifier with its exact text (upper-case UUIDs"
      + " stay upper case); keys are equal exactly when identifiers are")
  void identifiersRoundTrip(@ForAll("identifiers") Identifier a,
      @ForAll("identifiers") Identifier b) {
    Object ka = CompactIds.key(a);
    Identifier back = CompactIds.identifier(ka);
    assertThat(back).isEqualTo(a);
    assertThat(back.value()).isEqualTo(a.value());
    assertThat(back.type()).isEqualTo(a.type());
    assertThat(ka.equals(CompactIds.key(b))).isEqualTo(a.equals(b));
    assertThat(ka instanceof CompactIds.UuidIdentifier)
        .isEqualTo(a.value().equals(uuidText(a.value())));
    // Same type and bits, another type: never equal.
    Identifier other = new Identifier(a.type().equals(IdentifierType.EMAIL)
        ? IdentifierType.ANONYMOUS_ID : IdentifierType.EMAIL, a.value());
    assertThat(ka).isNotEqualTo(CompactIds.key(other));
  }

  /** {@code v} written back from a parsed UUID, or {@code null} when it is no UUID at all. */
  private static String uuidText(String v) {
    try {
      return UUID.fromString(v).toString();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

package io.cdpkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.identity.IdentityRules;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.WorkspaceId;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Laws of the text rule for identifiers, over strings full of what forgers use: unpaired
 * surrogates, controls, format characters, no-break spaces, combining accents, case variants.
 * Either the identifier is refused, or normalisation is canonical: two identifiers normalise
 * equal exactly when their canonical values (NFC of the trimmed value, lower-cased for e-mail)
 * are equal, and the tombstone hash tells different accepted values apart.
 */
class IdentifierTextProperties {
  static final IdentityRules RULES = IdentityRules.defaults();
  static final Tombstones TOMBS = new Tombstones(new byte[32]);
  static final WorkspaceId WS = WorkspaceId.DEFAULT;
  static final String TRICKY = "\u0000\u0001\t\n\u001F\u007F\u0085\u009B\u00A0\u00AD\u034F"
      + "\u061C\u115F\u180E\u200B\u200C\u200D\u200E\u200F\u2028\u2029\u202A\u202E\u202F\u2060"
      + "\u2066\u2069\u3000\u3164\uFE0F\uFEFF\uFFFE\uD800\uDBFF\uDC00\uDFFF\u0301\u0308"
      + "\u00E9\u00C9\u00DF\u0130\u0131?@.-_ ";

  @Provide
  Arbitrary<String> forged() {
    Arbitrary<Character> c = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.chars().range('a', 'e')),
        Tuple.of(2, Arbitraries.chars().range('A', 'E')),
        Tuple.of(4, Arbitraries.chars().with(TRICKY.toCharArray())),
        Tuple.of(1, Arbitraries.chars().all()));
    return c.list().ofMinSize(1).ofMaxSize(12).map(l -> {
      StringBuilder b = new StringBuilder();
      l.forEach(b::append);
      return b.toString();
    });
  }

  /** Forged values shaped like e-mail addresses: {@code local@domain.tld}. */
  @Provide
  Arbitrary<String> forgedEmails() {
    return forged().flatMap(local -> forged().map(dom -> local + "@" + dom + ".com"));
  }

  @Provide
  Arbitrary<IdentifierType> types() {
    return Arbitraries.of(IdentifierType.EMAIL, IdentifierType.CUSTOMER_ID,
        IdentifierType.ANONYMOUS_ID, IdentifierType.LOYALTY_CARD, IdentifierType.DEVICE_ID,
        IdentifierType.of("crm_id"));
  }

  static Optional<Identifier> norm(IdentifierType t, String v) {
    return RULES.normalize(new Identifier(t, v));
  }

  static String nfc(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFC);
  }

  /** The canonical value the documentation promises, computed independently. */
  static String canonical(IdentifierType t, String v) {
    String s = nfc(v.strip());
    if (t.equals(IdentifierType.EMAIL) || t.equals(IdentifierType.DEVICE_ID)) {
      s = nfc(s.toLowerCase(Locale.ROOT));
    } else if (t.equals(IdentifierType.LOYALTY_CARD)) {
      s = nfc(s.replace(" ", "").replace("-", ""));
    }
    return s;
  }

  @Property(tries = 3000)
  void refusedOrCanonical(@ForAll("types") IdentifierType t, @ForAll("forged") String v) {
    Optional<Identifier> n;
    try {
      n = norm(t, v + "Zq9");
    } catch (InvalidEventException e) {
      assertThat(e.pointer()).isEmpty();
      assertThat(e.getMessage()).doesNotContain("Zq9");
      return;
    }
    v = v + "Zq9";
    if (n.isEmpty()) {
      return; // blocked (a placeholder)
    }
    String value = n.get().value();
    // what was accepted is clean, in NFC, and a fixed point
    assertThat(Text.identifierProblem(value)).isNull();
    assertThat(Normalizer.isNormalized(value, Normalizer.Form.NFC)).isTrue();
    assertThat(Text.isWellFormed(value)).isTrue();
    assertThat(norm(t, value)).contains(n.get());
    assertThat(value).isEqualTo(canonical(t, v));
  }

  @Property(tries = 3000)
  void equalIffCanonicalEqualAndHashesApart(@ForAll("types") IdentifierType t,
      @ForAll("forged") String a, @ForAll("forged") String b) {
    check(t, a, b);
  }

  @Property(tries = 2000)
  void emailsEqualIffCanonicalEqual(@ForAll("forgedEmails") String a,
      @ForAll("forgedEmails") String b) {
    check(IdentifierType.EMAIL, a, b);
  }

  private static void check(IdentifierType t, String a, String b) {
    Optional<Identifier> na;
    Optional<Identifier> nb;
    try {
      na = norm(t, a);
      nb = norm(t, b);
    } catch (InvalidEventException e) {
      return; // one is refused: it can match nothing
    }
    if (na.isEmpty() || nb.isEmpty()) {
      return;
    }
    boolean same = canonical(t, a).equals(canonical(t, b));
    assertThat(na.get().equals(nb.get())).isEqualTo(same);
    String ha = TOMBS.hash(WS, null, na.get());
    String hb = TOMBS.hash(WS, null, nb.get());
    assertThat(ha.equals(hb)).isEqualTo(same);
  }

  @Property(tries = 3000)
  void strictUtf8IsExactOrRefuses(@ForAll("forged") String a, @ForAll("forged") String b) {
    if (!Text.isWellFormed(a)) {
      assertThatThrownBy(() -> Text.utf8(a)).isInstanceOf(IllegalArgumentException.class);
      return;
    }
    assertThat(Text.utf8(a)).isEqualTo(a.getBytes(StandardCharsets.UTF_8));
    if (Text.isWellFormed(b)) {
      assertThat(Arrays.equals(Text.utf8(a), Text.utf8(b))).isEqualTo(a.equals(b));
    }
    assertThat(Arrays.equals(Text.utf16(a), Text.utf16(b))).isEqualTo(a.equals(b));
  }

  @Example
  void regressionLoneSurrogateNeverHashesAsQuestionMark() {
    Identifier real = Identifier.email("gr?ta.q@example.com");
    Identifier forged = Identifier.email("gr\uD800ta.q@example.com");
    assertThatThrownBy(() -> RULES.normalize(forged)).isInstanceOf(InvalidEventException.class)
        .hasMessage("message: holds an unpaired UTF-16 surrogate");
    // behind the door too: the hash refuses rather than folding the surrogate into '?'
    assertThatThrownBy(() -> TOMBS.hash(WS, null, forged))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(TOMBS.hash(WS, null, real)).hasSize(64);
    assertThat(Redaction.shortHash(forged.value()))
        .isNotEqualTo(Redaction.shortHash(real.value()));
  }
}

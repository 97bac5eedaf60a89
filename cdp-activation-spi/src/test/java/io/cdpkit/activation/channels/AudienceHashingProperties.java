package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.activation.channels.AudienceHashing.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

@Label("Audience hashing laws")
class AudienceHashingProperties {
  /** One field of one platform. */
  record Field(Platform platform, String name) {
    @Override
    public String toString() {
      return platform.id() + "." + name;
    }
  }

  private static final Set<String> CUTS = Set.of("f5first", "f5last", "fi");

  @Provide
  Arbitrary<Field> fields() {
    List<Field> all = new ArrayList<>();
    for (Platform p : Platform.values()) {
      for (String f : p.fields()) {
        all.add(new Field(p, f));
      }
    }
    return Arbitraries.of(all);
  }

  @Provide
  Arbitrary<String> emails() {
    Arbitrary<String> local = Arbitraries.strings().withChars("abcdefgxyzABCXYZ0123._+-")
        .ofMinLength(1).ofMaxLength(12).filter(s -> s.charAt(0) != '.');
    Arbitrary<String> domain = Arbitraries.of("example.com", "gmail.com", "googlemail.com",
        "shop.example.nl", "Mail.Example.ORG");
    return Combinators.combine(local, domain).as((l, d) -> l + "@" + d);
  }

  @Provide
  Arbitrary<String> phoneDigits() {
    return Combinators.combine(Arbitraries.integers().between(1, 9),
        Arbitraries.strings().numeric().ofMinLength(7).ofMaxLength(13))
        .as((first, rest) -> first + rest);
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30), emails(),
        phoneDigits().map(d -> "+" + d), phoneDigits().map(d -> "00" + d),
        Arbitraries.of("Ayşe", " Mary Ann ", "O'Brien", "Van der Berg", "1", "09", "12", "1987",
            "NL", "us", "94035-1234", "St. Louis", "F"));
  }

  @Property
  @Label("normalising a normalised value changes nothing")
  void idempotent(@ForAll("fields") Field field, @ForAll("values") String value) {
    String once;
    try {
      once = AudienceHashing.normalize(field.platform(), field.name(), value);
    } catch (IllegalArgumentException rejected) {
      return;
    }
    if (CUTS.contains(field.name()) && once.chars().anyMatch(Character::isWhitespace)) {
      return; // Meta's cuts keep a space inside the cut, as its SDK does.
    }
    assertThat(AudienceHashing.normalize(field.platform(), field.name(), once)).isEqualTo(once);
  }

  @Property
  @Label("the hash is the lower-case hex SHA-256 of the normalised value")
  void hashOfNormalised(@ForAll("fields") Field field, @ForAll("values") String value) {
    String normalized;
    try {
      normalized = AudienceHashing.normalize(field.platform(), field.name(), value);
    } catch (IllegalArgumentException rejected) {
      return;
    }
    String hash = AudienceHashing.hash(field.platform(), field.name(), value);
    assertThat(hash).matches("[0-9a-f]{64}").isEqualTo(AudienceHashing.sha256Hex(normalized));
  }

  @Property
  @Label("an e-mail address hashes the same whatever its case and surrounding space")
  void emailCase(@ForAll("emails") String email, @ForAll Platform platform) {
    String field = platform.emailField();
    String messy = " " + email.toUpperCase(Locale.ROOT) + "\t";
    assertThat(AudienceHashing.hash(platform, field, messy))
        .isEqualTo(AudienceHashing.hash(platform, field, email.toLowerCase(Locale.ROOT)));
  }

  @Property
  @Label("a phone number hashes the same however it is written")
  void phoneFormatting(@ForAll("phoneDigits") String digits, @ForAll Platform platform,
      @ForAll("separators") List<String> separators) {
    StringBuilder messy = new StringBuilder("+");
    for (int i = 0; i < digits.length(); i++) {
      messy.append(digits.charAt(i)).append(separators.get(i % separators.size()));
    }
    String field = platform.phoneField();
    String expected = platform == Platform.GOOGLE_ADS ? "+" + digits : digits;
    assertThat(AudienceHashing.normalize(platform, field, messy.toString().strip()))
        .isEqualTo(expected);
    assertThat(AudienceHashing.normalize(platform, field, "00" + digits)).isEqualTo(expected);
  }

  @Provide
  Arbitrary<List<String>> separators() {
    return Arbitraries.of("", " ", "-", "").list().ofMinSize(1).ofMaxSize(5);
  }

  @Property
  @Label("a refusal never quotes the value")
  void refusalsKeepValuesOut(@ForAll("fields") Field field, @ForAll("values") String value) {
    if (value.strip().length() < 6) {
      return;
    }
    try {
      AudienceHashing.normalize(field.platform(), field.name(), value);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).doesNotContain(value.strip());
    }
  }
}

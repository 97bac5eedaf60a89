package io.cdpkit.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdentityRulesTest {
  final IdentityRules rules = IdentityRules.defaults();

  Optional<Identifier> norm(IdentifierType type, String value) {
    return rules.normalize(Identifier.of(type, value));
  }

  /** Splits one CSV line with double-quoted fields (no escaped quotes in these files). */
  static List<String> csv(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  static List<List<String>> rows(String file) throws IOException {
    Path p = SharedData.dataDir("vectors").resolve(file);
    List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
    return lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank())
        .map(IdentityRulesTest::csv).toList();
  }

  @Nested
  @DisplayName("Phone numbers")
  class Phones {
    @Test
    @DisplayName("every libphonenumber 9.0.43 parse case gives its E.164 form, or is rejected "
        + "when the library finds it invalid")
    void parseCases() throws IOException {
      List<List<String>> rows = rows("libphonenumber_9.0.43_parse_cases.csv");
      assertThat(rows).hasSize(20);
      for (List<String> r : rows) {
        IdentityRules inRegion = IdentityRules.builder().defaultRegion(r.get(1)).build();
        Identifier raw = Identifier.phone(r.get(0));
        if (Boolean.parseBoolean(r.get(3))) {
          assertThat(inRegion.normalize(raw)).as(r.toString())
              .contains(Identifier.phone(r.get(2)));
        } else {
          assertThatThrownBy(() -> inRegion.normalize(raw)).as(r.toString())
              .isInstanceOf(InvalidEventException.class)
              .hasMessageContaining("not a valid phone number");
        }
      }
    }

    @Test
    @DisplayName("every example number of every region, national and international, gives its "
        + "E.164 form")
    void exampleNumbers() throws IOException {
      List<List<String>> rows = rows("libphonenumber_9.0.43_example_numbers.csv");
      assertThat(rows).hasSizeGreaterThan(400);
      for (List<String> r : rows) {
        IdentityRules inRegion = IdentityRules.builder().defaultRegion(r.get(0)).build();
        Identifier expected = Identifier.phone(r.get(4));
        assertThat(inRegion.normalize(Identifier.phone(r.get(2)))).as(r.toString())
            .contains(expected);
        assertThat(rules.normalize(Identifier.phone(r.get(3)))).as(r.toString())
            .contains(expected);
      }
    }

    @Test
    @DisplayName("the default region is NL and can be changed; unknown regions are refused")
    void region() {
      assertThat(norm(IdentifierType.PHONE, "06 12345678")).contains(
          Identifier.phone("+31612345678"));
      assertThatThrownBy(() -> IdentityRules.builder().defaultRegion("XX"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("XX");
    }

    @Test
    @DisplayName("text that is no phone number is rejected without echoing it")
    void garbage() {
      assertThatThrownBy(() -> norm(IdentifierType.PHONE, "call me maybe"))
          .isInstanceOf(InvalidEventException.class)
          .hasMessage("message: is not a phone number");
    }
  }

  @Nested
  @DisplayName("E-mail addresses")
  class Emails {
    @ParameterizedTest
    @CsvSource({
        "' Jane.Doe@Example.COM ', jane.doe@example.com",
        "JANE+shop@gmail.com, jane+shop@gmail.com",
        "ISTANBUL@EXAMPLE.COM.TR, istanbul@example.com.tr",
        "o'brien@example.ie, o'brien@example.ie",
        "user@sub.domain.example, user@sub.domain.example",
        "jürgen@müller.de, jürgen@müller.de"})
    @DisplayName("are trimmed and lower-cased with the root locale (not Turkish dotless i)")
    void normalised(String in, String out) {
      assertThat(norm(IdentifierType.EMAIL, in)).contains(Identifier.email(out));
    }

    @ParameterizedTest
    @ValueSource(strings = {"plainaddress", "@example.com", "jane@", "jane@example",
        "jane@@example.com", "jane doe@example.com", "jane@exa mple.com", ".jane@example.com",
        "jane.@example.com", "ja..ne@example.com", "jane@-example.com", "jane@example..com",
        "jane@example.com.", "a@b@c.com"})
    @DisplayName("that are not addresses are rejected")
    void rejected(String in) {
      assertThatThrownBy(() -> norm(IdentifierType.EMAIL, in))
          .isInstanceOf(InvalidEventException.class)
          .hasMessage("message: is not an e-mail address");
    }
  }

  @Nested
  @DisplayName("Other types")
  class Others {
    @Test
    @DisplayName("cards and POS numbers lose spaces and hyphens; device ids are lower-cased; "
        + "customer and anonymous ids keep their case")
    void normalised() {
      assertThat(norm(IdentifierType.LOYALTY_CARD, " 2900 0012-3456 7 "))
          .contains(Identifier.loyaltyCard("2900001234567"));
      assertThat(norm(IdentifierType.POS_CUSTOMER, "AMS-0042"))
          .contains(Identifier.of(IdentifierType.POS_CUSTOMER, "AMS0042"));
      assertThat(norm(IdentifierType.DEVICE_ID, "6D92078A-8246-4BA4-AE5B-76104861E7DC"))
          .contains(Identifier.of(IdentifierType.DEVICE_ID,
              "6d92078a-8246-4ba4-ae5b-76104861e7dc"));
      assertThat(norm(IdentifierType.CUSTOMER_ID, " Cust-IJ ")).contains(
          Identifier.customerId("Cust-IJ"));
      assertThat(norm(IdentifierType.of("crm_id"), "X1")).contains(
          Identifier.of(IdentifierType.of("crm_id"), "X1"));
    }

    @Test
    @DisplayName("control characters are rejected")
    void control() {
      assertThatThrownBy(() -> norm(IdentifierType.CUSTOMER_ID, "C\t1"))
          .isInstanceOf(InvalidEventException.class).hasMessageContaining("control");
    }
  }

  @Nested
  @DisplayName("Blocked values")
  class Blocked {
    @ParameterizedTest
    @ValueSource(strings = {"   ", "null", "NULL", "undefined", "anonymous", "Unknown",
        "n/a", "none", "nil", "0", "0000000000", "+00 000", "000-000"})
    @DisplayName("placeholders are dropped for every type")
    void placeholders(String value) {
      for (IdentifierType t : List.of(IdentifierType.CUSTOMER_ID, IdentifierType.ANONYMOUS_ID,
          IdentifierType.LOYALTY_CARD, IdentifierType.EMAIL, IdentifierType.PHONE,
          IdentifierType.DEVICE_ID)) {
        assertThat(norm(t, value)).as(t + " " + value).isEmpty();
      }
    }

    @Test
    @DisplayName("test e-mail addresses are dropped, after normalisation")
    void testEmails() {
      assertThat(norm(IdentifierType.EMAIL, " TEST@test.com")).isEmpty();
      assertThat(norm(IdentifierType.EMAIL, "test@example.com")).isEmpty();
      assertThat(norm(IdentifierType.EMAIL, "tester@test.com")).isPresent();
    }

    @Test
    @DisplayName("hosts block exact values and patterns, matched after normalisation")
    void hostAdditions() {
      IdentityRules r = IdentityRules.builder()
          .block(IdentifierType.LOYALTY_CARD, "2900000000017")
          .blockPattern(IdentifierType.EMAIL, ".*@shop\\.example")
          .build();
      assertThat(r.normalize(Identifier.loyaltyCard("2900 0000 0001 7"))).isEmpty();
      assertThat(r.normalize(Identifier.loyaltyCard("2900000000018"))).isPresent();
      assertThat(r.normalize(Identifier.email("Kassa1@Shop.example"))).isEmpty();
      assertThat(r.normalize(Identifier.email("kassa1@shop.example.com"))).isPresent();
      assertThatThrownBy(() -> IdentityRules.builder().blockPattern(IdentifierType.EMAIL, "(["))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not compile");
      // every event's identifiers meet these patterns: only linear-time syntax is taken
      assertThatThrownBy(() -> IdentityRules.builder().blockPattern(IdentifierType.EMAIL,
          "(?!ok).*@shop\\.example")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(?!");
    }
  }

  @Test
  @DisplayName("priorities and limits have the documented defaults and can be changed")
  void prioritiesAndLimits() {
    assertThat(rules.maxPerProfile(IdentifierType.CUSTOMER_ID)).isEqualTo(1);
    assertThat(rules.maxPerProfile(IdentifierType.EMAIL)).isEqualTo(5);
    assertThat(rules.maxPerProfile(IdentifierType.PHONE)).isEqualTo(5);
    assertThat(rules.maxPerProfile(IdentifierType.LOYALTY_CARD)).isEqualTo(3);
    assertThat(rules.maxPerProfile(IdentifierType.ANONYMOUS_ID))
        .isEqualTo(IdentityRules.UNBOUNDED);
    assertThat(rules.maxPerProfile(IdentifierType.DEVICE_ID)).isEqualTo(IdentityRules.UNBOUNDED);
    List<Identifier> ids = new ArrayList<>(List.of(Identifier.anonymousId("a"),
        Identifier.email("e@x.nl"), Identifier.customerId("c"), Identifier.loyaltyCard("1")));
    ids.sort(rules.priorityOrder());
    assertThat(ids).extracting(i -> i.type().id())
        .containsExactly("customer_id", "loyalty_card", "email", "anonymous_id");
    IdentityRules custom = IdentityRules.builder().type(IdentifierType.EMAIL, 200, 1).build();
    assertThat(custom.priority(IdentifierType.EMAIL)).isEqualTo(200);
    assertThatThrownBy(() -> IdentityRules.builder().type(IdentifierType.EMAIL, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
  }
}

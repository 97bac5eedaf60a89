package io.cdpkit.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdentifiersTest {
  @Test
  @DisplayName("TYPE:VALUE with the built-in type ids and short names; the value may hold ':'")
  void parses() {
    assertThat(Identifiers.parse("user:c17850")).isEqualTo(Identifier.customerId("c17850"));
    assertThat(Identifiers.parse("customer_id:c17850"))
        .isEqualTo(Identifier.customerId("c17850"));
    assertThat(Identifiers.parse("email:Jane@X.com")).isEqualTo(Identifier.email("Jane@X.com"));
    assertThat(Identifiers.parse("card:2900 0012 3456 7").type())
        .isEqualTo(IdentifierType.LOYALTY_CARD);
    assertThat(Identifiers.parse("anon:ck:7f3a")).isEqualTo(Identifier.anonymousId("ck:7f3a"));
  }

  @Test
  @DisplayName("bad input is refused saying what is wrong, without repeating the value")
  void refuses() {
    assertThatThrownBy(() -> Identifiers.parse("someone@x.com"))
        .hasMessageStartingWith("IDENTIFIER must be TYPE:VALUE")
        .hasMessageNotContaining("someone");
    assertThatThrownBy(() -> Identifiers.parse("emial:someone@x.com"))
        .hasMessageStartingWith("IDENTIFIER type 'emial' is not known; types: [anon, anonymous_id,")
        .hasMessageNotContaining("someone");
    assertThatThrownBy(() -> Identifiers.parse("email:  "))
        .hasMessage("IDENTIFIER has an empty value after email:");
    assertThatThrownBy(() -> Identifiers.parse(":x")).hasMessageStartingWith("IDENTIFIER must be");
  }
}

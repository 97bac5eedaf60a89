package io.cdpkit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.cdpkit.examples.FakeSmsGateway.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivationTourTest {
  static final String ANA = "+31612345601";
  static final String BEN = "+31612345602";
  static final String CLEO = "+31612345603";

  @Test
  void theGatewayGetsTheConsentedWelcomesAndOneReminder() throws IOException {
    List<Request> requests;
    try (FakeSmsGateway gateway = FakeSmsGateway.start(ActivationTour.API_KEY, 1)) {
      ActivationTour.run(new PrintStream(new ByteArrayOutputStream(), true,
          StandardCharsets.UTF_8), gateway);
      requests = gateway.requests();
    }

    // Ana's welcome is throttled once and retried; Ben's welcome; Ana's first reminder. Nothing
    // for Cleo (no SMS consent) or Dev (no phone), no reminder for Ben (he ordered), no second
    // reminder for Ana (the cap).
    assertThat(requests).extracting(Request::to, Request::status).containsExactly(
        tuple(ANA, 429), tuple(ANA, 200), tuple(BEN, 200), tuple(ANA, 200));
    assertThat(requests.get(0).text()).isEqualTo(
        "Welcome to the club, Ana! Show your card at the till for 10% off.");
    assertThat(requests.get(2).text()).startsWith("Welcome to the club, Ben!");
    assertThat(requests.get(3).text())
        .isEqualTo("Ana, your cart is still waiting: https://shop.example/cart/A-1");
    assertThat(requests.get(1).reference()).isEqualTo(requests.get(0).reference())
        .startsWith("welcome:");
    assertThat(requests.get(3).reference()).startsWith("cart-reminder:");
    assertThat(requests.stream().map(Request::reference).distinct()).hasSize(3);
    assertThat(requests).allSatisfy(r ->
        assertThat(r.authorization()).isEqualTo("Bearer " + ActivationTour.API_KEY));
  }

  @Test
  void theHistorySaysWhatWasSentAndWhyTheRestWasNot() throws IOException {
    String out;
    try (FakeSmsGateway gateway = FakeSmsGateway.start(ActivationTour.API_KEY, 1)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ActivationTour.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), gateway);
      out = bytes.toString(StandardCharsets.UTF_8);
    }

    assertThat(out).contains("Channel providers found: [").contains("sms-gateway");
    assertThat(out).contains("""
          Ana   09:00  welcome        failed      HTTP 429
                09:02  welcome        delivered   gateway id gw-1
                11:05  cart-reminder  delivered   gateway id gw-3
                13:00  cart-reminder  suppressed  frequency-cap:2/PT168H
          Ben   09:02  welcome        delivered   gateway id gw-2
                11:05  cart-reminder  suppressed  recheck:event-since:Order Completed
          Cleo  09:04  welcome        suppressed  no-consent
                11:05  cart-reminder  suppressed  no-consent
          Dev   09:06  welcome        suppressed  no-address:[phone]
        """);
    assertThat(out).contains("gateway <- +31*******01 ").contains("gateway <- +31*******02 ");
    assertThat(out).doesNotContain(ANA, BEN, CLEO, "12345601", "12345602", "12345603");
  }

  @Test
  void maskKeepsTheCountryPrefixAndTheLastTwoDigits() {
    assertThat(ActivationTour.mask(ANA)).isEqualTo("+31*******01");
    assertThat(ActivationTour.mask("+1234")).isEqualTo("*****");
  }
}

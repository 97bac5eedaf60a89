package io.cdpkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RetailPictureTourTest {
  @Test
  void everyTouchpointReachesTheProfile() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RetailPictureTour.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out).contains("while the call is open: open contacts 1, last reason late delivery");
    assertThat(out).contains("orders 1, spend 89.90 EUR");
    assertThat(out).contains("country PT, city Lisboa");
    // 640 earned at the till, 200 redeemed online; gold from 500 points earned.
    assertThat(out).contains("card: balance 440, tier gold, next expiry 440 points at "
        + "2027-03-03T09:00:00Z");
    // The phone visit, and the webshop's redemption a week later (an event of channel web).
    assertThat(out).contains("web: visits 2, first touch newsletter / email, device mobile, "
        + "searched [linen dress]");
    assertThat(out).contains("service: open contacts 0, last contact by phone");
    assertThat(out).contains("e-mail addresses 2, written to: ana@silva.example");
    assertThat(out).contains("a year on: card balance 0");
    // The feed came after the order and the view, which named only skus.
    assertThat(out).contains("catalog feed: 2 products stored, line 3 refused: /price must be a "
        + "number of 0 or more");
    assertThat(out).contains("catalog: brands bought [Lino], newest product viewed created "
        + "2026-02-20T00:00:00Z; new since February: [D-21 (out of stock)]");
  }
}

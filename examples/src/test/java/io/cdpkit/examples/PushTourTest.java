package io.cdpkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PushTourTest {
  @Test
  void onlyTheDeviceWithConsentGetsThePush() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PushTour.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out).contains("FCM got /v1/projects/shop-app/messages:send");
    assertThat(out).contains("\"token\":\"cX1:APA91bPhone_Token-Of-Ana\"");
    assertThat(out).contains("\"body\":\"Linen scarf is back, Ana\"");
    assertThat(out).doesNotContain("Tablet_Token");
    assertThat(out.lines().filter(l -> l.startsWith("FCM got")).count()).isEqualTo(1);
    assertThat(out).contains("Ana: delivered via push");
    assertThat(out).contains("Ana's profile holds 2 push tokens");
  }
}

package io.cdpkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrackingTourTest {
  @Test
  void theTourStoresWhatTheClientsSendAndRefusesABadKey() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TrackingTour.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out).contains("200 {\"success\":true,\"stored\":2,\"duplicates\":0,"
        + "\"rejected\":1,\"erased\":0,\"errors\":[{\"index\":2,\"messageId\":\"s-3\","
        + "\"field\":\"/event\"");
    assertThat(out).contains("\"warnings\":[{\"index\":1,\"messageId\":\"s-2\","
        + "\"field\":\"/properties/revenue\",\"kind\":\"NUMBER_FROM_TEXT\"}]");
    assertThat(out).contains("200 {\"success\":true,\"stored\":1,");
    assertThat(out).contains("401 {\"success\":false,\"error\":{\"field\":\"\","
        + "\"reason\":\"write key is missing or unknown\"}}");
    assertThat(out).contains("Jane: 1 order(s), 89.90 EUR");
    assertThat(out).contains("page=1");
  }
}

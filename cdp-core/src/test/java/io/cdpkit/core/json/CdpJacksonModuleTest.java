package io.cdpkit.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.Identifier;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The module in a host's own, default-configured mapper. */
class CdpJacksonModuleTest {
  private final ObjectMapper mapper =
      JsonMapper.builder().addModule(new CdpJacksonModule()).build();

  private final Event event = Event.track("Order Completed").messageId("m-1").userId("u-1")
      .identifier(Identifier.email("a@b.co")).property("total", new BigDecimal("19.99"))
      .consent("marketing", "email", true).channel("pos").storeId("ams-01").build();

  @Test
  void eventsRoundTripAndMatchTheCodec() throws Exception {
    String json = mapper.writeValueAsString(event);
    assertThat(mapper.readValue(json, Event.class)).isEqualTo(event);
    assertThat(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(EventCodec.create().encode(event));
    List<Event> list = mapper.readValue(mapper.writeValueAsString(List.of(event, event)),
        new TypeReference<List<Event>>() {});
    assertThat(list).containsExactly(event, event);
  }

  @Test
  void containedTypesRoundTrip() throws Exception {
    Identifier id = Identifier.loyaltyCard("2900012345678");
    assertThat(mapper.writeValueAsString(id))
        .isEqualTo("{\"id\":\"2900012345678\",\"type\":\"loyalty_card\"}");
    assertThat(mapper.readValue(mapper.writeValueAsString(id), Identifier.class)).isEqualTo(id);
    ConsentChange consent = new ConsentChange("analytics", "web", false);
    assertThat(mapper.readValue(mapper.writeValueAsString(consent), ConsentChange.class))
        .isEqualTo(consent);
    EventContext context = EventContext.builder().channel("web").locale("tr-TR")
        .library("analytics-java", "3.5.4").device(Map.of("type", "ios"))
        .other(Map.of("instanceId", "i-1")).build();
    assertThat(mapper.readValue(mapper.writeValueAsString(context), EventContext.class))
        .isEqualTo(context);
    assertThatThrownBy(() -> mapper.readValue("{\"externalIds\":[]}", EventContext.class))
        .isInstanceOf(InvalidEventException.class)
        .extracting(e -> ((InvalidEventException) e).pointer()).isEqualTo("/externalIds");
  }

  @Test
  void rulesHoldWhateverTheHostMapperSettings() {
    // Exact decimals without USE_BIG_DECIMAL_FOR_FLOATS.
    assertThat(readEvent("{\"type\":\"track\",\"messageId\":\"m\",\"userId\":\"u\","
        + "\"event\":\"E\",\"properties\":{\"total\":0.1}}").properties().get("total"))
        .isEqualTo(new BigDecimal("0.1"));
    // Duplicate keys without STRICT_DUPLICATE_DETECTION.
    assertThatThrownBy(() -> mapper.readValue("{\"type\":\"track\",\"messageId\":\"m\","
        + "\"userId\":\"u\",\"userId\":\"SECRET-VALUE-123\",\"event\":\"E\"}", Event.class))
        .isInstanceOf(InvalidEventException.class).hasMessage("/userId: is a duplicate key");
    // Nesting depth.
    assertThatThrownBy(() -> mapper.readValue("{\"type\":\"track\",\"messageId\":\"m\","
        + "\"userId\":\"u\",\"event\":\"E\",\"properties\":" + "[".repeat(40) + "]".repeat(40)
        + "}", Event.class))
        .isInstanceOf(InvalidEventException.class)
        .extracting(e -> ((InvalidEventException) e).pointer())
        .isEqualTo("/properties" + "/0".repeat(31));
  }

  private Event readEvent(String json) {
    try {
      return mapper.readValue(json, Event.class);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}

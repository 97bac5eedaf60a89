package io.cdpkit.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.InvalidEventException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one text rule at the door, and the nesting ceiling, on events built in Java. */
class TextRuleTest {
  static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  static final String SECRET = "S3CRET";

  static Event.Builder page() {
    return Event.page("Home").messageId("m-1").anonymousId("a-1").timestamp(T);
  }

  static Stream<Arguments> badFields() {
    List<Arguments> out = new ArrayList<>();
    for (String bad : List.of("\u0000", "\u0001", "\u001F", "\u007F", "\u0085", "\u009B", "\t",
        "\n", "\r", "\uD800", "\uDBFF", "\uDC00", "\uDFFF")) {
      String v = "x" + bad + SECRET;
      String code = String.format("U+%04X", (int) bad.charAt(0));
      out.add(Arguments.of(code + " in messageId", "/messageId",
          (Supplier<Event>) () -> Event.page("Home").messageId(v).anonymousId("a").timestamp(T)
              .build()));
      out.add(Arguments.of(code + " in userId", "/userId",
          (Supplier<Event>) () -> page().userId(v).build()));
      out.add(Arguments.of(code + " in anonymousId", "/anonymousId",
          (Supplier<Event>) () -> Event.page("Home").messageId("m").anonymousId(v).timestamp(T)
              .build()));
      out.add(Arguments.of(code + " in previousId", "/previousId",
          (Supplier<Event>) () -> Event.alias(v).messageId("m").userId("u").timestamp(T)
              .build()));
      out.add(Arguments.of(code + " in groupId", "/groupId",
          (Supplier<Event>) () -> Event.group(v).messageId("m").userId("u").timestamp(T)
              .build()));
      out.add(Arguments.of(code + " in a track's event name", "/event",
          (Supplier<Event>) () -> Event.track(v).messageId("m").userId("u").timestamp(T)
              .build()));
      out.add(Arguments.of(code + " in a page name", "/name",
          (Supplier<Event>) () -> Event.page(v).messageId("m").userId("u").timestamp(T)
              .build()));
      out.add(Arguments.of(code + " in an external id", "/context/externalIds/1/id",
          (Supplier<Event>) () -> page().identifier(IdentifierType.LOYALTY_CARD, "123")
              .identifier(IdentifierType.EMAIL, v).build()));
      out.add(Arguments.of(code + " in a property key", "/properties",
          (Supplier<Event>) () -> page().property(v, "ok").build()));
      out.add(Arguments.of(code + " in a nested trait key", "/traits/a/0",
          (Supplier<Event>) () -> page().trait("a", List.of(Map.of(v, 1L))).build()));
      out.add(Arguments.of(code + " in an extra key", "",
          (Supplier<Event>) () -> page().extra(v, 1L).build()));
      out.add(Arguments.of(code + " in context.storeId", "/context/storeId",
          (Supplier<Event>) () -> page().storeId(v).build()));
      out.add(Arguments.of(code + " in context.userAgent", "/context/userAgent",
          (Supplier<Event>) () -> page().context(EventContext.builder().userAgent(v).build())
              .build()));
      out.add(Arguments.of(code + " in a context.device key", "/context/device",
          (Supplier<Event>) () -> page().context(EventContext.builder()
              .device(Map.of(v, "x")).build()).build()));
      out.add(Arguments.of(code + " in a consent source", "/source",
          (Supplier<Event>) () -> page().consent(ConsentChange.builder("marketing", "email",
              true).source(v).build()).build()));
      if (!bad.equals("\t") && !bad.equals("\n") && !bad.equals("\r")) {
        out.add(Arguments.of(code + " in a property value", "/properties/note",
            (Supplier<Event>) () -> page().property("note", v).build()));
        out.add(Arguments.of(code + " in a list in a trait value", "/traits/a/1/b",
            (Supplier<Event>) () -> page().trait("a", List.of(1L, Map.of("b", v))).build()));
        out.add(Arguments.of(code + " in a context.campaign value", "/context/campaign/name",
            (Supplier<Event>) () -> page().context(EventContext.builder()
                .campaign(Map.of("name", v)).build()).build()));
        out.add(Arguments.of(code + " in an extra value", "/integrations",
            (Supplier<Event>) () -> page().extra("integrations", v).build()));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFields")
  @DisplayName("an unpaired surrogate or a control character is refused naming the field,"
      + " without quoting the value")
  void refused(String what, String pointer, Supplier<Event> build) {
    assertThatThrownBy(build::get).isInstanceOfSatisfying(InvalidEventException.class, e -> {
      assertThat(e.pointer()).isEqualTo(pointer);
      assertThat(e.reason()).containsAnyOf("control character", "unpaired UTF-16 surrogate");
      assertThat(e.getMessage()).doesNotContain(SECRET);
      assertThat(e.getMessage().getBytes(StandardCharsets.UTF_8))
          .isEqualTo(new String(e.getMessage().getBytes(StandardCharsets.UTF_8),
              StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
    });
  }

  @Test
  @DisplayName("free-text values keep tab, line feed and carriage return; a surrogate pair is fine"
      + " everywhere")
  void freeText() {
    Event e = page().property("review", "line 1\r\n\tline 2 \uD83D\uDE00")
        .userId("C-\uD83D\uDE00").name("Caf\u00E9 \uD83C\uDF89").build();
    assertThat(e.properties().get("review")).isEqualTo("line 1\r\n\tline 2 \uD83D\uDE00");
  }

  @Test
  @DisplayName("regression: a NUL in a messageId or event name (which failed the whole commit on"
      + " PostgreSQL) is refused before ingest")
  void nulRegression() {
    assertThatThrownBy(() -> Event.track("Order\u0000Completed").messageId("m").userId("u")
        .timestamp(T).build()).isInstanceOf(InvalidEventException.class)
        .hasMessage("/event: holds a control character");
    assertThatThrownBy(() -> Event.track("Order").messageId("m\u0000").userId("u")
        .timestamp(T).build()).isInstanceOf(InvalidEventException.class)
        .hasMessage("/messageId: holds a control character");
  }

  // ---------------------------------------------------------------- nesting depth

  static Map<String, Object> nested(int levels) {
    Map<String, Object> leaf = new HashMap<>();
    leaf.put("v", 1L);
    Map<String, Object> m = leaf;
    for (int i = 1; i < levels; i++) {
      Map<String, Object> up = new HashMap<>();
      up.put("k", i % 2 == 0 ? m : List.of(m));
      m = up;
    }
    return m;
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 65, 1_200, 10_000, 100_000})
  @DisplayName("regression: properties nested 10,000 deep in Java threw StackOverflowError;"
      + " beyond the ceiling of 64 levels they are refused naming the first container too deep")
  void deepJavaValues(int levels) {
    // properties is level 2: a value of `levels` containers reaches level levels + 1
    Map<String, Object> deep = nested(levels / 2 + 1);
    int reach = 2 + JsonValuesDepth.height(deep);
    if (reach <= 64) {
      assertThatCode(() -> page().property("p", deep).build()).doesNotThrowAnyException();
      return;
    }
    assertThatThrownBy(() -> page().property("p", deep).build())
        .isInstanceOfSatisfying(InvalidEventException.class, e -> {
          assertThat(e.reason()).isEqualTo("nests deeper than 64 levels");
          assertThat(e.pointer()).startsWith("/properties/p/k/");
          // the pointer names a container at level 65: 63 steps below /properties (level 2)
          assertThat(e.pointer().split("/", -1)).hasSize(1 + 1 + 63);
        });
  }

  @Test
  @DisplayName("a map that contains itself is refused, not a stack overflow")
  void cyclic() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("self", m);
    assertThatThrownBy(() -> page().trait("loop", m).build())
        .isInstanceOf(InvalidEventException.class)
        .hasMessageStartingWith("/traits/loop/self/self");
  }

  @Test
  @DisplayName("events built in Java meet the codec's nesting limit (default 32) at ingest, as"
      + " JSON messages do; the rest of the batch is stored")
  void javaEventsMeetTheCodecLimit() {
    Map<String, Object> ok = nestedMaps(30); // properties (2) + 30 = level 32
    Map<String, Object> tooDeep = nestedMaps(31);
    try (Cdp cdp = Cdp.builder().build()) {
      BatchResult r = cdp.ingest(List.of(
          page().property("p", ok).build(),
          Event.page("Home").messageId("m-2").anonymousId("a-1").timestamp(T)
              .property("p", tooDeep).build(),
          Event.page("Home").messageId("m-3").anonymousId("a-1").timestamp(T).build()));
      assertThat(r.results()).extracting(IngestResult::status).containsExactly(
          IngestResult.Status.STORED, IngestResult.Status.REJECTED, IngestResult.Status.STORED);
      InvalidEventException e = r.results().get(1).error();
      assertThat(e.reason()).isEqualTo("nests deeper than 32 levels");
      assertThat(e.pointer()).isEqualTo("/properties/p" + "/k".repeat(30));

      String json = "{\"type\":\"page\",\"messageId\":\"j-1\",\"anonymousId\":\"a-1\","
          + "\"properties\":{\"p\":" + "{\"k\":".repeat(31) + "1" + "}".repeat(31) + "}}";
      InvalidEventException j = cdp.ingestJson(json.getBytes(StandardCharsets.UTF_8))
          .results().get(0).error();
      assertThat(j.pointer()).isEqualTo(e.pointer());
      assertThat(cdp.profiles().find(Identifier.anonymousId("a-1")).orElseThrow()).isNotNull();
    }
  }

  /** {@code n} maps nested in one another under key {@code k}. */
  static Map<String, Object> nestedMaps(int n) {
    Map<String, Object> m = new HashMap<>();
    m.put("k", 1L);
    for (int i = 1; i < n; i++) {
      Map<String, Object> up = new HashMap<>();
      up.put("k", m);
      m = up;
    }
    return m;
  }

  /** Height of a plain Java value, iteratively (the test must not overflow either). */
  static final class JsonValuesDepth {
    static int height(Object v) {
      int h = 0;
      Object cur = v;
      while (cur instanceof Map<?, ?> || cur instanceof List<?>) {
        h++;
        cur = cur instanceof Map<?, ?> m ? m.values().stream()
            .filter(x -> x instanceof Map || x instanceof List).findFirst().orElse(null)
            : ((List<?>) cur).get(0);
      }
      return h;
    }
  }
}

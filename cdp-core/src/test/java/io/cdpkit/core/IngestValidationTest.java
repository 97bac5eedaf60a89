package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventType;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IngestValidationTest {
  static final Instant T = Instant.parse("2026-02-02T02:02:02Z");
  static final String SECRET = "SECRET-VALUE-123";

  static Event.Builder order() {
    return Event.track("Order Completed").messageId("bad").userId("C-bad").timestamp(T);
  }

  static Stream<Arguments> invalidEvents() {
    return Stream.of(
        // (An unusable e-mail or phone trait no longer rejects the event: it is dropped with a
        // warning, see IngestDoorTest.)
        Arguments.of("phone identifier that is no number", "/context/externalIds/0/id",
            (Supplier<Event>) () -> Event.page("Home").messageId("bad")
                .identifier(IdentifierType.PHONE, SECRET).timestamp(T).build()),
        Arguments.of("identifier with an invisible character", "/anonymousId",
            (Supplier<Event>) () -> Event.page("Home").messageId("bad")
                .anonymousId("a\u200B" + SECRET).timestamp(T).build()),
        Arguments.of("order total that is not a number", "/properties/total",
            (Supplier<Event>) () -> order().property("total", SECRET).build()),
        Arguments.of("order total beyond the largest amount", "/properties/total",
            (Supplier<Event>) () -> order().property("total", new BigDecimal("1000000000000.01"))
                .property("currency", "EUR").build()),
        Arguments.of("order total of 1e2147483647", "/properties/total",
            (Supplier<Event>) () -> order().property("total", new BigDecimal("1e2147483647"))
                .build()),
        Arguments.of("timestamp beyond the year 9999", "/timestamp",
            (Supplier<Event>) () -> Event.page("Home").messageId("bad").userId("C-bad")
                .timestamp(Instant.MAX).build()),
        Arguments.of("negative order total", "/properties/revenue",
            (Supplier<Event>) () -> order().property("revenue", new BigDecimal("-1")).build()),
        Arguments.of("unknown currency", "/properties/currency",
            (Supplier<Event>) () -> order().property("total", 5L).property("currency", "XYZ")
                .build()),
        Arguments.of("order id that is neither string nor number", "/properties/order_id",
            (Supplier<Event>) () -> order().property("order_id", List.of(SECRET)).build()),
        Arguments.of("event over 256 KB as JSON", "",
            (Supplier<Event>) () -> Event.page("Home").messageId("bad").anonymousId("a-bad")
                .property("blob", "x".repeat(270_000)).timestamp(T).build()),
        Arguments.of("refund without order id", "/properties/order_id",
            (Supplier<Event>) () -> Event.track("Order Refunded").messageId("bad")
                .userId("C-bad").timestamp(T).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidEvents")
  @DisplayName("an invalid event is rejected naming the field, and nothing of it is stored")
  void rejectedAndNothingStored(String rule, String pointer, Supplier<Event> bad) {
    try (Cdp cdp = Cdp.builder().build()) {
      Event good1 = Event.identify().messageId("ok-1").userId("C-1").timestamp(T).build();
      Event good2 = Event.page("Home").messageId("ok-2").userId("C-1").timestamp(T).build();

      BatchResult r = cdp.ingest(List.of(good1, bad.get(), good2));

      assertThat(r.results()).extracting(IngestResult::status).containsExactly(
          IngestResult.Status.STORED, IngestResult.Status.REJECTED, IngestResult.Status.STORED);
      InvalidEventException error = r.results().get(1).error();
      assertThat(error.pointer()).isEqualTo(pointer);
      assertThat(error.getMessage()).doesNotContain(SECRET);
      assertThat(r.results().get(1).messageId()).isEqualTo("bad");
      assertThat(cdp.profiles().eventCounts()).containsOnly(
          java.util.Map.entry("identify", 1L), java.util.Map.entry("page", 1L));
      assertThat(cdp.profiles().find(Identifier.customerId("C-bad"))).isEmpty();
      assertThat(cdp.profiles().find(Identifier.anonymousId("a-bad"))).isEmpty();

      // The single-event call throws the same error and stores nothing either.
      assertThatThrownBy(() -> cdp.ingest(bad.get()))
          .isInstanceOfSatisfying(InvalidEventException.class,
              e -> assertThat(e.pointer()).isEqualTo(pointer));
      assertThat(cdp.profiles().eventCounts().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(2);
    }
  }

  static Stream<Arguments> unbuildableEvents() {
    return Stream.of(
        Arguments.of("/messageId", (Supplier<Event>) () -> Event.page("x").userId("u").build()),
        Arguments.of("/messageId", (Supplier<Event>) () ->
            Event.page("x").messageId("x".repeat(201)).userId("u").build()),
        Arguments.of("/event", (Supplier<Event>) () ->
            Event.builder(EventType.TRACK).messageId("m").userId("u").build()),
        Arguments.of("/previousId", (Supplier<Event>) () ->
            Event.builder(EventType.ALIAS).messageId("m").userId("u").build()),
        Arguments.of("/userId", (Supplier<Event>) () ->
            Event.alias("a-1").messageId("m").build()),
        Arguments.of("/groupId", (Supplier<Event>) () ->
            Event.builder(EventType.GROUP).messageId("m").userId("u").build()),
        Arguments.of("/userId", (Supplier<Event>) () -> Event.page("x").messageId("m").build()),
        Arguments.of("/userId", (Supplier<Event>) () ->
            Event.page("x").messageId("m").userId(SECRET.repeat(50)).build()),
        Arguments.of("/purpose", (Supplier<Event>) () ->
            Event.page("x").messageId("m").userId("u").consent("Marketing!", "email", true)
                .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unbuildableEvents")
  @DisplayName("an event that breaks a rule of its own cannot be built, and the error names the "
      + "field")
  void unbuildable(String pointer, Supplier<Event> bad) {
    assertThatThrownBy(bad::get).isInstanceOfSatisfying(InvalidEventException.class, e -> {
      assertThat(e.pointer()).isEqualTo(pointer);
      assertThat(e.getMessage()).doesNotContain(SECRET);
    });
  }

  @Test
  @DisplayName("an event built in Java just under 256 KB as JSON is accepted (the size is "
      + "measured exactly when the cheap bound is over the limit)")
  void justUnderTheLimit() {
    try (Cdp cdp = Cdp.builder().build()) {
      IngestResult r = cdp.ingest(Event.page("Home").messageId("big").userId("C-1")
          .property("blob", "x".repeat(262_000)).timestamp(T).build());
      assertThat(r.status()).isEqualTo(IngestResult.Status.STORED);
    }
  }

  @Test
  @DisplayName("a messageId repeated inside one batch is stored once")
  void duplicateInsideBatch() {
    try (Cdp cdp = Cdp.builder().build()) {
      Event e = Event.page("Home").messageId("same").userId("C-1").timestamp(T).build();
      BatchResult r = cdp.ingest(List.of(e, e));
      assertThat(r.results()).extracting(IngestResult::status)
          .containsExactly(IngestResult.Status.STORED, IngestResult.Status.DUPLICATE);
      assertThat(r.results().get(1).profileId()).isEqualTo(r.results().get(0).profileId());
      assertThat(cdp.profiles().eventCounts()).containsEntry("page", 1L);
    }
  }
}

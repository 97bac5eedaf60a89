package io.cdpkit.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.BatchResult;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.IngestResult;
import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import io.cdpkit.core.model.LedgerEntry;
import io.cdpkit.core.model.Money;
import io.cdpkit.core.model.Profile;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdpOnJdbcTest {
  static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  static List<Event> story() {
    return List.of(
        Event.identify().messageId("s1").anonymousId("ck-1").userId("C-1")
            .trait("email", "Jane@Example.com").timestamp(T).build(),
        Event.track("Order Completed").messageId("s2").userId("C-1")
            .property("order_id", "W-1").property("total", new BigDecimal("89.90"))
            .property("currency", "EUR").channel(Channels.WEB).timestamp(T.plusSeconds(60))
            .build(),
        Event.track("Order Completed").messageId("s3")
            .identifier(IdentifierType.LOYALTY_CARD, "2900 0012 3456 7")
            .property("order_id", "R-1").property("total", new BigDecimal("59.90"))
            .property("currency", "EUR").channel(Channels.POS).storeId("ams-01")
            .timestamp(T.plusSeconds(120)).build(),
        Event.identify().messageId("s4").userId("C-1")
            .identifier(IdentifierType.LOYALTY_CARD, "2900001234567")
            .timestamp(T.plusSeconds(180)).build());
  }

  @Test
  @DisplayName("profiles, ledger and idempotency survive closing and reopening an H2 file store")
  void survivesRestart(@TempDir Path dir) {
    String id;
    try (JdbcStore store = JdbcStore.h2File(dir);
        Cdp cdp = Cdp.builder().store(store).build()) {
      BatchResult r = cdp.ingest(story());
      assertThat(r.stored()).isEqualTo(4);
      id = r.results().get(3).profileId().value();
    }
    try (JdbcStore store = JdbcStore.h2File(dir);
        Cdp cdp = Cdp.builder().store(store).build()) {
      Profile p = cdp.profiles().find(Identifier.email("jane@example.com")).orElseThrow();
      assertThat(p.id().value()).isEqualTo(id);
      assertThat(p.identifiers()).hasSize(4);
      assertThat(p.totalSpend()).containsEntry("EUR", Money.of(14980, "EUR"));
      assertThat(cdp.profiles().ledger(p.id()))
          .anySatisfy(e -> assertThat(e.kind()).isEqualTo(LedgerEntry.Kind.MERGED));
      assertThat(cdp.profiles().events(p.id())).extracting(Event::messageId)
          .containsExactly("s1", "s2", "s3", "s4");
      assertThat(cdp.ingest(story().get(1)).status()).isEqualTo(IngestResult.Status.DUPLICATE);
    }
  }

  @Test
  @DisplayName("the same story gives the same profile on the JDBC store as in memory")
  void sameAsInMemory() {
    try (JdbcStore store = JdbcStore.h2InMemory("same-as-memory");
        Cdp onJdbc = Cdp.builder().store(store).build();
        Cdp inMemory = Cdp.builder().build()) {
      onJdbc.ingest(story());
      inMemory.ingest(story());
      Profile a = onJdbc.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      Profile b = inMemory.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      assertThat(a.identifiers()).isEqualTo(b.identifiers());
      assertThat(a.state()).isEqualTo(b.state());
    }
  }
}

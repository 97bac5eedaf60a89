package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JsonIngestTest {
  static final Instant NOW = Instant.parse("2026-11-22T13:10:00Z");
  final Cdp cdp = Cdp.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();

  static byte[] gzip(byte[] in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(in);
    }
    return out.toByteArray();
  }

  @Test
  @DisplayName("every captured client request, plain and gzipped, is stored whole and builds "
      + "the expected profiles")
  void capturedClients() throws IOException {
    Path dir = SharedData.dataDir("clients");
    ObjectMapper mapper = new ObjectMapper();
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSize(5);
    long events = 0;
    for (Path f : files) {
      JsonNode body = mapper.readTree(f.toFile()).get("body");
      byte[] bytes = mapper.writeValueAsBytes(body);
      BatchResult r = cdp.ingestJson(f.toString().contains("rudder") ? gzip(bytes) : bytes);
      assertThat(r.rejected()).as(f.toString()).isZero();
      assertThat(r.stored()).as(f.toString()).isEqualTo(body.get("batch").size());
      events += r.stored();
      // The same body again is a no-op.
      assertThat(cdp.ingestJson(bytes).duplicates()).isEqualTo(r.stored());
    }
    assertThat(events).isEqualTo(8);

    // Corrected for clock skew against the server's receipt time, the Segment Java identify
    // (u-1) and the RudderStack Java identify (u-2) of Jane.Doe@Example.com both happened at
    // NOW - 43 ms; the tie goes to the smaller messageId (RudderStack's), so the e-mail links to
    // u-2 and both of u-1's claims on it are recorded conflicts (one customer id per profile).
    Profile u2 = cdp.profiles().find(Identifier.customerId("u-2")).orElseThrow();
    assertThat(u2.identifiers()).containsExactlyInAnyOrder(Identifier.customerId("u-2"),
        Identifier.email("jane.doe@example.com"), Identifier.email("a@b.co"));
    // RudderStack Node's a@b.co (NOW - 1 ms) is the later trait write.
    assertThat(u2.trait("email")).contains("a@b.co");
    Profile u1 = cdp.profiles().find(Identifier.customerId("u-1")).orElseThrow();
    assertThat(u1.identifiers()).containsExactly(Identifier.customerId("u-1"));
    assertThat(cdp.profiles().ledger(u1.id()))
        .filteredOn(e -> e.kind() == io.cdpkit.core.model.LedgerEntry.Kind.CONFLICT)
        .extracting(io.cdpkit.core.model.LedgerEntry::messageId)
        .containsExactlyInAnyOrder("bc091007-5dfb-4aa9-80a1-a80a9c9e68d7",
            "node-next-1795352925983-f2c276dc-fe86-45be-8e69-b1c1cdf8b6a2");
    // Both Segment clients reported order o-1 for u-1: it counts once.
    assertThat(u1.eventCounts()).containsEntry("identify", 2L)
        .containsEntry("Order Completed", 2L);
    assertThat(u1.orderCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("a bad message in a JSON batch is rejected alone, naming its field")
  void badMessageInBatch() {
    String body = """
        {"batch": [
          {"type": "identify", "messageId": "j1", "userId": "C-1", "traits": {"email": "x@y.nl"}},
          {"type": "track", "messageId": "j2", "userId": "C-1", "timestamp": "yesterday",
           "event": "Order Completed"},
          {"type": "page", "messageId": "j3", "userId": "C-1", "name": "Home"}
        ], "sentAt": "2026-11-22T13:09:59Z"}""";
    BatchResult r = cdp.ingestJson(body.getBytes(StandardCharsets.UTF_8));
    assertThat(r.results()).extracting(IngestResult::status).containsExactly(
        IngestResult.Status.STORED, IngestResult.Status.REJECTED, IngestResult.Status.STORED);
    assertThat(r.results().get(1).error().pointer()).isEqualTo("/timestamp");
    assertThat(r.results().get(1).messageId()).isEqualTo("j2");
    assertThat(cdp.profiles().eventCounts()).doesNotContainKey("Order Completed");
  }

  @Test
  @DisplayName("the server stamps receivedAt; a client's claim does not move event time")
  void receivedAtIsTheServers() {
    String body = """
        {"type": "track", "messageId": "r1", "userId": "C-1", "event": "Clicked",
         "originalTimestamp": "2026-11-22T13:00:00Z", "sentAt": "2026-11-22T13:00:10Z",
         "receivedAt": "2020-01-01T00:00:00Z"}""";
    cdp.ingestJson(body.getBytes(StandardCharsets.UTF_8));
    Profile p = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
    Event e = cdp.profiles().events(p.id()).get(0);
    assertThat(e.receivedAt()).isEqualTo(NOW);
    assertThat(e.eventTime()).isEqualTo(NOW.minusSeconds(10));
    assertThat(p.lastSeen()).contains(NOW.minusSeconds(10));
  }

  @Test
  @DisplayName("an unreadable body is refused as a whole and stores nothing")
  void unreadableBody() {
    assertThatThrownBy(() -> cdp.ingestJson("{\"batch\": [".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidEventException.class);
    assertThat(cdp.profiles().eventCounts()).isEmpty();
  }
}

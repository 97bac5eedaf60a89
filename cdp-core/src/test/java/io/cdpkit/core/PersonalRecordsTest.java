package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.PersonalRecords;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.core.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The records modules keep of a person take part in her export and erasure through
 * {@link PersonalRecords}, found on the class path: {@link Recorder} is registered in this
 * module's test resources and does nothing unless a test of this class switches it on.
 */
class PersonalRecordsTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BOB_EMAIL = "bob.first@example.com";

  /** A module's records of a person, as a test sees them; inert unless {@link #active}. */
  public static final class Recorder implements PersonalRecords {
    static volatile boolean active;
    static final List<Set<ProfileId>> exported = Collections.synchronizedList(new ArrayList<>());
    static final List<Set<ProfileId>> erased = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void export(ReadTransaction transaction, Set<ProfileId> profiles, ObjectNode export) {
      if (!active) {
        return;
      }
      exported.add(Set.copyOf(profiles));
      // Added in an order the export puts right: the known fields first.
      ArrayNode notes = export.putArray("recorderNotes");
      for (ProfileId p : new TreeSet<>(profiles)) {
        ObjectNode n = notes.addObject();
        n.put("profile", p.value());
        n.put("to", "Bob.First@Example.com");
        n.put("own", "C-2");
        n.putObject("byAddress").put(BOB_EMAIL, "opened");
      }
      export.putArray("memberships").addObject().put("segment", "vip")
          .put("invitedBy", BOB_EMAIL);
    }

    @Override
    public Map<String, Integer> erase(WriteTransaction transaction, Set<ProfileId> profiles) {
      if (!active) {
        return Map.of();
      }
      erased.add(Set.copyOf(profiles));
      // In the erasure's transaction: what it writes commits with it.
      transaction.require(MetadataStorage.class).putMetadata("recorder/erased",
          Integer.toString(profiles.size()));
      return Map.of("memberships", 2, "scheduledChecks", 1, "outboxEntries", 3,
          "deliveries", 4, "recorderNotes", 5);
    }
  }

  final Store store = Store.inMemory();

  @BeforeEach
  void switchOn() {
    Recorder.exported.clear();
    Recorder.erased.clear();
    Recorder.active = true;
  }

  @AfterEach
  void switchOff() {
    Recorder.active = false;
  }

  Cdp cdp() {
    return Cdp.builder().store(store).clock(new MutableClock(T0.plusSeconds(3600))).build();
  }

  @Test
  @DisplayName("the export shows what a module adds, known fields in their place, with another"
      + " person's identifier values redacted inside it")
  void exportRedactsModuleFields() throws Exception {
    try (Cdp cdp = cdp()) {
      cdp.ingest(Event.identify().messageId("m-1").userId("C-1")
          .trait("email", BOB_EMAIL).timestamp(T0).build());
      // C-2's event carries Bob's address, which stays Bob's: it is another person's identifier
      // in C-2's export.
      cdp.ingest(Event.identify().messageId("m-2").userId("C-2")
          .trait("email", BOB_EMAIL).timestamp(T0.plusSeconds(60)).build());
      Profile c2 = cdp.profiles().find(Identifier.customerId("C-2")).orElseThrow();

      String text = cdp.privacy().export(Identifier.customerId("C-2")).orElseThrow();
      JsonNode doc = JSON.readTree(text);

      assertThat(Recorder.exported).containsExactly(Set.of(c2.id()));
      assertThat(text).doesNotContainIgnoringCase(BOB_EMAIL);
      JsonNode note = doc.get("recorderNotes").get(0);
      assertThat(note.get("profile").asText()).isEqualTo(c2.id().value());
      assertThat(note.get("to").asText()).isEqualTo("[redacted email]");
      assertThat(note.get("own").asText()).isEqualTo("C-2");
      assertThat(note.get("byAddress").fieldNames()).toIterable()
          .containsExactly("[redacted email]");
      assertThat(doc.get("memberships").get(0).get("segment").asText()).isEqualTo("vip");
      assertThat(doc.get("memberships").get(0).get("invitedBy").asText())
          .isEqualTo("[redacted email]");
      List<String> fields = new ArrayList<>();
      doc.fieldNames().forEachRemaining(fields::add);
      assertThat(fields).containsSubsequence("events", "memberships", "recorderNotes", "ledger",
          "audit");

      // Bob's own export keeps his address in the module's fields.
      assertThat(cdp.privacy().export(Identifier.customerId("C-1")).orElseThrow())
          .contains("\"invitedBy\":\"" + BOB_EMAIL + "\"");
    }
  }

  @Test
  @DisplayName("erasure hands the module every profile id of the person, merged-away ones"
      + " included, in its transaction, and its counts reach the report and the audit log")
  void erasureReachesModules() {
    try (Cdp cdp = cdp()) {
      cdp.ingest(Event.track("Browsed").messageId("m-1").anonymousId("a-9")
          .timestamp(T0).build());
      cdp.ingest(Event.identify().messageId("m-2").userId("C-9").timestamp(T0.plusSeconds(1))
          .build());
      cdp.ingest(Event.track("Signed In").messageId("m-3").userId("C-9").anonymousId("a-9")
          .timestamp(T0.plusSeconds(2)).build());
      Profile live = cdp.profiles().find(Identifier.customerId("C-9")).orElseThrow();
      Set<ProfileId> all = new LinkedHashSet<>();
      all.add(live.id());
      all.addAll(store.read(WorkspaceId.DEFAULT, tx -> tx.redirectsTo(live.id())));
      assertThat(all).hasSize(2); // the case this test is about: one id merged away

      ErasureReport report = cdp.privacy().erase(Identifier.customerId("C-9"));

      assertThat(Recorder.erased).containsExactly(all);
      assertThat(report.profiles()).isEqualTo(2);
      assertThat(report.memberships()).isEqualTo(2);
      assertThat(report.outboxEntries()).isEqualTo(3);
      assertThat(report.deliveries()).isEqualTo(4);
      Map<String, String> written = store.read(WorkspaceId.DEFAULT,
          tx -> tx.require(MetadataStorage.class).metadata("recorder/"));
      assertThat(written).containsEntry("recorder/erased", "2");
      assertThat(cdp.privacy().audit(0, 100)).last().satisfies(a -> {
        assertThat(a.operation()).isEqualTo("erase");
        assertThat(a.detail()).contains("\"memberships\":2", "\"outboxEntries\":3",
            "\"deliveries\":4");
      });
    }
  }

  @Test
  @DisplayName("switched off, the module adds nothing and counts nothing")
  void inertWhenOff() throws Exception {
    Recorder.active = false;
    try (Cdp cdp = cdp()) {
      cdp.ingest(Event.identify().messageId("m-1").userId("C-1").timestamp(T0).build());
      JsonNode doc = JSON.readTree(cdp.privacy().export(Identifier.customerId("C-1"))
          .orElseThrow());
      assertThat(doc.has("memberships")).isFalse();
      assertThat(doc.has("recorderNotes")).isFalse();
      ErasureReport report = cdp.privacy().erase(Identifier.customerId("C-1"));
      assertThat(report.memberships()).isZero();
      assertThat(Recorder.erased).isEmpty();
    }
  }
}

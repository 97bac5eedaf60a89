package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.trait;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A definition stored by an older version under rules this one refuses (a {@code regex} with a
 * look-ahead, valid for {@code java.util.regex}, not for RE2): the workspace still starts and
 * ingests, the other segments are evaluated, the host is told which definition and why, and it
 * can delete it or save a valid one under its id.
 */
class UnreadableStoredDefinitionTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");
  static final String KEY = "segment.legacy";

  final Store store = Store.inMemory();
  ProfileId oldMember;

  /** Both segments saved and evaluated, then the one's stored regex made a look-ahead. */
  @BeforeEach
  void storedByAnOlderVersion() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(seg)
        .build()) {
      seg.segments().save(SegmentDefinition.builder("legacy").where(trait("tier")
          .matches("^gold")).build());
      seg.segments().save(SegmentDefinition.builder("vip").where(trait("tier").eq("vip"))
          .build());
      cdp.ingest(Event.identify().messageId("i-1").userId("c1").trait("tier", "gold")
          .timestamp(NOW).build());
      oldMember = cdp.profiles().find(Identifier.customerId("c1")).orElseThrow().id();
      assertThat(seg.segments().isMember(oldMember, "legacy")).isTrue();
    }
    store.write(WorkspaceId.DEFAULT, tx -> {
      MetadataStorage m = tx.require(MetadataStorage.class);
      String json = m.metadata(KEY).get(KEY);
      assertThat(json).contains("^gold");
      m.putMetadata(KEY, json.replace("^gold", "^(?=gold)"));
      return null;
    });
  }

  @Test
  void theOthersRunAndTheHostIsToldWhichAndWhy() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(seg)
        .build()) {
      cdp.ingest(Event.identify().messageId("i-2").userId("c2").trait("tier", "vip")
          .timestamp(NOW).build());
      ProfileId c2 = cdp.profiles().find(Identifier.customerId("c2")).orElseThrow().id();
      Segments segments = seg.segments();
      assertThat(segments.isMember(c2, "vip")).isTrue();
      assertThat(segments.unreadable()).containsOnlyKeys("legacy");
      assertThat(segments.unreadable().get("legacy")).contains("(?=");
      assertThat(segments.get("legacy")).isEmpty();
      assertThat(segments.list()).extracting(SegmentDefinition::id).containsExactly("vip");
      // not in force: no profile's membership, its stored members kept until it is deleted
      assertThat(segments.isMember(oldMember, "legacy")).isFalse();
      assertThat(segments.members("legacy", null, 10)).extracting(m -> m.profile())
          .containsExactly(oldMember);
      assertThat(segments.delete("legacy")).isTrue();
      assertThat(segments.members("legacy", null, 10)).isEmpty();
      assertThat(segments.unreadable()).isEmpty();
      java.util.Map<String, String> left = store.read(WorkspaceId.DEFAULT,
          tx -> tx.require(MetadataStorage.class).metadata(KEY));
      assertThat(left).isEmpty();
      assertThat(segments.delete("legacy")).isFalse();
    }
  }

  @Test
  void savingAValidDefinitionUnderItsIdReplacesIt() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().store(store).clock(new MutableClock(NOW)).extension(seg)
        .build()) {
      Segments segments = seg.segments();
      segments.save(SegmentDefinition.builder("legacy").where(trait("tier").matches("^silver"))
          .build());
      assertThat(segments.unreadable()).isEmpty();
      assertThat(segments.isMember(oldMember, "legacy")).isFalse();
      cdp.ingest(Event.identify().messageId("i-3").userId("c1").trait("tier", "silver")
          .timestamp(NOW.plusSeconds(1)).build());
      assertThat(segments.isMember(oldMember, "legacy")).isTrue();
    }
  }
}

package io.cdpkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.dedup.BlockingRule;
import io.cdpkit.core.dedup.DedupSettings;
import io.cdpkit.core.dedup.FieldKind;
import io.cdpkit.core.dedup.FieldSource;
import io.cdpkit.core.dedup.FieldWeight;
import io.cdpkit.core.dedup.MatchField;
import io.cdpkit.core.dedup.ReviewItem;
import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

/** The JSON duplicate detection keeps in metadata: round trips, and bad JSON named. */
class DedupJsonTest {
  @Property(tries = 200)
  void settingsRoundTrip(@ForAll @DoubleRange(min = 0.001, max = 1) @Scale(6) double link,
      @ForAll @DoubleRange(min = 0.001, max = 1) @Scale(6) double review, @ForAll boolean incremental,
      @ForAll @IntRange(min = 0, max = DedupSettings.MAX_REVIEW_ITEMS) int max,
      @ForAll boolean custom) {
    DedupSettings.Builder b = DedupSettings.builder().linkThreshold(Math.max(link, review))
        .reviewThreshold(Math.min(link, review)).incremental(incremental).maxReviewItems(max);
    if (custom) {
      b.field(FieldSource.of(MatchField.custom("tier", FieldKind.CATEGORY, true), "loyalty.tier",
          "tier")).blockingRule(BlockingRule.onSound("given_name", "surname"))
          .blockingRule(BlockingRule.on("tier"));
    }
    DedupSettings s = b.build();
    assertThat(DedupJson.readSettings(DedupJson.settings(s))).isEqualTo(s);
  }

  @Test
  void itemRoundTrip() {
    ReviewItem item = new ReviewItem(new ProfileId("a"), new ProfileId("b"), 0.25, -1.5, -9,
        List.of(new FieldWeight("surname", "exact", 7.5, -0.5), new FieldWeight("city", null, 0,
            0)), Instant.parse("2026-12-06T10:00:00Z"));
    assertThat(DedupJson.readItem(DedupJson.item(item))).isEqualTo(item);
  }

  @Test
  void badJsonIsNamed() {
    String good = DedupJson.settings(DedupSettings.defaults());
    assertThatThrownBy(() -> DedupJson.readSettings("nope")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> DedupJson.readSettings(good.replace("\"format\":1",
        "\"format\":9"))).hasMessageContaining("/format");
    assertThatThrownBy(() -> DedupJson.readSettings(good.replace("\"NAME\"", "\"NAMES\"")))
        .hasMessageContaining("/fields/0/kind");
    assertThatThrownBy(() -> DedupJson.readSettings(good.replace("\"linkThreshold\":0.5",
        "\"linkThreshold\":7"))).hasMessageContaining("/linkThreshold");
    assertThatThrownBy(() -> DedupJson.readSettings(good.replace("\"incremental\":true",
        "\"incremental\":\"yes\""))).hasMessageContaining("/incremental");
    String item = DedupJson.item(new ReviewItem(new ProfileId("a"), new ProfileId("b"), 0.25,
        -1.5, -9, List.of(), Instant.EPOCH));
    assertThatThrownBy(() -> DedupJson.readItem(item.replace("\"first\":\"a\"",
        "\"first\":\"c\""))).hasMessageContaining("first must sort before second");
    assertThatThrownBy(() -> DedupJson.readItem(item.replace("1970-01-01T00:00:00Z", "then")))
        .hasMessageContaining("/queuedAt");
  }
}

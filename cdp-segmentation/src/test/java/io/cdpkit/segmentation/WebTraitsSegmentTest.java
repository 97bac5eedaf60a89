package io.cdpkit.segmentation;

import static io.cdpkit.segmentation.definition.Conditions.and;
import static io.cdpkit.segmentation.definition.Conditions.computed;
import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.EventContext;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.WebTraits;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Segments read the web traits: visitors who came from the newsletter and visited 3+ times. */
class WebTraitsSegmentTest {
  static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");

  int n;

  Event page(String visitor, int minutes, String source) {
    EventContext.Builder c = EventContext.builder().channel("web");
    if (source != null) {
      c.campaign(Map.of("source", source, "medium", "email"));
    }
    return Event.page("P").messageId("m-" + n++).anonymousId(visitor)
        .timestamp(T0.plus(Duration.ofMinutes(minutes))).property("path", "/")
        .context(c.build()).build();
  }

  @Test
  @DisplayName("utm_source=newsletter with 3+ visits: in once the third visit is known, also"
      + " when it arrives late; other sources or fewer visits stay out; batch agrees")
  void newsletterRegulars() {
    List<String> heard = new ArrayList<>();
    Segmentation seg = Segmentation.builder()
        .listener(e -> heard.add(e.kind() + " " + e.segment())).build();
    MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(1)));
    try (Cdp cdp = Cdp.builder().clock(clock).computedTraits(WebTraits.all()).extension(seg)
        .build()) {
      seg.segments().saveJson("{\"version\":1,\"id\":\"newsletter-regulars\","
          + "\"condition\":{\"type\":\"and\",\"conditions\":["
          + "{\"type\":\"computed\",\"name\":\"first_touch_source\",\"op\":\"=\","
          + "\"value\":\"newsletter\"},"
          + "{\"type\":\"computed\",\"name\":\"visits\",\"op\":\">=\",\"value\":3}]}}");
      seg.segments().save(SegmentDefinition.builder("bouncers")
          .where(and(computed(WebTraits.BOUNCE_RATE).gte(new java.math.BigDecimal("0.7")), computed(WebTraits.VISITS).gte(3L)))
          .build());

      // a: newsletter, then three visits an hour apart.
      cdp.ingest(page("a", 0, "newsletter"));
      cdp.ingest(page("a", 5, null));
      cdp.ingest(page("a", 60, null));
      assertThat(heard).isEmpty();
      cdp.ingest(page("a", 120, null));
      assertThat(heard).containsExactly("ENTERED newsletter-regulars");

      // b: three visits from ads.
      for (int m : new int[] {0, 60, 120}) {
        cdp.ingest(page("b", m, "ads"));
      }
      // c: newsletter, two visits; the third arrives late, dated before the others.
      cdp.ingest(page("c", 100, "newsletter"));
      cdp.ingest(page("c", 200, null));
      assertThat(heard).containsExactly("ENTERED newsletter-regulars", "ENTERED bouncers");
      heard.clear();
      cdp.ingest(page("c", 10, null));
      assertThat(heard).containsExactlyInAnyOrder("ENTERED newsletter-regulars",
          "ENTERED bouncers");

      ProfileId a = id(cdp, "a");
      ProfileId b = id(cdp, "b");
      ProfileId c = id(cdp, "c");
      assertThat(seg.segments().isMember(a, "newsletter-regulars")).isTrue();
      assertThat(seg.segments().isMember(b, "newsletter-regulars")).isFalse();
      assertThat(seg.segments().isMember(c, "newsletter-regulars")).isTrue();
      assertThat(seg.segments().isMember(b, "bouncers")).isTrue();
      assertThat(seg.segments().isMember(a, "bouncers")).isFalse();   // 2 of 3 bounced: 0.6667
      SegmentSnapshot batch = seg.segments().evaluate(List.of("newsletter-regulars"), io.cdpkit.core.ProgressListener.none());
      for (ProfileId p : List.of(a, b, c)) {
        assertThat(batch.contains("newsletter-regulars", p))
            .isEqualTo(seg.segments().isMember(p, "newsletter-regulars"));
      }
    }
  }

  static ProfileId id(Cdp cdp, String visitor) {
    return cdp.profiles().find(Identifier.anonymousId(visitor)).orElseThrow().id();
  }
}

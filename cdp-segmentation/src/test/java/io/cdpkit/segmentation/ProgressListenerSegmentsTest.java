package io.cdpkit.segmentation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batch segment evaluation reports through the library's one progress type. */
class ProgressListenerSegmentsTest {
  @Test
  void evaluationReportsProfilesRead() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().extension(seg).build()) {
      for (int i = 0; i < 2_500; i++) {
        cdp.ingest(Event.identify().messageId("m-" + i).userId("C-" + i)
            .trait("tier", i % 2 == 0 ? "gold" : "silver").build());
      }
      seg.segments().save(SegmentDefinition.builder("gold").name("Gold")
          .where(Conditions.trait("tier").eq("gold")).build());
      List<long[]> seen = new ArrayList<>();
      List<String> phases = new ArrayList<>();
      ProgressListener listener = (phase, done, total) -> {
        phases.add(phase);
        seen.add(new long[] {done, total});
      };
      SegmentSnapshot s = seg.segments(WorkspaceId.DEFAULT).evaluate(List.of("gold"), listener);
      assertThat(s.count("gold")).isEqualTo(1_250);
      assertThat(phases).isNotEmpty().allMatch("evaluate"::equals);
      assertThat(seen.get(seen.size() - 1)[0]).isEqualTo(2_500);
      assertThat(seen).allMatch(x -> x[1] == ProgressListener.UNKNOWN);
      for (int i = 1; i < seen.size(); i++) {
        assertThat(seen.get(i)[0]).isGreaterThanOrEqualTo(seen.get(i - 1)[0]);
      }
    }
  }
}

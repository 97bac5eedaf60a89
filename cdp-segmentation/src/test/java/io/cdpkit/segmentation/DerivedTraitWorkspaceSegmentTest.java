package io.cdpkit.segmentation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.traits.DerivedTrait;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Segment conditions on a derived trait that reads something kept per workspace see the
 * profile's own workspace, in real time and in batch evaluation.
 */
class DerivedTraitWorkspaceSegmentTest {
  private static final WorkspaceId NORTH = WorkspaceId.of("north");
  private static final WorkspaceId SOUTH = WorkspaceId.of("south");
  private static final Map<WorkspaceId, Integer> SCORE = Map.of(NORTH, 90, SOUTH, 10);
  private static final DerivedTrait LIKELY = DerivedTrait.of("likely", Set.of(),
      ctx -> Optional.ofNullable(SCORE.get(ctx.workspace())));

  @Test
  void membershipFollowsTheProfilesWorkspace() {
    Segmentation seg = Segmentation.builder().build();
    try (Cdp cdp = Cdp.builder().derivedTrait(LIKELY).extension(seg).build()) {
      for (WorkspaceId ws : new WorkspaceId[] {NORTH, SOUTH}) {
        seg.segments(ws).save(SegmentDefinition.builder("likely").name("Likely")
            .where(Conditions.computed("likely").atLeast(50)).build());
        cdp.workspace(ws).ingest(Event.identify().messageId("m-1").userId("C-1")
            .trait("x", 1).build());
      }
      ProfileId north = cdp.workspace(NORTH).profiles().find(Identifier.customerId("C-1"))
          .orElseThrow().id();
      ProfileId south = cdp.workspace(SOUTH).profiles().find(Identifier.customerId("C-1"))
          .orElseThrow().id();
      assertThat(seg.segments(NORTH).isMember(north, "likely")).isTrue();
      assertThat(seg.segments(SOUTH).isMember(south, "likely")).isFalse();
      assertThat(seg.segments(NORTH).evaluate(java.util.List.of("likely"), io.cdpkit.core.ProgressListener.none()).count("likely")).isEqualTo(1);
      assertThat(seg.segments(SOUTH).evaluate(java.util.List.of("likely"), io.cdpkit.core.ProgressListener.none()).count("likely")).isZero();
    }
  }
}

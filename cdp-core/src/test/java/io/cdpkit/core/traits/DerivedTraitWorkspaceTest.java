package io.cdpkit.core.traits;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.Cdp;
import io.cdpkit.core.Workspace;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.WorkspaceId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A derived trait sees the workspace of the profile it is computed for: in profiles read from
 * each workspace, in exports, and for traits read through another trait.
 */
class DerivedTraitWorkspaceTest {
  /** A value kept per workspace, as a model fitted per workspace would be. */
  private static final Map<WorkspaceId, String> PER_WORKSPACE =
      Map.of(WorkspaceId.of("north"), "n-model", WorkspaceId.of("south"), "s-model");

  private static final DerivedTrait MODEL = DerivedTrait.of("model_name", Set.of(),
      ctx -> Optional.ofNullable(PER_WORKSPACE.get(ctx.workspace())));
  private static final DerivedTrait UPPER = DerivedTrait.of("model_upper", Set.of("model_name"),
      ctx -> ctx.value("model_name").map(v -> v.toString().toUpperCase(java.util.Locale.ROOT)));

  @Test
  void eachWorkspaceSeesItsOwn() {
    try (Cdp cdp = Cdp.builder().derivedTrait(MODEL).derivedTrait(UPPER).build()) {
      for (String w : new String[] {"north", "south", "west"}) {
        Workspace ws = cdp.workspace(WorkspaceId.of(w));
        ws.ingest(Event.identify().messageId("m-" + w).userId("C-1").trait("x", 1).build());
      }
      for (String w : new String[] {"north", "south"}) {
        Workspace ws = cdp.workspace(WorkspaceId.of(w));
        String want = PER_WORKSPACE.get(WorkspaceId.of(w));
        assertThat(ws.profiles().find(Identifier.customerId("C-1")).orElseThrow()
            .computedTrait("model_name")).contains(want);
        assertThat(ws.profiles().find(Identifier.customerId("C-1")).orElseThrow()
            .computedTrait("model_upper")).contains(want.toUpperCase(java.util.Locale.ROOT));
        assertThat(ws.privacy().export(Identifier.customerId("C-1")).orElseThrow())
            .contains(want);
      }
      assertThat(cdp.workspace(WorkspaceId.of("west")).profiles()
          .find(Identifier.customerId("C-1")).orElseThrow().computedTrait("model_name"))
          .isEmpty();
    }
  }
}

package io.cdpkit.segmentation.internal;

import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.ReadModel;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.traits.ComputedTraits;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One profile at one instant, as segment conditions read it, with the memberships decided so far
 * in this pass (segments are evaluated in dependency order). Not thread-safe; one per evaluation
 * pass.
 */
final class EvalContext {
  final ComputedTraits traits;
  final Instant now;
  final long today;
  ProfileRecord record;
  ProfileState state;
  private @Nullable Profile view;
  /** Membership and next change of segments decided in this pass, or known before it. */
  final Map<String, Timed> segments = new HashMap<>();
  /** Profile field values already computed for this profile, by field and currency. */
  final Map<String, List<Object>> fields = new HashMap<>();

  private final ReadModel reads;
  final WorkspaceId workspace;

  EvalContext(ComputedTraits traits, ReadModel reads, WorkspaceId workspace, Instant now) {
    this.traits = traits;
    this.reads = reads;
    this.workspace = workspace;
    this.now = now;
    this.today = LocalDate.ofInstant(now, ZoneOffset.UTC).toEpochDay();
  }

  /** Moves to another profile; forgets the memberships of the last one. */
  EvalContext at(ProfileRecord r) {
    this.record = r;
    this.state = r.state();
    this.view = null;
    if (!segments.isEmpty()) {
      segments.clear();
    }
    if (!fields.isEmpty()) {
      fields.clear();
    }
    return this;
  }

  /** The profile's derived fields (order count, spend, ...), made on first use. */
  Profile view() {
    Profile v = view;
    if (v == null) {
      v = reads.stateView(workspace, record, now);
      view = v;
    }
    return v;
  }
}

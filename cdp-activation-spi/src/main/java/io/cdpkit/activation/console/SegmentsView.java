package io.cdpkit.activation.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.segmentation.Explanation;
import io.cdpkit.segmentation.SegmentDay;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.Segments;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.spi.storage.Membership;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * What the console reads from cdp-segmentation, kept in a class of its own so that a console
 * without segmentation never loads its types (the dependency is optional). Immutable.
 */
final class SegmentsView {
  /** Members counted per segment at most; a larger segment shows as "at least". */
  static final int MAX_COUNT = 1_000_000;
  /** Segments whose membership a profile page explains, at most. */
  static final int MAX_EXPLAINED = 100;
  private static final int PAGE = 10_000;

  private final Segmentation segmentation;

  SegmentsView(Segmentation segmentation) {
    this.segmentation = segmentation;
  }

  /** Each segment with its membership of the profile, its since and its explanation. */
  void profile(WorkspaceId ws, ProfileId profile, ArrayNode out) {
    Segments s = segmentation.segments(ws);
    List<String> member = s.memberships(profile);
    int n = 0;
    for (SegmentDefinition d : s.list()) {
      if (n++ >= MAX_EXPLAINED) {
        break;
      }
      ObjectNode o = out.addObject();
      o.put("id", d.id());
      o.put("member", member.contains(d.id()));
      Optional<Explanation> e = s.explain(profile, d.id());
      o.put("explanation", e.map(Explanation::render).orElse(""));
    }
  }

  /** Every segment with its stored size. */
  void list(WorkspaceId ws, ArrayNode out) {
    Segments s = segmentation.segments(ws);
    for (SegmentDefinition d : s.list()) {
      ObjectNode o = out.addObject();
      o.put("id", d.id());
      long size = 0;
      ProfileId after = null;
      boolean more = true;
      while (more && size < MAX_COUNT) {
        List<Membership> page = s.members(d.id(), after, PAGE);
        size += page.size();
        more = page.size() == PAGE;
        if (!page.isEmpty()) {
          after = page.get(page.size() - 1).profile();
        }
      }
      o.put("size", size);
      o.put("sizeCapped", more);
    }
  }

  /** Whether the segment exists. */
  boolean exists(WorkspaceId ws, String segment) {
    return segmentation.segments(ws).get(segment).isPresent();
  }

  /** Entries and exits per day. */
  void history(WorkspaceId ws, String segment, LocalDate from, LocalDate to, ArrayNode out) {
    for (SegmentDay d : segmentation.segments(ws).history(segment, from, to)) {
      ObjectNode o = out.addObject();
      o.put("day", d.day().toString());
      o.put("entries", d.entries());
      o.put("exits", d.exits());
    }
  }
}

package io.cdpkit.core.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.ProfileId;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code detail} JSON of audit log lines. Only what is free of personal data goes in:
 * counts, identifier types, purposes and channels, message ids, profile ids. Thread-safe.
 */
final class AuditDetail {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private AuditDetail() {}

  /** A stored event's consent decisions. */
  static String consent(Event e) {
    ObjectNode o = JSON.objectNode();
    o.put("messageId", e.messageId());
    o.put("eventTime", e.eventTime().toString());
    ArrayNode a = o.putArray("decisions");
    for (ConsentChange c : e.consents()) {
      a.addObject().put("purpose", c.purpose()).put("channel", c.channel())
          .put("granted", c.granted());
    }
    return o.toString();
  }

  /** An unmerge: the identifier types and where the second one went. */
  static String unmerge(Identifier a, Identifier b, @Nullable ProfileId bProfile) {
    ObjectNode o = JSON.objectNode();
    o.put("types", a.type().id() + "," + b.type().id());
    if (bProfile != null) {
      o.put("otherProfile", bProfile.value());
    }
    return o.toString();
  }

  /**
   * A probable match linked, or rejected ({@code probability} null): the other profile, the
   * probability, who decided and the reason code.
   */
  static String probableMatch(ProfileId other, @Nullable Double probability, boolean reviewed,
      String reasonCode) {
    ObjectNode o = JSON.objectNode();
    o.put("otherProfile", other.value());
    if (probability != null) {
      o.put("probability", probability);
    }
    o.put("decided", reviewed ? "review" : "auto");
    o.put("reason", reasonCode);
    return o.toString();
  }

  /** Counts, and optionally the type of the identifier named by the request. */
  static String counts(@Nullable String type, Map<String, Long> counts) {
    ObjectNode o = JSON.objectNode();
    if (type != null) {
      o.put("type", type);
    }
    counts.forEach(o::put);
    return o.toString();
  }
}

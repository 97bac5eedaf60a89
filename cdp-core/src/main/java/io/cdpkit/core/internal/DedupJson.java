package io.cdpkit.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.dedup.BlockingRule;
import io.cdpkit.core.dedup.DedupSettings;
import io.cdpkit.core.dedup.FieldKind;
import io.cdpkit.core.dedup.FieldSource;
import io.cdpkit.core.dedup.FieldWeight;
import io.cdpkit.core.dedup.MatchField;
import io.cdpkit.core.dedup.ReviewItem;
import io.cdpkit.core.model.ProfileId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON that duplicate detection keeps in a workspace's metadata: its settings and its review
 * items. A stored value that does not read is refused with an {@link IllegalArgumentException}
 * naming the JSON pointer and the reason.
 *
 * <p>Thread-safe (stateless).
 */
final class DedupJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Format of what is written. */
  static final int FORMAT = 1;

  private DedupJson() {}

  static String settings(DedupSettings s) {
    ObjectNode o = NODES.objectNode();
    o.put("format", FORMAT);
    ArrayNode fields = o.putArray("fields");
    for (FieldSource f : s.fields()) {
      ObjectNode n = fields.addObject();
      n.put("name", f.field().name());
      n.put("kind", f.field().kind().name());
      n.put("termFrequency", f.field().termFrequency());
      ArrayNode traits = n.putArray("traits");
      f.traits().forEach(traits::add);
    }
    ArrayNode rules = o.putArray("blockingRules");
    for (BlockingRule r : s.blockingRules()) {
      ObjectNode n = rules.addObject();
      ArrayNode names = n.putArray("fields");
      r.fields().forEach(names::add);
      n.put("sound", r.sound());
    }
    o.put("linkThreshold", s.linkThreshold());
    o.put("reviewThreshold", s.reviewThreshold());
    o.put("incremental", s.incremental());
    o.put("maxReviewItems", s.maxReviewItems());
    return o.toString();
  }

  static DedupSettings readSettings(String text) {
    JsonNode o = parse(text);
    format(o);
    List<FieldSource> fields = new ArrayList<>();
    JsonNode fs = array(o, "fields", "/fields");
    for (int i = 0; i < fs.size(); i++) {
      String at = "/fields/" + i;
      JsonNode f = fs.get(i);
      FieldKind kind;
      try {
        kind = FieldKind.valueOf(text(f, "kind", at + "/kind"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + "/kind: not a field kind");
      }
      JsonNode traits = array(f, "traits", at + "/traits");
      List<String> names = new ArrayList<>();
      for (int t = 0; t < traits.size(); t++) {
        if (!traits.get(t).isTextual()) {
          throw new IllegalArgumentException(at + "/traits/" + t + ": must be text");
        }
        names.add(traits.get(t).asText());
      }
      fields.add(checked(at, () -> new FieldSource(new MatchField(text(f, "name", at + "/name"),
          kind, bool(f, "termFrequency", at + "/termFrequency")), names)));
    }
    DedupSettings.Builder b = DedupSettings.builder();
    checked("/fields", () -> b.fields(fields));
    JsonNode rs = array(o, "blockingRules", "/blockingRules");
    for (int i = 0; i < rs.size(); i++) {
      String at = "/blockingRules/" + i;
      JsonNode r = rs.get(i);
      JsonNode names = array(r, "fields", at + "/fields");
      List<String> list = new ArrayList<>();
      names.forEach(n -> list.add(n.asText()));
      boolean sound = bool(r, "sound", at + "/sound");
      checked(at, () -> b.blockingRule(new BlockingRule(list, sound)));
    }
    checked("/linkThreshold", () -> b.linkThreshold(number(o, "linkThreshold",
        "/linkThreshold")));
    checked("/reviewThreshold", () -> b.reviewThreshold(number(o, "reviewThreshold",
        "/reviewThreshold")));
    b.incremental(bool(o, "incremental", "/incremental"));
    checked("/maxReviewItems", () -> b.maxReviewItems((int) number(o, "maxReviewItems",
        "/maxReviewItems")));
    return checked("", b::build);
  }

  static String item(ReviewItem item) {
    ObjectNode o = NODES.objectNode();
    o.put("format", FORMAT);
    o.put("first", item.first().value());
    o.put("second", item.second().value());
    o.put("probability", item.probability());
    o.put("logOdds", item.logOdds());
    o.put("priorWeight", item.priorWeight());
    o.put("queuedAt", item.queuedAt().toString());
    ArrayNode ws = o.putArray("weights");
    for (FieldWeight w : item.weights()) {
      ObjectNode n = ws.addObject();
      n.put("field", w.field());
      if (w.level() != null) {
        n.put("level", w.level());
      }
      n.put("weight", w.weight());
      n.put("termFrequencyAdjustment", w.termFrequencyAdjustment());
    }
    return o.toString();
  }

  static ReviewItem readItem(String text) {
    JsonNode o = parse(text);
    format(o);
    List<FieldWeight> weights = new ArrayList<>();
    JsonNode ws = array(o, "weights", "/weights");
    for (int i = 0; i < ws.size(); i++) {
      String at = "/weights/" + i;
      JsonNode w = ws.get(i);
      JsonNode level = w.get("level");
      weights.add(new FieldWeight(text(w, "field", at + "/field"),
          level == null || level.isNull() ? null : level.asText(),
          number(w, "weight", at + "/weight"),
          number(w, "termFrequencyAdjustment", at + "/termFrequencyAdjustment")));
    }
    Instant at;
    try {
      at = Instant.parse(text(o, "queuedAt", "/queuedAt"));
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("/queuedAt: not an instant");
    }
    return checked("", () -> new ReviewItem(new ProfileId(text(o, "first", "/first")),
        new ProfileId(text(o, "second", "/second")), number(o, "probability", "/probability"),
        number(o, "logOdds", "/logOdds"), number(o, "priorWeight", "/priorWeight"), weights,
        at));
  }

  private static JsonNode parse(String text) {
    try {
      JsonNode n = JSON.readTree(text);
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException(": must be a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(": not JSON");
    }
  }

  private static void format(JsonNode o) {
    JsonNode f = o.get("format");
    if (f == null || !f.canConvertToInt() || f.asInt() != FORMAT) {
      throw new IllegalArgumentException("/format: must be " + FORMAT);
    }
  }

  private static JsonNode array(JsonNode o, String name, String at) {
    JsonNode n = o.get(name);
    if (n == null || !n.isArray()) {
      throw new IllegalArgumentException(at + ": must be an array");
    }
    return n;
  }

  private static String text(JsonNode o, String name, String at) {
    JsonNode n = o.get(name);
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException(at + ": must be text");
    }
    return n.asText();
  }

  private static double number(JsonNode o, String name, String at) {
    JsonNode n = o.get(name);
    if (n == null || !n.isNumber()) {
      throw new IllegalArgumentException(at + ": must be a number");
    }
    return n.asDouble();
  }

  private static boolean bool(JsonNode o, String name, String at) {
    JsonNode n = o.get(name);
    if (n == null || !n.isBoolean()) {
      throw new IllegalArgumentException(at + ": must be true or false");
    }
    return n.asBoolean();
  }

  private static <T> T checked(String at, java.util.function.Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
    }
  }
}

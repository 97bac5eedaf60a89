package io.cdpkit.core.dedup;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes a {@link MatchModel} as JSON, format version {@value #VERSION}, so that a
 * model learned once can be stored and used again ({@link DuplicateDetector#score},
 * {@link DuplicateDetector#index}):
 *
 * <pre>{@code
 * {"version": 1, "prior": 2.5E-5, "fields": [
 *   {"name": "given_name", "kind": "NAME", "termFrequency": true, "estimated": true,
 *    "m": [0.81, 0.05, 0.03, 0.02, 0.02, 0.07], "u": [0.004, 0.002, 0.01, 0.01, 0.1, 0.874]},
 *   ...]}
 * }</pre>
 *
 * <p>{@code kind} is a {@link FieldKind} constant's name; {@code m} and {@code u} have one
 * probability per level of the kind ({@link FieldKind#levels()}), strongest first. Numbers are
 * written as the shortest decimal that reads back to the same {@code double}, so
 * {@code read(write(model)).equals(model)}.
 *
 * <p>Reading is strict: every key above is required, an unknown or repeated key is an error,
 * and so are a {@code version} other than {@value #VERSION}, a prior not above 0 and below 1, no
 * fields, a field name that is blank, longer than {@value MatchField#MAX_NAME_LENGTH} characters
 * or repeated, an unknown kind, a level count other than the kind's, and a probability not above
 * 0 and at most 1. {@link #read} reports every violation it finds in one
 * {@link IllegalArgumentException}, each as a JSON pointer and a reason
 * ({@code /fields/2/m: must have 5 levels for kind DATE but had 4}); only a syntax error stops it
 * at once. Messages quote no values from the text but key names and kinds.
 *
 * <p>Stateless and thread-safe.
 */
public final class MatchModelJson {
  /** The version of the JSON form this class reads and writes. */
  public static final int VERSION = 1;
  /** The largest text {@link #read} takes, in characters. */
  public static final int MAX_LENGTH = 1 << 20;

  private static final Set<String> ROOT_KEYS = Set.of("version", "prior", "fields");
  private static final Set<String> FIELD_KEYS =
      Set.of("name", "kind", "termFrequency", "estimated", "m", "u");
  // A configured mapper is thread-safe.
  private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private MatchModelJson() {}

  /** The model as compact JSON text, keys in the order of the example above. */
  public static String write(MatchModel model) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode root = nodes.objectNode();
    root.put("version", VERSION);
    root.put("prior", model.prior());
    ArrayNode fields = root.putArray("fields");
    for (MatchModel.FieldParameters p : model.fields()) {
      ObjectNode field = fields.addObject();
      field.put("name", p.field().name());
      field.put("kind", p.field().kind().name());
      field.put("termFrequency", p.field().termFrequency());
      field.put("estimated", p.estimated());
      ArrayNode m = field.putArray("m");
      p.m().forEach(m::add);
      ArrayNode u = field.putArray("u");
      p.u().forEach(u::add);
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /**
   * Reads a model from its JSON text.
   *
   * @throws IllegalArgumentException listing every violation, each with its JSON pointer
   */
  public static MatchModel read(String json) {
    Objects.requireNonNull(json, "json");
    if (json.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("(root): must be at most " + MAX_LENGTH
          + " characters but had " + json.length());
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      // Jackson's message may quote the text: only the location is kept.
      throw new IllegalArgumentException("(root): not valid JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    }
    List<String> errors = new ArrayList<>();
    MatchModel model = new Reader(errors).model(root);
    if (!errors.isEmpty() || model == null) {
      throw new IllegalArgumentException("match model JSON is invalid: "
          + String.join("; ", errors));
    }
    return model;
  }

  /** One read, collecting violations. Not thread-safe. */
  private static final class Reader {
    private final List<String> errors;

    Reader(List<String> errors) {
      this.errors = errors;
    }

    private void error(String pointer, String reason) {
      errors.add((pointer.isEmpty() ? "(root)" : pointer) + ": " + reason);
    }

    @Nullable MatchModel model(@Nullable JsonNode root) {
      if (root == null || !root.isObject()) {
        error("", "must be a JSON object");
        return null;
      }
      unknownKeys(root, "", ROOT_KEYS);
      JsonNode version = required(root, "", "version");
      if (version != null && !(version.isIntegralNumber() && version.canConvertToInt()
          && version.intValue() == VERSION)) {
        error("/version", "must be " + VERSION + ", the version this reader knows");
      }
      Double prior = number(root, "", "prior");
      if (prior != null && !(prior > 0 && prior < 1)) {
        error("/prior", "must be above 0 and below 1 but was " + prior);
      }
      JsonNode fieldsNode = required(root, "", "fields");
      List<MatchModel.FieldParameters> fields = new ArrayList<>();
      if (fieldsNode != null) {
        if (!fieldsNode.isArray()) {
          error("/fields", "must be an array");
        } else if (fieldsNode.isEmpty()) {
          error("/fields", "must hold at least one field");
        } else {
          Set<String> names = new HashSet<>();
          for (int i = 0; i < fieldsNode.size(); i++) {
            MatchModel.FieldParameters p = field(fieldsNode.get(i), "/fields/" + i);
            if (p != null) {
              if (!names.add(p.field().name())) {
                error("/fields/" + i + "/name", "repeats the name of an earlier field");
              } else {
                fields.add(p);
              }
            }
          }
        }
      }
      if (!errors.isEmpty() || prior == null) {
        return null;
      }
      return new MatchModel(prior, fields);
    }

    private MatchModel.@Nullable FieldParameters field(JsonNode node, String at) {
      if (!node.isObject()) {
        error(at, "must be a JSON object");
        return null;
      }
      int before = errors.size();
      unknownKeys(node, at, FIELD_KEYS);
      String name = text(node, at, "name");
      if (name != null && (name.isBlank() || name.length() > MatchField.MAX_NAME_LENGTH)) {
        error(at + "/name", "must be 1 to " + MatchField.MAX_NAME_LENGTH
            + " characters, not blank, but had " + name.length());
      }
      FieldKind kind = null;
      String kindName = text(node, at, "kind");
      if (kindName != null) {
        kind = Arrays.stream(FieldKind.values()).filter(k -> k.name().equals(kindName))
            .findFirst().orElse(null);
        if (kind == null) {
          error(at + "/kind", "must be one of " + Arrays.toString(FieldKind.values()));
        }
      }
      Boolean termFrequency = bool(node, at, "termFrequency");
      Boolean estimated = bool(node, at, "estimated");
      List<Double> m = probabilities(node, at, "m", kind);
      List<Double> u = probabilities(node, at, "u", kind);
      if (errors.size() > before || name == null || kind == null || termFrequency == null
          || estimated == null || m == null || u == null) {
        return null;
      }
      return new MatchModel.FieldParameters(new MatchField(name, kind, termFrequency), m, u,
          estimated);
    }

    private @Nullable List<Double> probabilities(JsonNode node, String at, String key,
        @Nullable FieldKind kind) {
      JsonNode array = required(node, at, key);
      if (array == null) {
        return null;
      }
      String here = at + "/" + key;
      if (!array.isArray()) {
        error(here, "must be an array of probabilities");
        return null;
      }
      if (kind != null && array.size() != kind.levels().size()) {
        error(here, "must have " + kind.levels().size() + " levels for kind " + kind
            + " but had " + array.size());
        return null;
      }
      List<Double> out = new ArrayList<>(array.size());
      boolean ok = true;
      for (int l = 0; l < array.size(); l++) {
        JsonNode p = array.get(l);
        if (!p.isNumber()) {
          error(here + "/" + l, "must be a number");
          ok = false;
        } else if (!(p.doubleValue() > 0 && p.doubleValue() <= 1)) {
          error(here + "/" + l, "must be above 0 and at most 1 but was " + p.doubleValue());
          ok = false;
        } else {
          out.add(p.doubleValue());
        }
      }
      return ok ? out : null;
    }

    private void unknownKeys(JsonNode node, String at, Set<String> known) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!known.contains(key)) {
          error(at + "/" + escape(key), "unknown key; known are " + known.stream().sorted()
              .toList());
        }
      }
    }

    private @Nullable JsonNode required(JsonNode node, String at, String key) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull()) {
        error(at + "/" + key, "is required");
        return null;
      }
      return value;
    }

    /** The value of a required key if it is of the right type, else null (and an error). */
    private @Nullable JsonNode typed(JsonNode node, String at, String key,
        Predicate<JsonNode> is, String must) {
      JsonNode value = required(node, at, key);
      if (value != null && !is.test(value)) {
        error(at + "/" + key, must);
        return null;
      }
      return value;
    }

    private @Nullable Double number(JsonNode node, String at, String key) {
      JsonNode value = typed(node, at, key, JsonNode::isNumber, "must be a number");
      return value == null ? null : value.doubleValue();
    }

    private @Nullable String text(JsonNode node, String at, String key) {
      JsonNode value = typed(node, at, key, JsonNode::isTextual, "must be a string");
      return value == null ? null : value.textValue();
    }

    private @Nullable Boolean bool(JsonNode node, String at, String key) {
      JsonNode value = typed(node, at, key, JsonNode::isBoolean, "must be true or false");
      return value == null ? null : value.booleanValue();
    }
  }

  /** A key as a JSON pointer token (RFC 6901). */
  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}

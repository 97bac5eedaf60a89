package io.cdpkit.segmentation.predict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The JSON form of fitted purchase models, for storing a workspace's models, version
 * {@value #FORMAT}:
 *
 * <pre>{@code
 * {"format": 1, "model": "bg-nbd",
 *  "parameters": {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259},
 *  "logLikelihood": -9582.43, "customers": 2357, "unit": "weeks",
 *  "calibrationEnd": "1997-09-30", "zone": "UTC", "version": 3,
 *  "fittedAt": "2026-12-06T04:00:00Z"}
 * }</pre>
 *
 * <p>{@code model} is {@code bg-nbd} (parameters {@code r, alpha, a, b}), {@code pareto-nbd}
 * ({@code r, alpha, s, beta}) or {@code gamma-gamma} ({@code p, q, v}). Doubles are written with
 * Java's shortest round-tripping form, so {@code read(write(m)).equals(m)}.
 *
 * <p>Reading is strict: every key is required, unknown or repeated keys, wrong JSON types,
 * a missing or other {@code format}, and values the records refuse are errors. The message
 * names the field as a JSON pointer ({@code /parameters/alpha}) and the reason.
 *
 * <p>Stateless and thread-safe.
 */
public final class PurchaseModelJson {
  /** The version of the JSON form this class reads and writes. */
  public static final int FORMAT = 1;

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final List<String> TOP = List.of("format", "model", "parameters",
      "logLikelihood", "customers", "unit", "calibrationEnd", "zone", "version", "fittedAt");

  private PurchaseModelJson() {}

  /** The JSON text of a fitted model. */
  public static String write(FittedModel model) {
    Objects.requireNonNull(model, "model");
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    ObjectNode params = MAPPER.createObjectNode();
    if (model instanceof BgNbd m) {
      root.put("model", "bg-nbd");
      params.put("r", m.r()).put("alpha", m.alpha()).put("a", m.a()).put("b", m.b());
    } else if (model instanceof ParetoNbd m) {
      root.put("model", "pareto-nbd");
      params.put("r", m.r()).put("alpha", m.alpha()).put("s", m.s()).put("beta", m.beta());
    } else {
      GammaGamma m = (GammaGamma) model; // the sealed interface permits no other
      root.put("model", "gamma-gamma");
      params.put("p", m.p()).put("q", m.q()).put("v", m.v());
    }
    root.set("parameters", params);
    ModelFit f = model.fit();
    root.put("logLikelihood", f.logLikelihood());
    root.put("customers", f.customers());
    root.put("unit", f.unit().jsonName());
    root.put("calibrationEnd", f.calibrationEnd().toString());
    root.put("zone", f.zone().getId());
    root.put("version", f.version());
    root.put("fittedAt", f.fittedAt().toString());
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing a tree of numbers and strings failed", e);
    }
  }

  /**
   * Reads a fitted model of any kind.
   *
   * @throws IllegalArgumentException naming the offending field (a JSON pointer) and the reason
   */
  public static FittedModel read(String json) {
    Objects.requireNonNull(json, "json");
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("/: not valid JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("/: must be a JSON object");
    }
    keys(root, "", TOP);
    JsonNode format = root.get("format");
    if (!format.isIntegralNumber() || format.asLong() != FORMAT) {
      throw new IllegalArgumentException("/format: must be " + FORMAT);
    }
    String model = text(root, "/model", "model");
    JsonNode params = root.get("parameters");
    if (!params.isObject()) {
      throw new IllegalArgumentException("/parameters: must be an object");
    }
    ModelFit fit = fit(root);
    return switch (model) {
      case "bg-nbd" -> {
        keys(params, "/parameters", List.of("r", "alpha", "a", "b"));
        yield build(() -> new BgNbd(number(params, "/parameters", "r"),
            number(params, "/parameters", "alpha"), number(params, "/parameters", "a"),
            number(params, "/parameters", "b"), fit), "/parameters");
      }
      case "pareto-nbd" -> {
        keys(params, "/parameters", List.of("r", "alpha", "s", "beta"));
        yield build(() -> new ParetoNbd(number(params, "/parameters", "r"),
            number(params, "/parameters", "alpha"), number(params, "/parameters", "s"),
            number(params, "/parameters", "beta"), fit), "/parameters");
      }
      case "gamma-gamma" -> {
        keys(params, "/parameters", List.of("p", "q", "v"));
        yield build(() -> new GammaGamma(number(params, "/parameters", "p"),
            number(params, "/parameters", "q"), number(params, "/parameters", "v"), fit),
            "/parameters");
      }
      default -> throw new IllegalArgumentException(
          "/model: must be \"bg-nbd\", \"pareto-nbd\" or \"gamma-gamma\"");
    };
  }

  /**
   * Reads a fitted model of one kind.
   *
   * @throws IllegalArgumentException naming the offending field, or {@code /model} when the text
   *     holds another kind
   */
  public static <T extends FittedModel> T read(String json, Class<T> type) {
    FittedModel m = read(json);
    if (!type.isInstance(m)) {
      throw new IllegalArgumentException("/model: is not a " + type.getSimpleName());
    }
    return type.cast(m);
  }

  private static ModelFit fit(JsonNode root) {
    double ll = number(root, "", "logLikelihood");
    JsonNode customers = root.get("customers");
    if (!customers.isIntegralNumber() || !customers.canConvertToInt()) {
      throw new IllegalArgumentException("/customers: must be an integer");
    }
    JsonNode version = root.get("version");
    if (!version.isIntegralNumber() || !version.canConvertToLong()) {
      throw new IllegalArgumentException("/version: must be an integer");
    }
    PeriodUnit unit;
    try {
      unit = PeriodUnit.fromJsonName(text(root, "/unit", "unit"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("/unit: must be \"days\" or \"weeks\"");
    }
    LocalDate end;
    ZoneId zone;
    Instant fittedAt;
    try {
      end = LocalDate.parse(text(root, "/calibrationEnd", "calibrationEnd"));
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("/calibrationEnd: must be a date (YYYY-MM-DD)");
    }
    try {
      zone = ZoneId.of(text(root, "/zone", "zone"));
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("/zone: must be a time zone id");
    }
    try {
      fittedAt = Instant.parse(text(root, "/fittedAt", "fittedAt"));
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("/fittedAt: must be an ISO-8601 instant");
    }
    return build(() -> new ModelFit(ll, customers.intValue(), unit, end, zone,
        version.longValue(), fittedAt), "");
  }

  /** Runs a record constructor, prefixing its message (which names the field) with a pointer. */
  private static <T> T build(java.util.function.Supplier<T> constructor, String pointer) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("/")) {
        throw e;
      }
      String message = String.valueOf(e.getMessage());
      int space = message.indexOf(' ');
      String field = space < 0 ? message : message.substring(0, space);
      throw new IllegalArgumentException(pointer + "/" + field + ":"
          + (space < 0 ? "" : message.substring(space)), e);
    }
  }

  private static void keys(JsonNode node, String pointer, List<String> expected) {
    Set<String> seen = new LinkedHashSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!expected.contains(k)) {
        throw new IllegalArgumentException(pointer + "/" + escape(k) + ": unknown key");
      }
      seen.add(k);
    }
    for (String k : expected) {
      if (!seen.contains(k)) {
        throw new IllegalArgumentException(pointer + "/" + k + ": missing");
      }
    }
  }

  private static String escape(String key) {
    String k = key.replace("~", "~0").replace("/", "~1");
    return k.length() > 40 ? k.substring(0, 40) + "..." : k;
  }

  private static double number(JsonNode node, String pointer, String key) {
    JsonNode v = node.get(key);
    if (!v.isNumber()) {
      throw new IllegalArgumentException(pointer + "/" + key + ": must be a number");
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException(pointer + "/" + key + ": must be a finite number");
    }
    return d;
  }

  private static String text(JsonNode node, String pointer, String key) {
    JsonNode v = node.get(key);
    if (!v.isTextual()) {
      throw new IllegalArgumentException(pointer + ": must be a string");
    }
    return v.textValue();
  }
}

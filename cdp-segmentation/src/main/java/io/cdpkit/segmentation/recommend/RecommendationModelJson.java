package io.cdpkit.segmentation.recommend;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link RecommendationModel} as JSON, to store it (per workspace) and read it back equal.
 *
 * <pre>{@code
 * {"format": "cdpkit-recommendation-model", "version": 2,
 *  "minSupport": 2, "maxNeighbours": 50, "viewWindow": "PT168H", "customers": 4339,
 *  "items": [
 *    {"sku": "22423", "buyers": 881, "recentBuyers": 95, "viewers": 0,
 *     "boughtWith": [{"sku": "22697", "score": 0.2871, "support": 190}, ...],
 *     "viewedThenBought": []},
 *    ...]}
 * }</pre>
 *
 * Items are written in sku order, neighbours best first; scores are written so that they read
 * back to the same double. Reading is strict: a missing or unknown key, a wrong type, a
 * duplicate key or item, a neighbour naming an unknown item or itself, a score outside (0, 1],
 * a support below {@code minSupport}, more neighbours than {@code maxNeighbours} or another
 * {@code version} are refused with an {@link IllegalArgumentException} naming the field
 * ({@code items[3].boughtWith[0].score}).
 *
 * <p>Not instantiable; thread-safe.
 */
public final class RecommendationModelJson {
  /** The value of {@code "format"}. */
  public static final String FORMAT = "cdpkit-recommendation-model";
  /** The version written, and the only one read. */
  public static final int VERSION = 2;

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
  private static final String[] KINDS = {"boughtWith", "viewedThenBought"};
  private static final Set<String> ROOT_KEYS = Set.of("format", "version", "minSupport",
      "maxNeighbours", "viewWindow", "customers", "items");
  private static final Set<String> ITEM_KEYS =
      Set.of("sku", "buyers", "recentBuyers", "viewers", "boughtWith",
          "viewedThenBought");
  private static final Set<String> NEIGHBOUR_KEYS = Set.of("sku", "score", "support");

  private RecommendationModelJson() {}

  /** The model as compact JSON. */
  public static String write(RecommendationModel model) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("minSupport", model.minSupport());
    root.put("maxNeighbours", model.maxNeighbours());
    root.put("viewWindow", model.viewWindow().toString());
    root.put("customers", model.customers());
    ArrayNode items = root.putArray("items");
    for (int i = 0; i < model.size(); i++) {
      ObjectNode item = items.addObject();
      item.put("sku", model.sku(i));
      item.put("buyers", model.buyersAt(i));
      item.put("recentBuyers", model.recentBuyersAt(i));
      item.put("viewers", model.viewersAt(i));
      for (int k = 0; k < 2; k++) {
        ArrayNode list = item.putArray(KINDS[k]);
        int[] nb = model.neighboursAt(k, i);
        for (int j = 0; j < nb.length; j++) {
          list.addObject().put("sku", model.sku(nb[j]))
              .put("score", model.scoresAt(k, i)[j])
              .put("support", model.supportsAt(k, i)[j]);
        }
      }
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the model as JSON", e);
    }
  }

  /**
   * Reads a model written by {@link #write}.
   *
   * @throws IllegalArgumentException when the text is not such a model, naming the field and
   *     the reason (see the class description)
   */
  public static RecommendationModel read(String json) {
    Objects.requireNonNull(json, "json");
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      throw bad("(text)", at == null ? "is not well-formed JSON"
          : "is not well-formed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr());
    }
    if (root == null || !root.isObject()) {
      throw bad("(root)", "must be an object");
    }
    keys(root, "", ROOT_KEYS);
    if (!FORMAT.equals(text(root, "format", "format"))) {
      throw bad("format", "must be \"" + FORMAT + "\"");
    }
    long version = whole(root, "version", "version");
    if (version != VERSION) {
      throw bad("version", "must be " + VERSION + " (this library reads no other) but was "
          + version);
    }
    long minSupport = whole(root, "minSupport", "minSupport");
    if (minSupport < 1 || minSupport > Integer.MAX_VALUE) {
      throw bad("minSupport", "must be a positive int");
    }
    long maxNeighbours = whole(root, "maxNeighbours", "maxNeighbours");
    if (maxNeighbours < 1 || maxNeighbours > Integer.MAX_VALUE) {
      throw bad("maxNeighbours", "must be a positive int");
    }
    Duration viewWindow;
    try {
      viewWindow = Duration.parse(text(root, "viewWindow", "viewWindow"));
    } catch (DateTimeParseException e) {
      throw bad("viewWindow", "must be an ISO-8601 duration like PT168H");
    }
    if (viewWindow.isNegative() || viewWindow.isZero()) {
      throw bad("viewWindow", "must be positive");
    }
    long customers = whole(root, "customers", "customers");
    if (customers < 0) {
      throw bad("customers", "must not be negative");
    }
    JsonNode itemsNode = root.get("items");
    if (!itemsNode.isArray()) {
      throw bad("items", "must be an array");
    }
    int n = itemsNode.size();
    // Skus first: neighbours may name items listed after them.
    String[] given = new String[n];
    Map<String, Integer> position = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      JsonNode item = itemsNode.get(i);
      String path = "items[" + i + "]";
      if (!item.isObject()) {
        throw bad(path, "must be an object");
      }
      keys(item, path + ".", ITEM_KEYS);
      String sku = text(item, "sku", path + ".sku");
      if (sku.isBlank()) {
        throw bad(path + ".sku", "must not be blank");
      }
      if (position.putIfAbsent(sku, i) != null) {
        throw bad(path + ".sku", "repeats the sku of items[" + position.get(sku) + "]");
      }
      given[i] = sku;
    }
    String[] skus = given.clone();
    Arrays.sort(skus);
    Map<String, Integer> rank = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      rank.put(skus[i], i);
    }
    long[] buyers = new long[n];
    long[] recentBuyers = new long[n];
    long[] viewers = new long[n];
    int[][][] nb = new int[2][n][];
    double[][][] sc = new double[2][n][];
    long[][][] sup = new long[2][n][];
    for (int i = 0; i < n; i++) {
      JsonNode item = itemsNode.get(i);
      String path = "items[" + i + "]";
      int r = rank.get(given[i]);
      buyers[r] = count(item, "buyers", path + ".buyers");
      viewers[r] = count(item, "viewers", path + ".viewers");
      if (buyers[r] > customers) {
        throw bad(path + ".buyers", "must not exceed customers");
      }
      recentBuyers[r] = count(item, "recentBuyers", path + ".recentBuyers");
      if (recentBuyers[r] > buyers[r]) {
        throw bad(path + ".recentBuyers", "must not exceed buyers");
      }
      for (int k = 0; k < 2; k++) {
        String listPath = path + "." + KINDS[k];
        JsonNode list = item.get(KINDS[k]);
        if (!list.isArray()) {
          throw bad(listPath, "must be an array");
        }
        if (list.size() > maxNeighbours) {
          throw bad(listPath, "holds " + list.size() + " neighbours, more than maxNeighbours "
              + maxNeighbours);
        }
        int m = list.size();
        nb[k][r] = new int[m];
        sc[k][r] = new double[m];
        sup[k][r] = new long[m];
        Set<String> seen = new HashSet<>();
        for (int j = 0; j < m; j++) {
          JsonNode e = list.get(j);
          String ePath = listPath + "[" + j + "]";
          if (!e.isObject()) {
            throw bad(ePath, "must be an object");
          }
          keys(e, ePath + ".", NEIGHBOUR_KEYS);
          String sku = text(e, "sku", ePath + ".sku");
          Integer to = rank.get(sku);
          if (to == null) {
            throw bad(ePath + ".sku", "names no item of the model");
          }
          if (to == r) {
            throw bad(ePath + ".sku", "names the item itself");
          }
          if (!seen.add(sku)) {
            throw bad(ePath + ".sku", "repeats an earlier neighbour");
          }
          JsonNode score = e.get("score");
          if (!score.isNumber() || !(score.doubleValue() > 0 && score.doubleValue() <= 1)) {
            throw bad(ePath + ".score", "must be a number in (0, 1]");
          }
          long support = whole(e, "support", ePath + ".support");
          if (support < minSupport) {
            throw bad(ePath + ".support", "must be at least minSupport " + minSupport);
          }
          nb[k][r][j] = to;
          sc[k][r][j] = score.doubleValue();
          sup[k][r][j] = support;
        }
      }
    }
    return new RecommendationModel((int) minSupport, (int) maxNeighbours, viewWindow, customers,
        skus, buyers, recentBuyers, viewers, nb, sc, sup);
  }

  private static void keys(JsonNode node, String prefix, Set<String> allowed) {
    List<String> missing = new ArrayList<>();
    for (String k : allowed) {
      if (!node.has(k)) {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      missing.sort(null);
      throw bad(prefix + missing.get(0), "is missing");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw bad(prefix + k, "is not a field of the format");
      }
    }
  }

  private static String text(JsonNode node, String key, String path) {
    JsonNode v = node.get(key);
    if (!v.isTextual()) {
      throw bad(path, "must be a string");
    }
    return v.textValue();
  }

  private static long whole(JsonNode node, String key, String path) {
    JsonNode v = node.get(key);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw bad(path, "must be a whole number");
    }
    return v.longValue();
  }

  private static long count(JsonNode node, String key, String path) {
    long v = whole(node, key, path);
    if (v < 0) {
      throw bad(path, "must not be negative");
    }
    return v;
  }

  private static IllegalArgumentException bad(String field, String reason) {
    return new IllegalArgumentException("recommendation model JSON: " + field + " " + reason);
  }
}

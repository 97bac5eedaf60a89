package io.cdpkit.segmentation.recommend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.spi.storage.MetadataStorage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A workspace's recommendation model in its metadata: the model's JSON
 * ({@link RecommendationModelJson}) cut into chunks of at most {@link #CHUNK_CHARS} characters
 * under {@code segmentation.recommend.model.00000}, {@code .00001}, ..., and a manifest under
 * {@value #MANIFEST} with the stored version, the chunk count, the length and the SHA-256 of the
 * JSON. One write transaction replaces all of it, so a reader in one read transaction sees one
 * whole version or the one before. Stateless; not instantiable.
 */
final class ModelStore {
  /** The manifest's key. */
  static final String MANIFEST = "segmentation.recommend.manifest";
  /** The chunks' key prefix. */
  static final String CHUNK = "segmentation.recommend.model.";
  /** Characters per chunk: half a metadata value, so a store keeping UTF-8 bytes fits it too. */
  static final int CHUNK_CHARS = MetadataStorage.MAX_VALUE_LENGTH / 2;
  /** The manifest's format name. */
  static final String FORMAT = "cdpkit-recommendation-store";

  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private ModelStore() {}

  /** A stored model as the manifest describes it. */
  record Manifest(long version, int chunks, long chars, String sha256) {}

  /** The manifest in force, if any. */
  static Optional<Manifest> manifest(MetadataStorage md) {
    String text = md.metadata(MANIFEST).get(MANIFEST);
    if (text == null) {
      return Optional.empty();
    }
    try {
      JsonNode n = MAPPER.readTree(text);
      if (!FORMAT.equals(n.path("format").asText())) {
        throw new IllegalStateException("stored recommendation manifest: format must be "
            + FORMAT);
      }
      return Optional.of(new Manifest(n.path("version").asLong(), n.path("chunks").asInt(),
          n.path("chars").asLong(), n.path("sha256").asText()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored recommendation manifest is not JSON", e);
    }
  }

  /**
   * Writes the model's JSON as the next version (inside the caller's write transaction),
   * deleting chunks of an older version that this one does not overwrite.
   */
  static Manifest write(MetadataStorage md, String json) {
    long version = manifest(md).map(Manifest::version).orElse(0L) + 1;
    int chunks = Math.max(1, (json.length() + CHUNK_CHARS - 1) / CHUNK_CHARS);
    for (String key : md.metadata(CHUNK).keySet()) {
      md.deleteMetadata(key);
    }
    for (int i = 0; i < chunks; i++) {
      md.putMetadata(key(i), json.substring(i * CHUNK_CHARS,
          Math.min(json.length(), (i + 1) * CHUNK_CHARS)));
    }
    Manifest m = new Manifest(version, chunks, json.length(), sha256(json));
    ObjectNode n = MAPPER.createObjectNode();
    n.put("format", FORMAT);
    n.put("version", m.version());
    n.put("modelFormatVersion", RecommendationModelJson.VERSION);
    n.put("chunks", m.chunks());
    n.put("chars", m.chars());
    n.put("sha256", m.sha256());
    md.putMetadata(MANIFEST, n.toString());
    return m;
  }

  /**
   * The stored model and its manifest, read in the caller's transaction.
   *
   * @throws IllegalStateException when a chunk is missing or the JSON's length or checksum
   *     differs from the manifest's (a corrupt or partly copied store)
   * @throws IllegalArgumentException when the JSON is no model ({@link RecommendationModelJson})
   */
  static Optional<Map.Entry<Manifest, RecommendationModel>> read(MetadataStorage md) {
    Optional<Manifest> manifest = manifest(md);
    if (manifest.isEmpty()) {
      return Optional.empty();
    }
    Manifest m = manifest.get();
    Map<String, String> chunks = md.metadata(CHUNK);
    StringBuilder json = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 8, m.chars()));
    for (int i = 0; i < m.chunks(); i++) {
      String part = chunks.get(key(i));
      if (part == null) {
        throw new IllegalStateException("stored recommendation model version " + m.version()
            + ": chunk " + i + " of " + m.chunks() + " is missing");
      }
      json.append(part);
    }
    String text = json.toString();
    if (text.length() != m.chars() || !sha256(text).equals(m.sha256())) {
      throw new IllegalStateException("stored recommendation model version " + m.version()
          + ": its chunks do not match the manifest's length and checksum");
    }
    return Optional.of(Map.entry(m, RecommendationModelJson.read(text)));
  }

  static String key(int chunk) {
    return CHUNK + String.format(Locale.ROOT, "%05d", chunk);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }
}

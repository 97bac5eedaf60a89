package io.cdpkit.activation.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.channels.AudienceHashing.Platform;
import io.cdpkit.core.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The published and SDK-derived normalisation vectors of Google Ads, Meta and Snap, from the
 * shared reference data ({@code data/vectors/hashing_vectors.json}).
 */
@DisplayName("Audience hashing matches the platforms' vectors")
class AudienceHashingVectorsTest {
  private static List<JsonNode> vectors() throws Exception {
    Path file = SharedData.dataDir("vectors").resolve("hashing_vectors.json");
    List<JsonNode> out = new ArrayList<>();
    new ObjectMapper().readTree(file.toFile()).forEach(out::add);
    return out;
  }

  @Test
  @DisplayName("the vector file holds the 22 cases of three platforms")
  void allThere() throws Exception {
    List<JsonNode> vectors = vectors();
    assertThat(vectors).hasSize(22);
    assertThat(vectors.stream().map(v -> v.get("platform").asText()).distinct())
        .containsExactlyInAnyOrder("google_ads", "meta_capi", "snap_capi");
  }

  @TestFactory
  @DisplayName("every vector: normalised value and SHA-256")
  Stream<DynamicTest> eachVector() throws Exception {
    return vectors().stream().map(v -> {
      String platform = v.get("platform").asText();
      String field = v.get("field").asText();
      String input = v.get("input").asText();
      String name = platform + " " + field + " \"" + input + "\"";
      return DynamicTest.dynamicTest(name, () -> {
        Platform p = Platform.of(platform);
        assertThat(AudienceHashing.normalize(p, field, input))
            .isEqualTo(v.get("normalized").asText());
        assertThat(AudienceHashing.hash(p, field, input)).isEqualTo(v.get("sha256").asText());
      });
    });
  }
}

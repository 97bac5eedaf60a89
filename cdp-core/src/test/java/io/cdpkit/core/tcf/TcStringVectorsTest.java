package io.cdpkit.core.tcf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.testing.SharedData;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The TC strings of the IAB's own Java decoder tests, from the shared reference data
 * ({@code data/vectors/tcf_v2_vectors.json}): every field each vector lists, both those the
 * IAB test asserts and those decoded independently, must come out exactly. A field name this
 * test does not know fails it, so no listed field goes unchecked. Times are compared to the
 * second, the precision the file writes them in.
 */
@DisplayName("TC strings decode to the fields of the IAB vectors")
class TcStringVectorsTest {
  private static List<JsonNode> vectors() throws Exception {
    Path file = SharedData.dataDir("vectors").resolve("tcf_v2_vectors.json");
    List<JsonNode> out = new ArrayList<>();
    new ObjectMapper().readTree(file.toFile()).forEach(out::add);
    return out;
  }

  @Test
  @DisplayName("the vector file holds 5 strings, and the two decodings of each agree")
  void allThere() throws Exception {
    List<JsonNode> vectors = vectors();
    assertThat(vectors).hasSize(5);
    for (JsonNode v : vectors) {
      assertThat(v.get("core_fields_agree").asBoolean()).isTrue();
    }
  }

  @TestFactory
  @DisplayName("every vector: every listed field")
  Stream<DynamicTest> eachVector() throws Exception {
    return vectors().stream().flatMap(v -> {
      String tc = v.get("tc_string").asText();
      String test = v.get("test").asText();
      return Stream.of("asserted", "core_decoded_independently").map(group ->
          DynamicTest.dynamicTest(test + " " + group, () -> {
            TcString decoded = TcString.decode(tc);
            int checked = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = v.get(group).fields(); it.hasNext();) {
              Map.Entry<String, JsonNode> f = it.next();
              assertThat(actual(decoded, f.getKey()))
                  .as(f.getKey())
                  .isEqualTo(expected(f.getKey(), f.getValue()));
              checked++;
            }
            assertThat(checked).isPositive();
          }));
    });
  }

  /**
   * The vector file writes times to the second (the decisecond 15:53:02.4 of the last vector as
   * 15:53:02), so they are compared to the second; {@link #decisecondsKept()} checks the rest.
   */
  private static Instant toTheSecond(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS);
  }

  @Test
  @DisplayName("created and lastUpdated keep the decisecond (vector 5 holds 15:53:02.4)")
  void decisecondsKept() {
    TcString t = TcString.decode("COv__-wOv__-wC2AAAENAPCgAAAAAAAAAAAAA_wAQA_gEBABAEAAAA");
    // 15837691824 deciseconds, read by hand from bits 6-41 and 42-77.
    assertThat(t.created()).isEqualTo(Instant.parse("2020-03-09T15:53:02.400Z"));
    assertThat(t.lastUpdated()).isEqualTo(Instant.parse("2020-03-09T15:53:02.400Z"));
  }

  private static Object expected(String field, JsonNode value) {
    if (value.isArray()) {
      List<Integer> ids = new ArrayList<>();
      value.forEach(n -> ids.add(n.intValue()));
      return ids;
    }
    if (field.equals("created") || field.equals("lastUpdated")) {
      return Instant.parse(value.asText());
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isInt()) {
      return value.intValue();
    }
    return value.asText();
  }

  private static Object actual(TcString t, String field) {
    switch (field) {
      case "version": return t.version();
      case "created": return toTheSecond(t.created());
      case "lastUpdated": return toTheSecond(t.lastUpdated());
      case "cmpId": return t.cmpId();
      case "cmpVersion": return t.cmpVersion();
      case "consentScreen": return t.consentScreen();
      case "consentLanguage": return t.consentLanguage();
      case "vendorListVersion": return t.vendorListVersion();
      case "tcfPolicyVersion": return t.tcfPolicyVersion();
      case "isServiceSpecific": return t.isServiceSpecific();
      case "useNonStandardStacks": return t.useNonStandardStacks();
      case "specialFeatureOptIns": return t.specialFeatureOptIns().toList();
      case "purposesConsent": return t.purposesConsent().toList();
      case "purposesLITransparency": return t.purposesLITransparency().toList();
      case "purposeOneTreatment": return t.purposeOneTreatment();
      case "publisherCC": return t.publisherCC();
      case "vendorConsents": return t.vendorConsents().toList();
      case "vendorLegitimateInterests": return t.vendorLegitimateInterests().toList();
      case "disclosedVendors": return t.disclosedVendors().orElseThrow().toList();
      case "allowedVendors": return t.allowedVendors().orElseThrow().toList();
      case "pubPurposesConsent_count":
        return t.publisherTc().orElseThrow().pubPurposesConsent().size();
      default:
        return fail("the vector lists a field this test does not check: " + field);
    }
  }
}

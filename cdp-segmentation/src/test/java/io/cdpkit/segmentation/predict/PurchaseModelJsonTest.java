package io.cdpkit.segmentation.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PurchaseModelJsonTest {
  private static final ModelFit FIT = new ModelFit(-9582.429475, 2357, PeriodUnit.WEEKS,
      LocalDate.of(1997, 9, 30), ZoneId.of("Europe/Amsterdam"), 3,
      Instant.parse("2026-12-06T04:00:00.123456789Z"));
  private static final String BG = "{\"format\":1,\"model\":\"bg-nbd\",\"parameters\":{\"r\":"
      + "0.2425,\"alpha\":4.41,\"a\":0.79,\"b\":2.42},\"logLikelihood\":-9582.4,\"customers\":"
      + "2357,\"unit\":\"weeks\",\"calibrationEnd\":\"1997-09-30\",\"zone\":\"UTC\","
      + "\"version\":1,\"fittedAt\":\"2026-12-06T04:00:00Z\"}";

  @Test
  @DisplayName("every model survives write then read exactly, and the text names its kind")
  void roundTrip() {
    FittedModel[] models = {
        new BgNbd(0.24259437, 4.41359, 0.79292, 2.4258834, FIT),
        new ParetoNbd(0.5533, 10.5776, 0.6061, 11.6562, FIT),
        new GammaGamma(6.2488, 3.7448, 15.4445, new ModelFit(-4000.1, 946, PeriodUnit.DAYS,
            LocalDate.of(2011, 11, 8), ZoneId.of("UTC"), 1, Instant.EPOCH))};
    for (FittedModel m : models) {
      String json = PurchaseModelJson.write(m);
      assertThat(PurchaseModelJson.read(json)).isEqualTo(m);
      assertThat(PurchaseModelJson.read(json, m.getClass())).isEqualTo(m);
      assertThat(PurchaseModelJson.write(PurchaseModelJson.read(json))).isEqualTo(json);
    }
    assertThat(PurchaseModelJson.write(models[0])).startsWith("{\"format\":1,\"model\":\"bg-nbd\"")
        .contains("\"unit\":\"weeks\"", "\"zone\":\"Europe/Amsterdam\"", "\"version\":3");
    assertThat(PurchaseModelJson.read(BG)).isInstanceOf(BgNbd.class);
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @DisplayName("bad JSON is refused, naming the field")
  @CsvSource(delimiter = '|', value = {
      "not json | {\"format\": | /: not valid JSON",
      "array | [] | /: must be a JSON object",
      "format | \"format\":1 → \"format\":2 | /format:",
      "model | \"bg-nbd\" → \"bg-nbdx\" | /model:",
      "unknown key | \"version\":1 → \"version\":1,\"extra\":0 | /extra: unknown key",
      "missing key | ,\"zone\":\"UTC\" → | /zone: missing",
      "repeated key | \"version\":1 → \"version\":1,\"version\":2 | /: not valid JSON",
      "negative r | \"r\":0.2425 → \"r\":-0.2425 | /parameters/r: must be a positive",
      "string alpha | \"alpha\":4.41 → \"alpha\":\"4.41\" | /parameters/alpha: must be a number",
      "wrong parameter | \"b\":2.42 → \"s\":2.42 | /parameters/s: unknown key",
      "customers | \"customers\":2357 → \"customers\":0 | /customers: must be >= 1",
      "customers type | \"customers\":2357 → \"customers\":2357.5 | /customers: must be an integer",
      "version | \"version\":1 → \"version\":0 | /version: must be >= 1",
      "unit | \"weeks\" → \"months\" | /unit:",
      "date | \"1997-09-30\" → \"1997-09-31\" | /calibrationEnd:",
      "zone | \"UTC\" → \"Mars/Olympus\" | /zone:",
      "fittedAt | \"2026-12-06T04:00:00Z\" → \"yesterday\" | /fittedAt:",
      "ll | -9582.4 → null | /logLikelihood: must be a number",
      "trailing | }$ → }} | /: not valid JSON",
  })
  void refused(String what, String edit, String message) {
    String json;
    if (!edit.contains("→")) {
      json = edit;
    } else {
      String[] parts = edit.split("→", -1);
      parts[0] = parts[0].strip();
      parts[1] = parts[1].strip();
      json = parts[0].endsWith("$") ? BG + parts[1].substring(1)
          : BG.replace(parts[0], parts[1]);
      assertThat(json).as("the edit applies").isNotEqualTo(BG);
    }
    assertThatThrownBy(() -> PurchaseModelJson.read(json))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
  }

  @Test
  @DisplayName("reading one kind where another is stored names /model")
  void wrongKind() {
    assertThatThrownBy(() -> PurchaseModelJson.read(BG, ParetoNbd.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("/model:");
  }
}

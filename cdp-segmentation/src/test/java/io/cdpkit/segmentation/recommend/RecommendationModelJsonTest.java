package io.cdpkit.segmentation.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecommendationModelJsonTest {
  static final String HEAD = "{\"format\":\"cdpkit-recommendation-model\",\"version\":2,"
      + "\"minSupport\":2,\"maxNeighbours\":50,\"viewWindow\":\"PT168H\",\"customers\":4,";

  @Test
  @DisplayName("the small model's JSON, as written and read back")
  void writesAndReads() {
    RecommendationModel m = RecommenderTest.small();
    String json = RecommendationModelJson.write(m);
    assertThat(json).startsWith(HEAD.replace("50", "" + ItemSimilarity.DEFAULT_MAX_NEIGHBOURS)
        + "\"items\":[{\"sku\":\"A\",\"buyers\":3,\"recentBuyers\":3,"
        + "\"viewers\":0,"
        + "\"boughtWith\":[{\"sku\":\"C\",\"score\":" + 2 / Math.sqrt(6) + ",\"support\":2}");
    assertThat(RecommendationModelJson.read(json)).isEqualTo(m);
    // Items in another order read to the same model.
    String reordered = HEAD + "\"items\":[{\"sku\":\"B\",\"buyers\":1,\"recentBuyers\":0,"
        + "\"viewers\":0,\"boughtWith\":[],\"viewedThenBought\":[]},{\"sku\":\"A\",\"buyers\":1,"
        + "\"recentBuyers\":1,\"viewers\":0,\"boughtWith\":[],\"viewedThenBought\":[]}]}";
    assertThat(RecommendationModelJson.read(reordered).skus()).containsExactly("A", "B");
  }

  private static String item(String sku, String boughtWith) {
    return "{\"sku\":\"" + sku + "\",\"buyers\":2,\"recentBuyers\":1,\"viewers\":0,"
        + "\"boughtWith\":[" + boughtWith + "],\"viewedThenBought\":[]}";
  }

  private static void refused(String json, String message) {
    assertThatThrownBy(() -> RecommendationModelJson.read(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recommendation model JSON: " + message);
  }

  @Test
  @DisplayName("bad JSON is refused naming the field and the reason")
  void refusesBadJson() {
    String okNeighbour = "{\"sku\":\"B\",\"score\":0.5,\"support\":2}";
    refused("[]", "(root) must be an object");
    refused("{\"format\":", "(text) is not well-formed JSON at line 1, column 11");
    refused(HEAD.replace("\"version\":2", "\"version\":1") + "\"items\":[]}",
        "version must be 2 (this library reads no other) but was 1");
    refused(HEAD.replace("\"version\":2,", "") + "\"items\":[]}", "version is missing");
    refused(HEAD + "\"items\":[], \"extra\":1}", "extra is not a field of the format");
    refused(HEAD.replace("\"PT168H\"", "\"a week\"") + "\"items\":[]}",
        "viewWindow must be an ISO-8601 duration like PT168H");
    refused(HEAD.replace("\"minSupport\":2", "\"minSupport\":0") + "\"items\":[]}",
        "minSupport must be a positive int");
    refused(HEAD + "\"items\":{}}", "items must be an array");
    refused(HEAD + "\"items\":[" + item(" ", "") + "]}", "items[0].sku must not be blank");
    refused(HEAD + "\"items\":[" + item("A", "") + "," + item("A", "") + "]}",
        "items[1].sku repeats the sku of items[0]");
    refused(HEAD + "\"items\":[" + item("A", okNeighbour) + "]}",
        "items[0].boughtWith[0].sku names no item of the model");
    refused(HEAD + "\"items\":[" + item("A", okNeighbour) + "," + item("B", okNeighbour) + "]}",
        "items[1].boughtWith[0].sku names the item itself");
    refused(HEAD + "\"items\":[" + item("A", okNeighbour.replace("0.5", "1.5")) + ","
        + item("B", "") + "]}", "items[0].boughtWith[0].score must be a number in (0, 1]");
    refused(HEAD + "\"items\":[" + item("A", okNeighbour.replace("0.5", "\"0.5\"")) + ","
        + item("B", "") + "]}", "items[0].boughtWith[0].score must be a number in (0, 1]");
    refused(HEAD + "\"items\":[" + item("A", okNeighbour.replace("\"support\":2", "\"support\":1"))
        + "," + item("B", "") + "]}", "items[0].boughtWith[0].support must be at least "
        + "minSupport 2");
    refused(HEAD + "\"items\":[" + item("A", okNeighbour + "," + okNeighbour) + ","
        + item("B", "") + "]}", "items[0].boughtWith[1].sku repeats an earlier neighbour");
    refused(HEAD + "\"items\":[" + item("A", "").replace("\"buyers\":2", "\"buyers\":-1")
        + "]}", "items[0].buyers must not be negative");
    refused(HEAD + "\"items\":[" + item("A", "").replace("\"buyers\":2", "\"buyers\":5")
        + "]}", "items[0].buyers must not exceed customers");
    refused(HEAD + "\"items\":[" + item("A", "").replace("\"recentBuyers\":1",
        "\"recentBuyers\":3") + "]}", "items[0].recentBuyers must not exceed buyers");
    refused(HEAD + "\"items\":[" + item("A", "").replace("\"recentBuyers\":1,", "")
        + "]}", "items[0].recentBuyers is missing");
    refused(HEAD + "\"items\":[" + item("A", "").replace(",\"viewedThenBought\":[]", "")
        + "]}", "items[0].viewedThenBought is missing");
    refused("{\"format\":\"x\",\"format\":\"y\"}",
        "(text) is not well-formed JSON at line 1, column 23");
  }
}

package io.cdpkit.segmentation.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.Event;
import io.cdpkit.segmentation.recommend.CustomerHistory.Purchase;
import io.cdpkit.segmentation.recommend.CustomerHistory.View;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RecommenderTest {
  static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  static Instant day(int d) {
    return T.plus(Duration.ofDays(d));
  }

  static CustomerHistory bought(Purchase... purchases) {
    return new CustomerHistory(List.of(purchases), List.of());
  }

  /**
   * c1 {A, B}; c2 {A, B} then {C}; c3 {A, C}; c4 {B}. Buyers: A 3, B 3, C 2. Pairs: A-B by c1
   * and c2 (2), A-C by c2 across orders and c3 in one (2), B-C by c2 only (1, below the
   * minimum support 2). Cosines: A-B 2/sqrt(3*3) = 0.6667, A-C 2/sqrt(3*2) = 0.8165.
   */
  static RecommendationModel small() {
    return ItemSimilarity.defaults().train(List.of(
        bought(Purchase.of(day(0), "A", "B")),
        bought(Purchase.of(day(0), "A", "B"), Purchase.of(day(5), "C")),
        bought(Purchase.of(day(1), "A", "C")),
        bought(Purchase.of(day(2), "B"))), ProgressListener.none());
  }

  @Test
  @DisplayName("known small baskets give the hand-computed cosine neighbours, under min support")
  void handComputedNeighbours() {
    RecommendationModel m = small();
    assertThat(m.skus()).containsExactly("A", "B", "C");
    assertThat(m.customers()).isEqualTo(4);
    assertThat(m.buyers("A")).isEqualTo(3);
    assertThat(m.buyers("C")).isEqualTo(2);
    assertThat(m.neighbours("A")).containsExactly(
        new Neighbour("C", Link.BOUGHT_WITH, 2 / Math.sqrt(6), 2),
        new Neighbour("B", Link.BOUGHT_WITH, 2 / Math.sqrt(9), 2));
    assertThat(m.neighbours("B")).containsExactly(
        new Neighbour("A", Link.BOUGHT_WITH, 2 / Math.sqrt(9), 2));
    assertThat(m.neighbours("C")).containsExactly(
        new Neighbour("A", Link.BOUGHT_WITH, 2 / Math.sqrt(6), 2));
    assertThat(m.neighbours("Z")).isEmpty();
    assertThat(m.popular(5)).containsExactly("A", "B", "C");

    RecommendationModel one = ItemSimilarity.builder().minSupport(1).build().train(List.of(
        bought(Purchase.of(day(0), "A", "B")),
        bought(Purchase.of(day(0), "A", "B"), Purchase.of(day(5), "C")),
        bought(Purchase.of(day(1), "A", "C")),
        bought(Purchase.of(day(2), "B"))), ProgressListener.none());
    assertThat(one.neighbours("B")).extracting(Neighbour::sku, Neighbour::score)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("A", 2 / Math.sqrt(9)),
            org.assertj.core.groups.Tuple.tuple("C", 1 / Math.sqrt(6)));
  }

  @Test
  @DisplayName("views followed within the window by an order of another item: directed cosine")
  void viewedThenBought() {
    // V(D) = {c1, c2, c3, c5}; B(A) = {c1, c2, c4, c5}; s(D, A) = {c1, c2}: 2 / sqrt(4 * 4).
    // c2's B comes 10 days after the view (outside 7 days); c5 viewed D after buying A.
    RecommendationModel m = ItemSimilarity.builder().build().train(List.of(
        new CustomerHistory(List.of(Purchase.of(day(1), "A")), List.of(new View(day(0), "D"))),
        new CustomerHistory(List.of(Purchase.of(day(7), "A"), Purchase.of(day(10), "B")),
            List.of(new View(day(0), "D"))),
        new CustomerHistory(List.of(), List.of(new View(day(0), "D"))),
        bought(Purchase.of(day(0), "A")),
        new CustomerHistory(List.of(Purchase.of(day(0), "A")),
            List.of(new View(day(0).plusSeconds(3600), "D")))), ProgressListener.none());
    assertThat(m.viewers("D")).isEqualTo(4);
    assertThat(m.neighbours("D")).containsExactly(
        new Neighbour("A", Link.VIEWED_THEN_BOUGHT, 0.5, 2));
    assertThat(m.neighbours("A")).isEmpty();

    Recommender r = Recommender.builder(m).build();
    List<Recommendation> top = r.recommend(
        new CustomerHistory(List.of(), List.of(new View(day(20), "D"))), day(20), 1, Set.of());
    assertThat(top).containsExactly(new Recommendation("A", 0.5,
        List.of(new Reason("D", Link.VIEWED_THEN_BOUGHT, 0.5)), false));
    assertThat(top.get(0).strongest().toString()).startsWith("viewed then bought D");
  }

  @Test
  @DisplayName("scores sum the neighbours of the history; recent purchases are never offered")
  void recommendsAndExplains() {
    Recommender r = Recommender.builder(small()).build();
    Instant now = day(300);
    // Bought A 10 days ago: A is excluded; C and B follow from A.
    List<Recommendation> top = r.recommend(bought(Purchase.of(day(290), "A")), now, 5, Set.of());
    assertThat(top).extracting(Recommendation::sku).containsExactly("C", "B");
    assertThat(top.get(0).score()).isCloseTo(2 / Math.sqrt(6), within(1e-12));
    assertThat(top.get(0).because()).containsExactly(
        new Reason("A", Link.BOUGHT_WITH, 2 / Math.sqrt(6)));
    assertThat(top).noneMatch(Recommendation::popularityFallback);

    // Bought B and C long ago: A is bought with both, its score the mean over the two sources
    // ((0.6667 + 0.8165) / 2); B and C come back as "buy again" (each in 1 of the 2 orders), as
    // they are outside the 90-day window.
    top = r.recommend(bought(Purchase.of(day(0), "B"), Purchase.of(day(1), "C")), now, 3,
        Set.of());
    assertThat(top.get(0).sku()).isEqualTo("A");
    assertThat(top.get(0).because()).containsExactly(
        new Reason("B", Link.BOUGHT_WITH, 2 / Math.sqrt(9) / 2),
        new Reason("C", Link.BOUGHT_WITH, 2 / Math.sqrt(6) / 2));
    assertThat(top.get(0).score()).isEqualTo(2 / Math.sqrt(9) / 2 + 2 / Math.sqrt(6) / 2);
    assertThat(top.get(0).strongest().sourceSku()).isEqualTo("C");
    assertThat(top.subList(1, 3)).containsExactly(
        new Recommendation("B", 0.5, List.of(new Reason("B", Link.BUY_AGAIN, 0.5)), false),
        new Recommendation("C", 0.5, List.of(new Reason("C", Link.BUY_AGAIN, 0.5)), false));

    // Exclusions and availability remove candidates; the next ones move up.
    top = r.recommend(bought(Purchase.of(day(290), "A")), now, 5, Set.of("C"));
    assertThat(top).extracting(Recommendation::sku).containsExactly("B");
    Recommender inStock = Recommender.builder(small()).availability(s -> !s.equals("C")).build();
    assertThat(inStock.recommend(bought(Purchase.of(day(290), "A")), now, 5, Set.of()))
        .extracting(Recommendation::sku).containsExactly("B");
  }

  @Test
  @DisplayName("a history without known items gets the most bought items, flagged as such")
  void popularityFallback() {
    Recommender r = Recommender.builder(small()).build();
    List<Recommendation> top = r.recommend(bought(Purchase.of(day(299), "Z")), day(300), 2,
        Set.of());
    // A and B are both bought by 3 of 4 customers, all within the 30 days before the latest
    // purchase (day 5): ties by sku. The score: recent share, plus the all-time share / 5.
    double share = (3 + 3 / 5.0) / 4;
    assertThat(top).containsExactly(
        new Recommendation("A", share, List.of(new Reason("A", Link.POPULAR, share)), true),
        new Recommendation("B", share, List.of(new Reason("B", Link.POPULAR, share)), true));
    assertThat(r.recommend(CustomerHistory.EMPTY, day(300), 10, Set.of()))
        .extracting(Recommendation::sku).containsExactly("A", "B", "C");
  }

  @Test
  @DisplayName("the fallback ranks by recent buyers (popularity window), popular() by all buyers")
  void trendingFallback() {
    // X: 3 customers on day 0; Y: 2 customers on day 100 (the latest purchase), so only Y's
    // buyers are within the 30 days before it.
    RecommendationModel m = ItemSimilarity.defaults().train(List.of(
        bought(Purchase.of(day(0), "X")), bought(Purchase.of(day(0), "X")),
        bought(Purchase.of(day(0), "X")), bought(Purchase.of(day(100), "Y")),
        bought(Purchase.of(day(70), "Y"))), ProgressListener.none());
    assertThat(m.popular(2)).containsExactly("X", "Y");
    assertThat(m.trending(2)).containsExactly("Y", "X");
    assertThat(m.recentBuyers("Y")).isEqualTo(2);
    assertThat(m.recentBuyers("X")).isZero();
    assertThat(Recommender.builder(m).build().recommend(CustomerHistory.EMPTY, day(101), 2,
        Set.of())).extracting(Recommendation::sku).containsExactly("Y", "X");
    RecommendationModel wide = ItemSimilarity.builder().popularityWindow(Duration.ofDays(100))
        .build().train(List.of(bought(Purchase.of(day(0), "X")),
            bought(Purchase.of(day(0), "X")), bought(Purchase.of(day(0), "X")),
            bought(Purchase.of(day(100), "Y")), bought(Purchase.of(day(70), "Y"))),
            ProgressListener.none());
    assertThat(wide.trending(2)).containsExactly("X", "Y");
  }

  @Test
  @DisplayName("buy again: the share of the customer's orders that held an item bought before")
  void buyAgain() {
    // A in 2 of 3 orders, all before the 90-day window; B in one of them.
    Recommender r = Recommender.builder(small()).build();
    CustomerHistory h = bought(Purchase.of(day(0), "A"), Purchase.of(day(10), "A", "B"),
        Purchase.of(day(20), "Z"));
    List<Recommendation> top = r.recommend(h, day(300), 5, Set.of());
    Recommendation a = top.stream().filter(x -> x.sku().equals("A")).findFirst().orElseThrow();
    assertThat(a.because()).contains(new Reason("A", Link.BUY_AGAIN, 2 / 3.0));
    // Bought again within the window: never offered, however often bought before.
    CustomerHistory recent = bought(Purchase.of(day(0), "A"), Purchase.of(day(10), "A"),
        Purchase.of(day(250), "A"));
    assertThat(r.recommend(recent, day(300), 5, Set.of())).extracting(Recommendation::sku)
        .doesNotContain("A");
  }

  @Test
  @DisplayName("the purchase window: bought at now - window is excluded, a second earlier is not")
  void windowEdges() {
    Recommender r = Recommender.builder(small()).purchaseWindow(Duration.ofDays(30)).build();
    Instant now = day(300);
    CustomerHistory atEdge = bought(Purchase.of(day(0), "A"), Purchase.of(day(270), "C"));
    assertThat(r.recommend(atEdge, now, 5, Set.of())).extracting(Recommendation::sku)
        .doesNotContain("C").contains("B");
    CustomerHistory before = bought(Purchase.of(day(0), "A"),
        Purchase.of(day(270).minusSeconds(1), "C"));
    // A (from C) and C (from A) tie at 2/sqrt(6): by sku.
    assertThat(r.recommend(before, now, 5, Set.of())).extracting(Recommendation::sku)
        .startsWith("A", "C");
    // A purchase dated after now is no evidence, but its item is still not offered.
    CustomerHistory future = bought(Purchase.of(day(301), "A"));
    assertThat(r.recommend(future, now, 5, Set.of())).extracting(Recommendation::sku)
        .doesNotContain("A").allMatch(s -> !s.isEmpty());
    assertThat(r.recommend(future, now, 5, Set.of())).allMatch(Recommendation::popularityFallback);
  }

  @Test
  @DisplayName("a profile's Order Completed and Product Viewed events become its history")
  void fromEvents() {
    Event order = Event.track("Order Completed").messageId("m1").userId("u").timestamp(day(1))
        .property("products", List.of(Map.of("product_id", "A"), Map.of("sku", " B "),
            Map.of("productId", 42L), Map.of("name", "no sku")))
        .build();
    Event view = Event.track("Product Viewed").messageId("m2").userId("u").timestamp(day(0))
        .property("sku", "D").build();
    Event other = Event.track("Cart Viewed").messageId("m3").userId("u").timestamp(day(0))
        .property("sku", "E").build();
    CustomerHistory h = CustomerHistory.fromEvents(List.of(order, view, other));
    assertThat(h.purchases()).containsExactly(new Purchase(day(1), Set.of("A", "B", "42")));
    assertThat(h.views()).containsExactly(new View(day(0), "D"));
  }

  @Test
  @DisplayName("the listener hears the histories read and the items scored")
  void progress() {
    List<String> heard = new ArrayList<>();
    ItemSimilarity.defaults().train(List.of(bought(Purchase.of(day(0), "A", "B"))),
        (phase, done, total) -> heard.add(phase + " " + done + "/" + total));
    assertThat(heard).containsExactly("read 1/-1", "score 2/2");
  }

  @Test
  @DisplayName("bad input is refused naming the field")
  void badInput() {
    assertThatThrownBy(() -> Purchase.of(T, "A", " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("skus must not be blank");
    assertThatThrownBy(() -> new View(T, ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("sku must not be blank");
    Recommender r = Recommender.builder(small()).build();
    assertThatThrownBy(() -> r.recommend(CustomerHistory.EMPTY, T, 0, Set.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("n must be");
    assertThatThrownBy(() -> r.recommend(CustomerHistory.EMPTY, T, -3, Set.of()))
        .hasMessageStartingWith("n must be");
    assertThatThrownBy(() -> r.recommend(CustomerHistory.EMPTY, T, 1, Set.of("\t")))
        .hasMessage("exclusions must not be blank");
    assertThatThrownBy(() -> Recommender.builder(small()).purchaseWindow(Duration.ofDays(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("purchaseWindow must not be negative");
    assertThatThrownBy(() -> ItemSimilarity.builder().viewWindow(Duration.ofSeconds(-1)))
        .hasMessageStartingWith("viewWindow must be positive");
    assertThatThrownBy(() -> ItemSimilarity.builder().minSupport(0))
        .hasMessageStartingWith("minSupport must be at least 1");
    assertThatThrownBy(() -> ItemSimilarity.builder().maxNeighbours(0))
        .hasMessageStartingWith("maxNeighbours must be at least 1");
    assertThatThrownBy(() -> small().popular(-1)).hasMessageStartingWith("n must not be");
  }
}

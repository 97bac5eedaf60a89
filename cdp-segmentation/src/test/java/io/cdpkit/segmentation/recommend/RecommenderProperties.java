package io.cdpkit.segmentation.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.segmentation.recommend.CustomerHistory.Purchase;
import io.cdpkit.segmentation.recommend.CustomerHistory.View;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The recommender's promises over random workspaces: what was bought within the window and
 * what is unavailable never comes back, every score is the sum of its reasons, and the model
 * does not depend on the order of its training data.
 */
class RecommenderProperties {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  @Provide
  Arbitrary<String> skus() {
    return Arbitraries.integers().between(0, 9).map(i -> "s" + i);
  }

  @Provide
  Arbitrary<CustomerHistory> history() {
    Arbitrary<Instant> at = Arbitraries.longs().between(-200 * 24, 10 * 24)
        .map(h -> NOW.plus(Duration.ofHours(h)));
    Arbitrary<Purchase> purchase = Combinators.combine(at, skus().set().ofMinSize(1).ofMaxSize(4))
        .as(Purchase::new);
    Arbitrary<View> view = Combinators.combine(at, skus()).as(View::new);
    return Combinators.combine(purchase.list().ofMaxSize(5), view.list().ofMaxSize(4))
        .as(CustomerHistory::new);
  }

  @Provide
  Arbitrary<List<CustomerHistory>> workspace() {
    return history().list().ofMinSize(1).ofMaxSize(25);
  }

  @Property(tries = 300)
  void neverRecommendsWhatWasBoughtWithinTheWindow(
      @ForAll("workspace") List<CustomerHistory> training,
      @ForAll("history") CustomerHistory customer,
      @ForAll("skus") String excluded,
      @ForAll int seed) {
    Random random = new Random(seed);
    Duration window = Duration.ofHours(random.nextInt(150 * 24));
    RecommendationModel model = ItemSimilarity.builder().minSupport(1 + random.nextInt(2))
        .build().train(training, ProgressListener.none());
    Recommender r = Recommender.builder(model).purchaseWindow(window).build();
    Set<String> recent = new HashSet<>();
    for (Purchase p : customer.purchases()) {
      if (!p.at().isBefore(NOW.minus(window))) {
        recent.addAll(p.skus());
      }
    }
    List<Recommendation> top = r.recommend(customer, NOW, 1 + random.nextInt(12),
        Set.of(excluded));
    for (Recommendation rec : top) {
      assertThat(recent).doesNotContain(rec.sku());
      assertThat(rec.sku()).isNotEqualTo(excluded);
    }
    assertThat(top).extracting(Recommendation::sku).doesNotHaveDuplicates();
  }

  @Property(tries = 300)
  void unavailableNeverRecommendedAndReasonsSumToTheScore(
      @ForAll("workspace") List<CustomerHistory> training,
      @ForAll("history") CustomerHistory customer,
      @ForAll("skus") String unavailable,
      @ForAll("skus") String alsoUnavailable) {
    RecommendationModel model = ItemSimilarity.builder().minSupport(1).build()
        .train(training, ProgressListener.none());
    Recommender r = Recommender.builder(model)
        .availability(s -> !s.equals(unavailable) && !s.equals(alsoUnavailable)).build();
    List<Recommendation> top = r.recommend(customer, NOW, 10, Set.of());
    assertThat(top).extracting(Recommendation::sku)
        .doesNotContain(unavailable, alsoUnavailable);
    double previous = Double.POSITIVE_INFINITY;
    boolean fallbackSeen = false;
    for (Recommendation rec : top) {
      double sum = 0;
      for (Reason reason : rec.because()) {
        sum += reason.contribution();
        assertThat(reason.link() == Link.POPULAR).isEqualTo(rec.popularityFallback());
      }
      assertThat(rec.score()).isEqualTo(sum);
      if (rec.popularityFallback()) {
        fallbackSeen = true;
      } else {
        // Personal ones come first, best first.
        assertThat(fallbackSeen).isFalse();
        assertThat(rec.score()).isLessThanOrEqualTo(previous);
        previous = rec.score();
      }
    }
  }

  @Property(tries = 200)
  void trainingDataInAnyOrderGivesTheSameModel(
      @ForAll("workspace") List<CustomerHistory> training, @ForAll long seed) {
    Random random = new Random(seed);
    List<CustomerHistory> shuffled = new ArrayList<>();
    for (CustomerHistory h : training) {
      List<Purchase> purchases = new ArrayList<>(h.purchases());
      List<View> views = new ArrayList<>(h.views());
      Collections.shuffle(purchases, random);
      Collections.shuffle(views, random);
      shuffled.add(new CustomerHistory(purchases, views));
    }
    Collections.shuffle(shuffled, random);
    ItemSimilarity similarity = ItemSimilarity.builder().minSupport(1).maxNeighbours(3).build();
    RecommendationModel a = similarity.train(training, ProgressListener.none());
    RecommendationModel b = similarity.train(shuffled, ProgressListener.none());
    assertThat(b).isEqualTo(a);
    assertThat(RecommendationModelJson.write(b)).isEqualTo(RecommendationModelJson.write(a));
  }

  @Property(tries = 200)
  void jsonRoundTripGivesAnEqualModel(@ForAll("workspace") List<CustomerHistory> training,
      @ForAll boolean strict) {
    RecommendationModel model = ItemSimilarity.builder().minSupport(strict ? 2 : 1)
        .maxNeighbours(strict ? 2 : 50).viewWindow(Duration.ofDays(3)).build()
        .train(training, ProgressListener.none());
    String json = RecommendationModelJson.write(model);
    RecommendationModel back = RecommendationModelJson.read(json);
    assertThat(back).isEqualTo(model);
    assertThat(RecommendationModelJson.write(back)).isEqualTo(json);
  }
}

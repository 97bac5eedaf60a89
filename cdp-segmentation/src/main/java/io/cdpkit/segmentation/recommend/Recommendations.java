package io.cdpkit.segmentation.recommend;

import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.catalog.Catalog;
import io.cdpkit.core.catalog.ProductLookup;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.StoredEvent;
import io.cdpkit.core.traits.AggregateState;
import io.cdpkit.core.traits.Aggregation;
import io.cdpkit.core.traits.ComputedTrait;
import io.cdpkit.core.traits.ComputedTraits;
import io.cdpkit.core.traits.DerivedTrait;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Partial;
import io.cdpkit.core.traits.TraitContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Recommendations in the engine: a model per workspace, trained from the profiles' events and
 * kept in the workspace's metadata; a real-time call for the webshop; and the derived trait
 * {@value #TRAIT} for segments and activation templates.
 *
 * <pre>{@code
 * Recommendations recommendations = Recommendations.builder()
 *     .purchaseWindow(Duration.ofDays(90)).traitSize(10).build();
 * try (Cdp cdp = Cdp.builder().extension(recommendations).build()) {
 *   cdp.ingest(...);
 *   recommendations.train(WorkspaceId.DEFAULT, ProgressListener.none());  // nightly, say
 *   List<Recommendation> top = recommendations.recommend(WorkspaceId.DEFAULT, profileId, 5);
 * }
 * }</pre>
 *
 * <h2>What a profile is recommended</h2>
 * What {@link Recommender} gives for the profile's {@link CustomerSummary}: item-to-item scores
 * from its purchases and views, "buy again" for items last bought before the purchase window,
 * and the recency-ordered popularity fallback; never an item bought within the window, never an
 * unavailable one. The summary is kept by hidden computed traits ({@link #computedTraits()}): per sku
 * bought (the {@code products[]} of the {@code Cdp}'s order events, named by {@code sku},
 * {@code product_id} or {@code productId}) how often and when first and last, the number of
 * orders, and the last 50 products viewed ({@code Product Viewed}). Being computed traits, they
 * join when profiles merge (a merged-away id resolves to the survivor, whose summary holds
 * both) and do not depend on the order events came in. "How often" counts the order lines
 * naming the sku, so an order listing a sku on two lines counts twice (the share is capped at
 * 1); the training reads the events themselves ({@link CustomerHistory#fromEvents}).
 *
 * <h2>Availability</h2>
 * When the workspace's catalog ({@code workspace.catalog()}) holds products, an item is offered
 * only when the catalog has it and it is available (no stock given, or stock above 0): a sku the
 * catalog does not know (never listed, or removed) is not offered. A workspace with an empty
 * catalog has no availability information, and every item may be offered.
 *
 * <h2>The stored model</h2>
 * {@link #train} reads every profile's events (a page of profiles per read transaction;
 * restricted profiles are skipped), trains an {@link ItemSimilarity} model and writes its JSON
 * into the workspace's metadata in one write transaction: chunks of at most 512 Ki characters
 * under {@code segmentation.recommend.model.NNNNN} and a manifest
 * {@code segmentation.recommend.manifest} with the version (1, 2, ...), the chunk count, the
 * length and the SHA-256 of the JSON, which reading checks (the UCI year's model is about 4 MB:
 * 8 chunks). The model is loaded when the {@code Cdp} opens the workspace. Another node sharing
 * the store sees a new version when it next calls {@link #recommend} after
 * {@link Builder#refreshEvery} (default 30 s) has passed since its last look, or when the host
 * calls {@link #refresh}; so within {@code refreshEvery} of the training's commit for a node
 * that serves calls. The derived trait reads the model this instance has loaded; a profile's
 * stored trait value (in a segment's membership) changes with the new model when the profile
 * is next evaluated.
 *
 * <p>Limits: the model is held in memory per workspace (about as much as its JSON); training
 * holds every profile's purchases in memory; the trait's value follows the catalog only when
 * the profile is evaluated (a product running out of stock does not re-evaluate segments).
 *
 * <p>Thread-safe. An instance serves one {@code Cdp}.
 */
public final class Recommendations implements CdpExtension {
  /** The derived trait: the top {@link Builder#traitSize} skus, best first. */
  public static final String TRAIT = "recommended_products";
  /** Hidden computed trait: the number of order events. */
  static final String ORDERS = "_recommend_orders";
  /** Profiles read per transaction while training. */
  static final int PAGE = 500;

  private static final EventFilter VIEWS =
      new EventFilter(Set.of(CustomerHistory.PRODUCT_VIEWED), List.of());

  private final Duration purchaseWindow;
  private final int traitSize;
  private final ItemSimilarity similarity;
  private final Duration refreshEvery;
  private final ComputedTraits traits;
  private volatile @Nullable ExtensionContext context;
  private final ConcurrentHashMap<WorkspaceId, Loaded> models = new ConcurrentHashMap<>();

  /** A workspace's model as loaded, and when the store was last looked at (nanoTime). */
  private record Loaded(long version, @Nullable RecommendationModel model, long checkedNanos) {}

  private Recommendations(Builder b) {
    this.purchaseWindow = b.purchaseWindow;
    this.traitSize = b.traitSize;
    this.similarity = b.similarity;
    this.refreshEvery = b.refreshEvery;
    List<ComputedTrait> aggregates = new ArrayList<>();
    for (String key : ProductLookup.PRODUCT_KEYS) {
      aggregates.add(ComputedTrait.builder(boughtName(key), Aggregation.UNIQUE_LIST)
          .filter(EventFilter.ORDERS).property("products[]." + key).build());
      aggregates.add(ComputedTrait.builder(viewedName(key), Aggregation.RECENT)
          .filter(VIEWS).property(key).build());
    }
    aggregates.add(ComputedTrait.builder(ORDERS, Aggregation.COUNT)
        .filter(EventFilter.ORDERS).build());
    Set<String> inputs = new LinkedHashSet<>();
    aggregates.forEach(a -> inputs.add(a.name()));
    this.traits = ComputedTraits.of(aggregates, List.of(new Trait(Set.copyOf(inputs))));
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  static String boughtName(String key) {
    return "_recommend_bought_" + key.toLowerCase(java.util.Locale.ROOT);
  }

  static String viewedName(String key) {
    return "_recommend_viewed_" + key.toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The computed traits this extension adds to the {@code Cdp} it is plugged into:
   * {@value #TRAIT} and the hidden aggregations it reads (names starting {@code _recommend_}).
   * The host declares nothing; {@code Cdp.Builder.extension} declares these.
   */
  @Override
  public ComputedTraits computedTraits() {
    return traits;
  }

  /** How long a purchase keeps its item from being recommended. */
  public Duration purchaseWindow() {
    return purchaseWindow;
  }

  /**
   * @throws IllegalStateException when already attached, or when the {@code Cdp} does not
   *     declare {@link #traits()}
   */
  @Override
  public synchronized void attach(ExtensionContext context) {
    if (this.context != null) {
      throw new IllegalStateException("these Recommendations are already attached to a Cdp");
    }
    this.context = Objects.requireNonNull(context, "context");
  }

  /** Loads the workspace's stored model, if any. */
  @Override
  public void workspaceOpened(WorkspaceId workspace) {
    refresh(workspace);
  }

  /**
   * Reads the workspace's stored model again when its version differs from the one loaded.
   *
   * @return the version now loaded, 0 when the workspace has none
   * @throws IllegalStateException when the stored model is corrupt (see the class description)
   */
  public long refresh(WorkspaceId workspace) {
    Objects.requireNonNull(workspace, "workspace");
    ExtensionContext c = context();
    Loaded before = models.get(workspace);
    long known = before == null ? -1 : before.version();
    Loaded now = c.store().read(workspace, tx -> {
      MetadataStorage md = tx.require(MetadataStorage.class);
      Optional<ModelStore.Manifest> m = ModelStore.manifest(md);
      if (m.isEmpty()) {
        return new Loaded(0, null, System.nanoTime());
      }
      if (m.get().version() == known && before != null) {
        return new Loaded(known, before.model(), System.nanoTime());
      }
      Map.Entry<ModelStore.Manifest, RecommendationModel> read = ModelStore.read(md).orElseThrow();
      return new Loaded(read.getKey().version(), read.getValue(), System.nanoTime());
    });
    models.put(workspace, now);
    return now.version();
  }

  /**
   * Trains the workspace's model from every profile's events and stores it as the next version;
   * this instance uses it at once. Then the segments that read {@value #TRAIT} are re-evaluated
   * over every profile ({@link ExtensionContext#traitsChanged}), so memberships follow the new
   * model now rather than at each profile's next change. Phases reported: {@code "read"}
   * (profiles read, total unknown), {@code "score"} (items scored of all items), {@code "store"}
   * (0 then 1), then segmentation's {@code "evaluate"} when a segment reads the trait.
   *
   * @throws io.cdpkit.core.StorageException when the store fails; the previous version stays
   */
  public TrainingReport train(WorkspaceId workspace, ProgressListener listener) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(listener, "listener");
    ExtensionContext c = context();
    long started = System.nanoTime();
    List<CustomerHistory> histories = new ArrayList<>();
    ProfileId after = null;
    long read = 0;
    while (true) {
      ProfileId from = after;
      List<ProfileRecord> page = c.store().read(workspace, tx -> tx.profilesAfter(from, PAGE));
      if (page.isEmpty()) {
        break;
      }
      List<CustomerHistory> h = c.store().read(workspace, tx -> {
        List<CustomerHistory> out = new ArrayList<>(page.size());
        for (ProfileRecord r : page) {
          if (!r.state().restricted()) {
            out.add(CustomerHistory.fromEvents(
                c.readModel().events(tx, r.id()).stream().map(StoredEvent::event).toList()));
          }
        }
        return out;
      });
      histories.addAll(h);
      read += h.size();
      listener.progress("read", read, ProgressListener.UNKNOWN);
      after = page.get(page.size() - 1).id();
    }
    RecommendationModel model = similarity.train(histories, (phase, done, total) -> {
      if (phase.equals("score")) {
        listener.progress("score", done, total);
      }
    });
    String json = RecommendationModelJson.write(model);
    listener.progress("store", 0, 1);
    ModelStore.Manifest m = c.store().write(workspace,
        tx -> ModelStore.write(tx.require(MetadataStorage.class), json));
    models.put(workspace, new Loaded(m.version(), model, System.nanoTime()));
    listener.progress("store", 1, 1);
    c.traitsChanged(workspace, Set.of(TRAIT), listener);
    return new TrainingReport(read, model.customers(), model.size(), m.version(), m.chunks(),
        json.length(), Duration.ofNanos(System.nanoTime() - started));
  }

  /**
   * The best {@code n} items for a profile now (by the {@code Cdp}'s clock), best first: the
   * call a webshop makes. A merged-away id is followed to its profile; an id that resolves to
   * no profile (never seen, or erased) gets the popularity fallback, as a new visitor would; a
   * restricted profile gets nothing. Empty while the workspace has no model.
   *
   * @throws IllegalArgumentException when {@code n} is not within 1 and
   *     {@value Recommender#MAX_N}
   */
  public List<Recommendation> recommend(WorkspaceId workspace, ProfileId profile, int n) {
    return recommend(workspace, profile, n, Set.of());
  }

  /**
   * As {@link #recommend(WorkspaceId, ProfileId, int)}, never offering the skus in
   * {@code exclusions} (what is in the cart, say).
   *
   * @throws IllegalArgumentException naming the field: {@code n} out of range, a blank sku in
   *     {@code exclusions}
   */
  public List<Recommendation> recommend(WorkspaceId workspace, ProfileId profile, int n,
      Set<String> exclusions) {
    Objects.requireNonNull(exclusions, "exclusions");
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(profile, "profile");
    if (n < 1 || n > Recommender.MAX_N) {
      throw new IllegalArgumentException(
          "n must be within 1 and " + Recommender.MAX_N + " but was " + n);
    }
    ExtensionContext c = context();
    Loaded loaded = models.get(workspace);
    if (loaded == null || System.nanoTime() - loaded.checkedNanos() > refreshEvery.toNanos()) {
      refresh(workspace);
      loaded = models.get(workspace);
    }
    RecommendationModel model = loaded == null ? null : loaded.model();
    if (model == null) {
      return List.of();
    }
    Optional<ProfileState> state = c.store().read(workspace,
        tx -> c.readModel().resolve(tx, profile).flatMap(tx::profile).map(ProfileRecord::state));
    if (state.isPresent() && state.get().restricted()) {
      return List.of();
    }
    CustomerSummary summary = state.map(Recommendations::summary).orElse(CustomerSummary.EMPTY);
    return recommender(model, workspace).recommend(summary, c.clock().instant(), n, exclusions);
  }

  /** The model this instance uses for the workspace now, if one is loaded. */
  public Optional<RecommendationModel> model(WorkspaceId workspace) {
    Loaded l = models.get(Objects.requireNonNull(workspace, "workspace"));
    return Optional.ofNullable(l == null ? null : l.model());
  }

  private Recommender recommender(RecommendationModel model, WorkspaceId workspace) {
    ExtensionContext c = context();
    Catalog catalog = c.catalog(workspace);
    Predicate<String> available = sku -> catalog.size() == 0
        || catalog.product(sku).map(p -> p.available()).orElse(false);
    return Recommender.builder(model).purchaseWindow(purchaseWindow).availability(available)
        .build();
  }

  private ExtensionContext context() {
    ExtensionContext c = context;
    if (c == null) {
      throw new IllegalStateException(
          "add these Recommendations to a Cdp with Cdp.builder().extension(...) first");
    }
    return c;
  }

  /** A profile's summary from the hidden computed traits. */
  static CustomerSummary summary(ProfileState state) {
    Map<String, CustomerSummary.Bought> bought = new HashMap<>();
    Map<String, Instant> viewed = new HashMap<>();
    for (String key : ProductLookup.PRODUCT_KEYS) {
      if (total(state, boughtName(key)) instanceof Partial.Tally t) {
        for (Map.Entry<Object, Partial.Seen> e : t.values().entrySet()) {
          String sku = ProductLookup.sku(e.getKey());
          if (sku != null) {
            Partial.Seen s = e.getValue();
            // A product naming its sku under two keys is one purchase: the larger count.
            bought.merge(sku, new CustomerSummary.Bought(s.count(), s.first(), s.last()),
                (a, b) -> new CustomerSummary.Bought(Math.max(a.times(), b.times()),
                    a.first().isBefore(b.first()) ? a.first() : b.first(),
                    a.last().isAfter(b.last()) ? a.last() : b.last()));
          }
        }
      }
      if (total(state, viewedName(key)) instanceof Partial.Recent r) {
        for (Map.Entry<Object, Instant> e : r.values().entrySet()) {
          String sku = ProductLookup.sku(e.getKey());
          if (sku != null) {
            viewed.merge(sku, e.getValue(), (a, b) -> a.isAfter(b) ? a : b);
          }
        }
      }
    }
    long orders = total(state, ORDERS) instanceof Partial.Count c ? c.n() : 0;
    return new CustomerSummary(bought, orders, viewed);
  }

  private static @Nullable Partial total(ProfileState state, String name) {
    AggregateState a = state.computed().get(name);
    return a == null ? null : a.total();
  }

  /** The derived trait {@value #TRAIT}. */
  private final class Trait implements DerivedTrait {
    private final Set<String> inputs;

    Trait(Set<String> inputs) {
      this.inputs = inputs;
    }

    @Override
    public String name() {
      return TRAIT;
    }

    @Override
    public Set<String> inputs() {
      return inputs;
    }

    /** The top skus; empty while the workspace has no model or the profile is restricted. */
    @Override
    public Optional<Object> value(TraitContext ctx) {
      Loaded l = models.get(ctx.workspace());
      if (l == null || l.model() == null || context == null || ctx.state().restricted()) {
        return Optional.empty();
      }
      List<String> skus = new ArrayList<>(traitSize);
      for (Recommendation r : recommender(l.model(), ctx.workspace())
          .recommend(summary(ctx.state()), ctx.now(), traitSize, Set.of())) {
        skus.add(r.sku());
      }
      return Optional.of(List.copyOf(skus));
    }

    /**
     * The first instant after now at which a recently bought item leaves the purchase window,
     * or a purchase or view dated after now becomes evidence.
     */
    @Override
    public Optional<Instant> nextChange(TraitContext ctx) {
      CustomerSummary s = summary(ctx.state());
      Instant now = ctx.now();
      Instant best = null;
      for (CustomerSummary.Bought b : s.bought().values()) {
        Instant release = plus(b.last(), purchaseWindow);
        best = earliestAfter(now, best, release == null ? null : release.plusNanos(1));
        best = earliestAfter(now, best, b.first());
      }
      for (Instant v : s.viewed().values()) {
        best = earliestAfter(now, best, v);
      }
      return Optional.ofNullable(best);
    }

    @Override
    public String toString() {
      return "DerivedTrait[" + TRAIT + "]";
    }
  }

  private static @Nullable Instant earliestAfter(Instant now, @Nullable Instant best,
      @Nullable Instant t) {
    if (t == null || !t.isAfter(now)) {
      return best;
    }
    return best == null || t.isBefore(best) ? t : best;
  }

  private static @Nullable Instant plus(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return null;
    }
  }

  /** Settings; each is checked when set. Not thread-safe. */
  public static final class Builder {
    private Duration purchaseWindow = Duration.ofDays(Recommender.DEFAULT_PURCHASE_WINDOW_DAYS);
    private int traitSize = 10;
    private ItemSimilarity similarity = ItemSimilarity.defaults();
    private Duration refreshEvery = Duration.ofSeconds(30);

    private Builder() {}

    /**
     * How long a purchase keeps its item from being recommended (default
     * {@value Recommender#DEFAULT_PURCHASE_WINDOW_DAYS} days).
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder purchaseWindow(Duration purchaseWindow) {
      Objects.requireNonNull(purchaseWindow, "purchaseWindow");
      if (purchaseWindow.isNegative()) {
        throw new IllegalArgumentException(
            "purchaseWindow must not be negative but was " + purchaseWindow);
      }
      this.purchaseWindow = purchaseWindow;
      return this;
    }

    /**
     * How many skus the trait {@value Recommendations#TRAIT} lists (default 10).
     *
     * @throws IllegalArgumentException when not within 1 and 100
     */
    public Builder traitSize(int traitSize) {
      if (traitSize < 1 || traitSize > 100) {
        throw new IllegalArgumentException(
            "traitSize must be within 1 and 100 but was " + traitSize);
      }
      this.traitSize = traitSize;
      return this;
    }

    /**
     * The training settings (view window, minimum support, neighbours kept, popularity
     * window); default {@link ItemSimilarity#defaults()}.
     */
    public Builder similarity(ItemSimilarity similarity) {
      this.similarity = Objects.requireNonNull(similarity, "similarity");
      return this;
    }

    /**
     * How long {@link Recommendations#recommend} uses a loaded model before looking for a newer
     * stored version (default 30 s): the bound on how late another node's training is seen.
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder refreshEvery(Duration refreshEvery) {
      Objects.requireNonNull(refreshEvery, "refreshEvery");
      if (refreshEvery.isNegative()) {
        throw new IllegalArgumentException(
            "refreshEvery must not be negative but was " + refreshEvery);
      }
      this.refreshEvery = refreshEvery;
      return this;
    }

    /** The extension. */
    public Recommendations build() {
      return new Recommendations(this);
    }
  }
}

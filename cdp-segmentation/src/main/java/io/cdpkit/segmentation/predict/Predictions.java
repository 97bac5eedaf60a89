package io.cdpkit.segmentation.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdpkit.core.ProgressListener;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.ReadTransaction;
import io.cdpkit.core.traits.ComputedTraits;
import io.cdpkit.core.traits.DerivedTrait;
import io.cdpkit.core.traits.TraitContext;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purchase-model predictions in the engine: fits BG/NBD (or Pareto/NBD) and Gamma-Gamma per
 * workspace on the profiles' orders, keeps the fitted models in the workspace's metadata, and
 * offers the predictions as derived traits that segments, templates and {@code explain} read like
 * any other computed trait.
 *
 * <pre>{@code
 * Predictions predictions = Predictions.builder().purchaseHorizonDays(90).build();
 * Cdp cdp = Cdp.builder().extension(predictions).build();
 * ... ingest orders ...
 * ModelReport report = predictions.fit(WorkspaceId.DEFAULT, ProgressListener.none());
 * Conditions.computed("p_alive").lt(0.3);   // a segment of customers about to be lost
 * }</pre>
 *
 * <h2>Traits</h2>
 *
 * With {@code h} the purchase horizon and {@code H} the value horizon in days:
 * <ul>
 *   <li>{@code p_alive} ({@code BigDecimal} in [0, 1], 6 decimals): the probability the
 *       customer is still active;
 *   <li>{@code expected_purchases_<h>d} ({@code BigDecimal}, 4 decimals): expected purchase days
 *       in the next {@code h} days;
 *   <li>{@code expected_order_value} ({@code BigDecimal} in major units of the model's currency,
 *       rounded to its minor unit, e.g. 42.50 for EUR): the Gamma-Gamma conditional expected
 *       spend per purchase;
 *   <li>{@code predicted_value_<H>d} ({@code BigDecimal}, same units): the expected spend over
 *       the next
 *       {@code H} days, discounted at the annual rate in monthly steps (see
 *       {@link GammaGamma#customerValue}); {@code H} days are cut into
 *       {@code max(1, round(H / 30.4375))} equal periods, each discounted at
 *       {@code (1 + rate)^(period / 365.25) - 1};
 *   <li>{@code churn_cohort} (String): {@code high}, {@code medium} or {@code low}, by the cut
 *       points of {@link FittedModels} fixed at fit time (applied to the unrounded probability).
 * </ul>
 * Numbers are decimals rounded half-even, as every number the engine keeps, so segment
 * conditions compare them with decimal literals ({@code computed("p_alive").lt(new
 * BigDecimal("0.3"))}) and templates print them as they are. Each is empty while the workspace has no model, and for a profile without an order in the
 * model's currency. A profile's summary is built from its own state exactly as
 * {@link PurchaseSummary#of(io.cdpkit.core.model.ProfileState, String, LocalDate,
 * java.time.ZoneId, PeriodUnit)} does (one order per order id, orders refunded in full left out,
 * partial refunds netted, orders on one UTC day merged) with the calibration end at the UTC day
 * of the evaluation instant; so the values are the same for any ingestion order of the events,
 * and an order refunded in full or a person erased changes them as recomputing does.
 *
 * <p><b>Granularity in time.</b> Ages are counted in whole UTC days, so a value stays the same
 * for a UTC day and can change at the next UTC midnight, which is what {@code nextChange} says.
 *
 * <p><b>Currency.</b> Models are fitted in the {@code Cdp}'s default currency
 * ({@code Cdp.Builder.defaultCurrency}, default EUR); orders in other currencies are left out of
 * both the fit and the scoring (a profile whose orders are all in other currencies gets no
 * prediction).
 *
 * <p><b>Storage and refresh.</b> {@link #fit} stores the models under the metadata keys
 * {@code segmentation.predict.*} of the workspace (one transaction, version incremented),
 * refusing to overwrite a version another node stored while it was fitting. Models are loaded
 * when a workspace is opened; every {@link Builder#refreshInterval} (default one second) a
 * background thread reads the stored version of each open workspace and loads the models when it
 * changed, so a node sees another node's refit within about that interval. A refit does not
 * re-evaluate segments: members move at the next change of the profile, or at the next UTC
 * midnight, or at the host's next batch evaluation.
 *
 * <p>Thread-safe. Attach one instance to one {@code Cdp}.
 */
public final class Predictions implements CdpExtension {
  /** Which purchase-count model to fit. */
  public enum Model {
    /** BG/NBD ({@link BgNbd}); note its probability alive is 1 for customers without repeats. */
    BG_NBD,
    /** Pareto/NBD ({@link ParetoNbd}). */
    PARETO_NBD
  }

  /** The name of the probability-alive trait. */
  public static final String P_ALIVE = "p_alive";
  /** The name of the expected spend per order trait. */
  public static final String EXPECTED_ORDER_VALUE = "expected_order_value";
  /** The name of the churn cohort trait. */
  public static final String CHURN_COHORT = "churn_cohort";
  /** The prefix of the metadata keys the models are kept under. */
  public static final String KEY_PREFIX = "segmentation.predict.";

  static final String VERSION_KEY = KEY_PREFIX + "version";
  static final String PURCHASES_KEY = KEY_PREFIX + "purchases";
  static final String SPEND_KEY = KEY_PREFIX + "spend";
  static final String COHORTS_KEY = KEY_PREFIX + "cohorts";

  private static final Logger LOG = LoggerFactory.getLogger(Predictions.class);
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private static final int PAGE = 1_000;
  private static final double MONTH_DAYS = 365.25 / 12;
  /** Decimal places of {@code p_alive}. */
  static final int PROBABILITY_SCALE = 6;
  /** Decimal places of expected purchases. */
  static final int COUNT_SCALE = 4;

  private final Model model;
  private final int purchaseHorizonDays;
  private final int valueHorizonDays;
  private final double annualDiscountRate;
  private final PeriodUnit unit;
  private final int minCustomers;
  private final int minRepeatBuyers;
  private final Duration refreshInterval;
  private final int valuePeriods;
  private final double valuePeriodLength;
  private final double periodDiscount;
  private final List<DerivedTrait> traits;
  /** Loaded models per open workspace; an absent entry: no model stored. */
  private final Map<WorkspaceId, FittedModels> models = new ConcurrentHashMap<>();
  /** Open workspaces and the stored version last seen (0: none). */
  private final Map<WorkspaceId, Long> seen = new ConcurrentHashMap<>();
  private volatile @Nullable ExtensionContext context;
  // guarded by this
  private @Nullable ScheduledExecutorService refresher;

  private Predictions(Builder b) {
    this.model = b.model;
    this.purchaseHorizonDays = b.purchaseHorizonDays;
    this.valueHorizonDays = b.valueHorizonDays;
    this.annualDiscountRate = b.annualDiscountRate;
    this.unit = b.unit;
    this.minCustomers = b.minCustomers;
    this.minRepeatBuyers = b.minRepeatBuyers;
    this.refreshInterval = b.refreshInterval;
    this.valuePeriods = (int) Math.max(1, Math.round(valueHorizonDays / MONTH_DAYS));
    double periodDays = (double) valueHorizonDays / valuePeriods;
    this.valuePeriodLength = periodDays / unit.days();
    this.periodDiscount = Math.pow(1 + annualDiscountRate, periodDays / 365.25) - 1;
    this.traits = List.of(
        trait(P_ALIVE, (m, s) -> decimal(m.purchases().probabilityAlive(s), PROBABILITY_SCALE)),
        trait(expectedPurchasesTrait(), (m, s) -> decimal(
            m.purchases().expectedPurchases(unit.fromDays(purchaseHorizonDays), s),
            COUNT_SCALE)),
        trait(EXPECTED_ORDER_VALUE, (m, s) -> decimal(m.spend().conditionalExpectedSpend(s),
            m.fractionDigits())),
        trait(predictedValueTrait(), (m, s) -> decimal(m.spend().customerValue(m.purchases(), s,
            valuePeriods, valuePeriodLength, periodDiscount), m.fractionDigits())),
        trait(CHURN_COHORT, (m, s) -> m.cohort(m.purchases().probabilityAlive(s))));
  }

  /** A finite double as a decimal rounded half-even to {@code scale} places; else null. */
  static @Nullable BigDecimal decimal(double v, int scale) {
    if (!Double.isFinite(v)) {
      return null;
    }
    return BigDecimal.valueOf(v).setScale(scale, RoundingMode.HALF_EVEN);
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The name of the expected purchases trait: {@code expected_purchases_<h>d}. */
  public String expectedPurchasesTrait() {
    return "expected_purchases_" + purchaseHorizonDays + "d";
  }

  /** The name of the predicted value trait: {@code predicted_value_<H>d}. */
  public String predictedValueTrait() {
    return "predicted_value_" + valueHorizonDays + "d";
  }

  /** The prediction traits, added to the {@code Cdp} by {@code Cdp.Builder.extension}. */
  @Override
  public ComputedTraits computedTraits() {
    return ComputedTraits.of(List.of(), traits);
  }

  @Override
  public synchronized void attach(ExtensionContext context) {
    if (this.context != null) {
      throw new IllegalStateException("this Predictions is already attached to a Cdp");
    }
    this.context = Objects.requireNonNull(context, "context");
    if (!refreshInterval.isZero()) {
      ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cdpkit-predictions-refresh");
        t.setDaemon(true);
        return t;
      });
      long ms = refreshInterval.toMillis();
      s.scheduleWithFixedDelay(this::refreshAll, ms, ms, TimeUnit.MILLISECONDS);
      refresher = s;
    }
  }

  @Override
  public void workspaceOpened(WorkspaceId workspace) {
    try {
      refresh(workspace);
    } catch (UnsupportedOperationException noMetadata) {
      // a store without metadata keeps no models: traits stay empty, fit says why
      LOG.debug("the store keeps no metadata; no purchase models for this workspace");
    }
  }

  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
  }

  /**
   * The models a workspace's traits use now: those loaded when it was opened or at the last
   * refresh or fit on this instance; empty when none was stored.
   */
  public Optional<FittedModels> model(WorkspaceId workspace) {
    return Optional.ofNullable(models.get(Objects.requireNonNull(workspace, "workspace")));
  }

  /**
   * Reads the workspace's stored version now and loads its models if it changed (what the
   * background refresh does every interval).
   *
   * @throws IllegalStateException when not attached
   * @throws io.cdpkit.core.StorageException when the store fails
   */
  public void refresh(WorkspaceId workspace) {
    Objects.requireNonNull(workspace, "workspace");
    ExtensionContext c = context();
    Long known = seen.get(workspace);
    long stored = c.store().read(workspace, tx -> {
      String v = tx.require(MetadataStorage.class).metadata(VERSION_KEY).get(VERSION_KEY);
      return v == null ? 0L : Long.parseLong(v);
    });
    if (known != null && stored == known) {
      return; // one small read per interval while nothing changed
    }
    Optional<FittedModels> loaded = stored == 0 ? Optional.empty()
        : Optional.of(c.store().read(workspace, tx -> parse(metadata(tx))));
    if (loaded.isPresent()) {
      models.put(workspace, loaded.get());
      seen.put(workspace, loaded.get().version());
    } else {
      models.remove(workspace);
      seen.put(workspace, 0L);
    }
  }

  private void refreshAll() {
    for (WorkspaceId w : seen.keySet()) {
      try {
        refresh(w);
      } catch (RuntimeException e) {
        LOG.debug("refreshing the purchase models of a workspace failed", e);
      }
    }
  }

  /**
   * Fits the workspace's models on its profiles' orders now and stores them: reads every
   * profile (phase {@code "read"}), builds each customer's summary in the workspace's currency
   * with the calibration end at the UTC day of the {@code Cdp} clock's now, fits the purchase
   * model (phase {@code "fit"}) and Gamma-Gamma on the repeat buyers (phase {@code "fit-spend"}),
   * computes the churn cohorts' cut points, and stores all of it with the next version (phase
   * {@code "store"}). Then the segments that read a prediction trait are re-evaluated over every
   * profile ({@link ExtensionContext#traitsChanged}; segmentation's phase {@code "evaluate"}),
   * so memberships follow the new model at once. Runs on the calling thread; the host drives
   * schedules.
   *
   * @throws IllegalStateException naming why nothing was stored: not attached, fewer customers
   *     or repeat buyers than the minimum, a spend model without a finite mean ({@code q <= 1}),
   *     or another fit stored a newer version meanwhile (fit again)
   * @throws ArithmeticException when a fit does not converge; nothing stored
   * @throws io.cdpkit.core.StorageException when the store fails; nothing stored
   * @throws io.cdpkit.core.spi.storage.UnsupportedCapabilityException when the store keeps no
   *     metadata
   */
  public ModelReport fit(WorkspaceId workspace, ProgressListener progress) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(progress, "progress");
    ExtensionContext c = context();
    Instant now = c.clock().instant();
    LocalDate end = LocalDate.ofInstant(now, ZoneOffset.UTC);
    String currency = c.defaultCurrency();
    long previous = c.store().read(workspace, tx -> {
      String v = tx.require(MetadataStorage.class).metadata(VERSION_KEY).get(VERSION_KEY);
      return v == null ? 0L : Long.parseLong(v);
    });
    List<PurchaseSummary> summaries = new ArrayList<>();
    long profiles = 0;
    ProfileId after = null;
    while (true) {
      ProfileId from = after;
      List<ProfileRecord> page = c.store().read(workspace, tx -> tx.profilesAfter(from, PAGE));
      if (page.isEmpty()) {
        break;
      }
      for (ProfileRecord r : page) {
        PurchaseSummary.of(r.state(), currency, end, ZoneOffset.UTC, unit)
            .ifPresent(summaries::add);
      }
      profiles += page.size();
      after = page.get(page.size() - 1).id();
      progress.progress("read", profiles, ProgressListener.UNKNOWN);
    }
    progress.progress("read", profiles, profiles);
    int repeat = 0;
    for (PurchaseSummary s : summaries) {
      if (s.frequency() >= 1 && s.meanRepeatSpend() > 0) {
        repeat++;
      }
    }
    if (summaries.size() < minCustomers) {
      throw new IllegalStateException("cannot fit: the workspace has " + summaries.size()
          + " customers with an order in " + currency + ", at least " + minCustomers
          + " needed (minCustomers)");
    }
    if (repeat < minRepeatBuyers) {
      throw new IllegalStateException("cannot fit: the workspace has " + repeat
          + " repeat buyers in " + currency + ", at least " + minRepeatBuyers
          + " needed (minRepeatBuyers)");
    }
    long version = previous + 1;
    FitOptions options = new FitOptions(unit, end, ZoneOffset.UTC, version, c.clock(),
        progress, FitOptions.DEFAULT_MAX_EVALUATIONS);
    PurchaseModel purchases = model == Model.BG_NBD ? BgNbd.fit(summaries, options)
        : ParetoNbd.fit(summaries, options);
    GammaGamma spend = GammaGamma.fit(summaries, options.withListener(
        (phase, done, total) -> progress.progress("fit-spend", done, total)));
    if (!(spend.q() > 1)) {
      throw new IllegalStateException("cannot fit: the spend model's q is <= 1, so spend per"
          + " order has no finite mean; nothing stored");
    }
    double[] alive = new double[summaries.size()];
    for (int i = 0; i < alive.length; i++) {
      alive[i] = purchases.probabilityAlive(summaries.get(i));
    }
    Arrays.sort(alive);
    FittedModels fitted = new FittedModels(purchases, spend, currency,
        alive[alive.length / 3], alive[2 * alive.length / 3]);
    progress.progress("store", 0, 1);
    c.store().write(workspace, tx -> {
      MetadataStorage md = tx.require(MetadataStorage.class);
      String v = md.metadata(VERSION_KEY).get(VERSION_KEY);
      if ((v == null ? 0L : Long.parseLong(v)) != previous) {
        throw new IllegalStateException("cannot store: another fit stored version " + v
            + " of this workspace's models meanwhile; fit again");
      }
      md.putMetadata(PURCHASES_KEY, PurchaseModelJson.write(purchases));
      md.putMetadata(SPEND_KEY, PurchaseModelJson.write(spend));
      ObjectNode cohorts = MAPPER.createObjectNode();
      cohorts.put("format", 1);
      cohorts.put("currency", currency);
      cohorts.put("highRiskBelow", fitted.highRiskBelow());
      cohorts.put("mediumRiskBelow", fitted.mediumRiskBelow());
      md.putMetadata(COHORTS_KEY, cohorts.toString());
      md.putMetadata(VERSION_KEY, Long.toString(version));
      return null;
    });
    models.put(workspace, fitted);
    seen.put(workspace, version);
    progress.progress("store", 1, 1);
    LOG.info("purchase models version {} fitted on {} customers", version, summaries.size());
    Set<String> names = new java.util.HashSet<>();
    traits.forEach(t -> names.add(t.name()));
    c.traitsChanged(workspace, names, progress);
    return new ModelReport(fitted, profiles, summaries.size(), repeat);
  }

  private static Map<String, String> metadata(ReadTransaction tx) {
    return tx.require(MetadataStorage.class).metadata(KEY_PREFIX);
  }

  private static FittedModels parse(Map<String, String> md) {
    FittedModel p = PurchaseModelJson.read(required(md, PURCHASES_KEY));
    FittedModel s = PurchaseModelJson.read(required(md, SPEND_KEY));
    if (!(p instanceof PurchaseModel purchases) || !(s instanceof GammaGamma spend)) {
      throw new IllegalStateException("stored purchase models have the wrong kinds");
    }
    JsonNode c;
    try {
      c = MAPPER.readTree(required(md, COHORTS_KEY));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stored " + COHORTS_KEY + " is not JSON", e);
    }
    if (c.path("format").asInt() != 1 || !c.path("currency").isTextual()
        || !c.path("highRiskBelow").isNumber() || !c.path("mediumRiskBelow").isNumber()) {
      throw new IllegalStateException("stored " + COHORTS_KEY + " is not in format 1");
    }
    return new FittedModels(purchases, spend, c.get("currency").asText(),
        c.get("highRiskBelow").asDouble(), c.get("mediumRiskBelow").asDouble());
  }

  private static String required(Map<String, String> md, String key) {
    String v = md.get(key);
    if (v == null) {
      throw new IllegalStateException("stored purchase models lack " + key);
    }
    return v;
  }

  private ExtensionContext context() {
    ExtensionContext c = context;
    if (c == null) {
      throw new IllegalStateException("this Predictions is not attached to a Cdp yet");
    }
    return c;
  }

  /** A score of a summary under a workspace's models. */
  @FunctionalInterface
  private interface Score {
    @Nullable Object apply(FittedModels models, PurchaseSummary summary);
  }

  private DerivedTrait trait(String name, Score score) {
    return new DerivedTrait() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Set<String> inputs() {
        return Set.of();
      }

      @Override
      public Optional<Object> value(TraitContext ctx) {
        FittedModels m = models.get(ctx.workspace());
        if (m == null) {
          return Optional.empty();
        }
        Optional<PurchaseSummary> s = summary(m, ctx);
        return s.isEmpty() ? Optional.empty() : Optional.ofNullable(score.apply(m, s.get()));
      }

      @Override
      public Optional<Instant> nextChange(TraitContext ctx) {
        FittedModels m = models.get(ctx.workspace());
        if (m == null || summary(m, ctx).isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(LocalDate.ofInstant(ctx.now(), ZoneOffset.UTC).plusDays(1)
            .atStartOfDay(ZoneOffset.UTC).toInstant());
      }

      @Override
      public String toString() {
        return "DerivedTrait[" + name + "]";
      }
    };
  }

  private static Optional<PurchaseSummary> summary(FittedModels m, TraitContext ctx) {
    ModelFit f = m.purchases().fit();
    return PurchaseSummary.of(ctx.state(), m.currency(),
        LocalDate.ofInstant(ctx.now(), f.zone()), f.zone(), f.unit());
  }

  @Override
  public String toString() {
    return "Predictions[" + model + "]";
  }

  /**
   * Settings of {@link Predictions}; each setter checks its value at once and names the field.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private Model model = Model.BG_NBD;
    private int purchaseHorizonDays = 90;
    private int valueHorizonDays = 365;
    private double annualDiscountRate = 0.10;
    private PeriodUnit unit = PeriodUnit.WEEKS;
    private int minCustomers = 10;
    private int minRepeatBuyers = 3;
    private Duration refreshInterval = Duration.ofSeconds(1);

    private Builder() {}

    /** The purchase-count model; default {@link Model#BG_NBD}. */
    public Builder model(Model model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * The horizon of {@code expected_purchases_<h>d}, in days; default 90.
     *
     * @throws IllegalArgumentException unless in 1..3650
     */
    public Builder purchaseHorizonDays(int days) {
      this.purchaseHorizonDays = days(days, "purchaseHorizonDays");
      return this;
    }

    /**
     * The horizon of {@code predicted_value_<H>d}, in days; default 365.
     *
     * @throws IllegalArgumentException unless in 1..3650
     */
    public Builder valueHorizonDays(int days) {
      this.valueHorizonDays = days(days, "valueHorizonDays");
      return this;
    }

    /**
     * The annual discount rate of the predicted value (0.10: a euro a year ahead is worth
     * 1/1.10 now); default 0.10.
     *
     * @throws IllegalArgumentException unless a finite number in [0, 1]
     */
    public Builder annualDiscountRate(double rate) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("annualDiscountRate must be in [0, 1]");
      }
      this.annualDiscountRate = rate;
      return this;
    }

    /** The time unit the models are fitted in; default {@link PeriodUnit#WEEKS}. */
    public Builder unit(PeriodUnit unit) {
      this.unit = Objects.requireNonNull(unit, "unit");
      return this;
    }

    /**
     * The fewest customers (profiles with an order) a fit accepts; default 10.
     *
     * @throws IllegalArgumentException when less than 2
     */
    public Builder minCustomers(int n) {
      if (n < 2) {
        throw new IllegalArgumentException("minCustomers must be >= 2");
      }
      this.minCustomers = n;
      return this;
    }

    /**
     * The fewest repeat buyers a fit accepts (the spend model is fitted on them); default 3.
     *
     * @throws IllegalArgumentException when less than 1
     */
    public Builder minRepeatBuyers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("minRepeatBuyers must be >= 1");
      }
      this.minRepeatBuyers = n;
      return this;
    }

    /**
     * How often the stored version of each open workspace is checked for another node's refit;
     * default one second; zero turns the background check off ({@link #refresh} still works).
     *
     * @throws IllegalArgumentException when negative, or positive but under 10 ms
     */
    public Builder refreshInterval(Duration interval) {
      Objects.requireNonNull(interval, "refreshInterval");
      if (interval.isNegative() || (!interval.isZero() && interval.toMillis() < 10)) {
        throw new IllegalArgumentException("refreshInterval must be zero or at least 10 ms");
      }
      this.refreshInterval = interval;
      return this;
    }

    private static int days(int days, String field) {
      if (days < 1 || days > 3650) {
        throw new IllegalArgumentException(field + " must be in 1..3650");
      }
      return days;
    }

    /** The extension, to attach with {@code Cdp.builder().extension(...)}. */
    public Predictions build() {
      return new Predictions(this);
    }
  }
}

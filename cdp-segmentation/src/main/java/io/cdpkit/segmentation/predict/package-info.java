/**
 * Fitted purchase models ("buy till you die"): how many purchases a customer will make, whether
 * they are still a customer, and what their purchases are worth.
 *
 * <ul>
 *   <li>{@link io.cdpkit.segmentation.predict.PurchaseSummary}: a customer's repeat purchase
 *       days, recency, age and mean repeat spend, built from orders or from a profile;
 *   <li>{@link io.cdpkit.segmentation.predict.BgNbd} and
 *       {@link io.cdpkit.segmentation.predict.ParetoNbd}: purchase-count models, fitted by
 *       maximum likelihood, giving the probability a customer is alive and their expected
 *       purchases;
 *   <li>{@link io.cdpkit.segmentation.predict.GammaGamma}: the spend model, and the discounted
 *       customer value over a horizon;
 *   <li>{@link io.cdpkit.segmentation.predict.PurchaseModelJson}: their stored JSON form;
 *   <li>{@link io.cdpkit.segmentation.predict.Predictions}: the extension that fits them per
 *       workspace through the engine, keeps them in the workspace's metadata and offers the
 *       predictions as derived traits ({@code p_alive}, expected purchases and value, churn
 *       cohort).
 * </ul>
 *
 * <pre>{@code
 * FitOptions options = FitOptions.of(PeriodUnit.WEEKS, LocalDate.of(1997, 9, 30));
 * BgNbd bg = BgNbd.fit(summaries, options);
 * GammaGamma gg = GammaGamma.fit(summaries, options);
 * double alive = bg.probabilityAlive(summary);
 * double next52 = bg.expectedPurchases(52, summary);
 * double value = gg.customerValue(bg, summary, 12, 52.0 / 12, 0.01);
 * }</pre>
 *
 * <p>Used alone, the host fits (a batch job) and scores summaries itself; with
 * {@link io.cdpkit.segmentation.predict.Predictions} the engine does both. Scoring one summary
 * takes well under a microsecond. See {@code examples/.../PurchaseModels.java} for a run on the CDNOW data.
 */
@NullMarked
package io.cdpkit.segmentation.predict;

import org.jspecify.annotations.NullMarked;

/**
 * Item-to-item recommendations: which products to offer a customer next, learned from what the
 * workspace's customers bought together and what they bought after viewing something, and never
 * what the customer bought recently.
 *
 * <ul>
 *   <li>{@link io.cdpkit.segmentation.recommend.CustomerHistory}: one customer's purchases and
 *       product views, the training and the query input (built from a profile's events with
 *       {@link io.cdpkit.segmentation.recommend.CustomerHistory#fromEvents}).
 *   <li>{@link io.cdpkit.segmentation.recommend.ItemSimilarity}: the training settings; its
 *       {@code train} learns a {@link io.cdpkit.segmentation.recommend.RecommendationModel}.
 *   <li>{@link io.cdpkit.segmentation.recommend.Recommender}: top-N
 *       {@link io.cdpkit.segmentation.recommend.Recommendation}s for a history, each explained by
 *       the {@link io.cdpkit.segmentation.recommend.Reason}s that add up to its score.
 *   <li>{@link io.cdpkit.segmentation.recommend.CustomerSummary}: what the recommender uses of a
 *       customer (per sku bought how often, first and last; orders; views).
 *   <li>{@link io.cdpkit.segmentation.recommend.RecommendationModelJson}: the model as versioned
 *       JSON, to store it per workspace.
 *   <li>{@link io.cdpkit.segmentation.recommend.Recommendations}: the engine extension: training
 *       per workspace, the model kept in the workspace's metadata, the real-time call and the
 *       {@code recommended_products} trait.
 * </ul>
 */
@NullMarked
package io.cdpkit.segmentation.recommend;

import org.jspecify.annotations.NullMarked;

package io.cdpkit.segmentation.predict;

/**
 * A fitted purchase model: {@link BgNbd}, {@link ParetoNbd} or {@link GammaGamma}. Its JSON
 * form is {@link PurchaseModelJson}'s.
 *
 * <p>Implementations are immutable records.
 */
public sealed interface FittedModel permits PurchaseModel, GammaGamma {
  /** How, on what and when it was fitted. */
  ModelFit fit();
}

package io.cdpkit.core.catalog;

/**
 * What a change to a catalog did.
 *
 * <p>Immutable.
 *
 * @param changed products added, changed or removed (a product put again unchanged is not
 *     counted)
 * @param profilesRecomputed profiles recomputed because a computed trait reads a catalog field
 *     that changed (0 when none does)
 */
public record CatalogChange(int changed, long profilesRecomputed) {}

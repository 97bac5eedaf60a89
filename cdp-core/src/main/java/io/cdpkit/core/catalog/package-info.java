/**
 * A workspace's product catalog: products ({@link Product}) loaded by catalog events or bulk
 * import ({@link Catalog}), whose attributes computed traits and segment conditions read through
 * the {@code $catalog} step of a property path ({@code products[].$catalog.brand}).
 */
@NullMarked
package io.cdpkit.core.catalog;

import org.jspecify.annotations.NullMarked;

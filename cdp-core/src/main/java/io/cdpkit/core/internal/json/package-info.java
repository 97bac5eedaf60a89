/**
 * Jackson serializers and deserializers behind {@link io.cdpkit.core.json.CdpJacksonModule} and
 * {@link io.cdpkit.core.json.EventCodec}: a bounded reader of JSON trees, the mapping between
 * Segment-shaped messages and {@link io.cdpkit.core.model.Event}, and the writer. <p>This package
 * carries no compatibility promise: anything in it may change in any release.
 */
@NullMarked
package io.cdpkit.core.internal.json;

import org.jspecify.annotations.NullMarked;

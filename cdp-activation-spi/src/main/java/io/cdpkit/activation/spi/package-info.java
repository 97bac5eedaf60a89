/**
 * The channel SPI: what a plugin implements to deliver messages the activation engine decided
 * on. A {@link io.cdpkit.activation.spi.ChannelProvider} makes
 * {@link io.cdpkit.activation.spi.Channel}s from a narrow
 * {@link io.cdpkit.activation.spi.ChannelContext}; each delivers
 * {@link io.cdpkit.activation.spi.Message}s and answers with a
 * {@link io.cdpkit.activation.spi.DeliveryResult}. The engine, never the plugin, owns consent,
 * addresses, suppressions, caps, idempotency, retries and dead letters.
 */
@NullMarked
package io.cdpkit.activation.spi;

import org.jspecify.annotations.NullMarked;

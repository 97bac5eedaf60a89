/**
 * The built-in channels: {@link io.cdpkit.activation.channels.WebhookChannelProvider webhook},
 * {@link io.cdpkit.activation.channels.SmtpChannelProvider smtp},
 * {@link io.cdpkit.activation.channels.AdAudienceChannelProvider ad-audience},
 * {@link io.cdpkit.activation.channels.FileExportChannelProvider file} and
 * {@link io.cdpkit.activation.channels.LogChannelProvider log}, each declared in
 * {@code META-INF/services/io.cdpkit.activation.spi.ChannelProvider}, and two utilities for the
 * other side: {@link io.cdpkit.activation.channels.WebhookSignature} for receivers of webhooks
 * and {@link io.cdpkit.activation.channels.AudienceHashing} for identifiers hashed the way ad
 * platforms require.
 *
 * <p>Every provider checks its configuration in {@code create} and throws an
 * {@link java.lang.IllegalArgumentException} naming the channel, the key and the reason, never
 * echoing a URL, a secret or a password. Every channel is thread-safe, answers failures with a
 * {@link io.cdpkit.activation.spi.DeliveryResult} rather than an exception, and keeps
 * recipients and payload values out of its logs and failure reasons (the log channel shows
 * payload values only when its configuration asks for them). {@code CHANNELS.md} in this
 * module documents each channel's keys, payload, outcomes and limits.
 */
@NullMarked
package io.cdpkit.activation.channels;

import org.jspecify.annotations.NullMarked;

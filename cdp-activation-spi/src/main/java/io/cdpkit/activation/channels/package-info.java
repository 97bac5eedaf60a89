/**
 * The built-in channels: {@link io.cdpkit.activation.channels.WebhookChannelProvider webhook},
 * {@link io.cdpkit.activation.channels.SmtpChannelProvider smtp},
 * {@link io.cdpkit.activation.channels.AdAudienceChannelProvider ad-audience},
 * {@link io.cdpkit.activation.channels.FileExportChannelProvider file},
 * {@link io.cdpkit.activation.channels.LogChannelProvider log},
 * {@link io.cdpkit.activation.channels.FcmPushChannelProvider fcm},
 * {@link io.cdpkit.activation.channels.ApnsPushChannelProvider apns} and
 * {@link io.cdpkit.activation.channels.HttpSmsChannelProvider http-sms}, each declared in
 * {@code META-INF/services/io.cdpkit.activation.spi.ChannelProvider}, and three utilities for
 * the other side: {@link io.cdpkit.activation.channels.WebhookSignature} for receivers of
 * webhooks, {@link io.cdpkit.activation.channels.AudienceHashing} for identifiers hashed the
 * way ad platforms require, and {@link io.cdpkit.activation.channels.PushTokens} for the push
 * tokens of a profile.
 *
 * <p>Every provider checks its configuration in {@code create} and throws an
 * {@link java.lang.IllegalArgumentException} naming the channel, the key and the reason, never
 * echoing a URL, a secret or a password. Every channel is thread-safe, answers failures with a
 * {@link io.cdpkit.activation.spi.DeliveryResult} rather than an exception, and keeps
 * recipients and payload values out of its logs and failure reasons (the log channel shows
 * payload values only when its configuration asks for them; the push channels quote the
 * service's error code, never its free text). {@code CHANNELS.md} in this
 * module documents each channel's keys, payload, outcomes and limits.
 */
@NullMarked
package io.cdpkit.activation.channels;

import org.jspecify.annotations.NullMarked;

/**
 * A channel plugin as a host writes one: SMS through an HTTP gateway.
 * {@link io.cdpkit.examples.sms.SmsGatewayProvider} is declared in
 * {@code META-INF/services/io.cdpkit.activation.spi.ChannelProvider}, so
 * {@code Activation.builder().discoverProviders()} finds it; {@code ActivationTour} runs it
 * against a fake gateway. See {@code examples/README.md}, "Writing a channel plugin".
 */
@NullMarked
package io.cdpkit.examples.sms;

import org.jspecify.annotations.NullMarked;

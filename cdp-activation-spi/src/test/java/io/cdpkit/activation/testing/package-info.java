/**
 * The channel contract kit, shipped in this module's test-jar for channel plugin authors:
 * {@link io.cdpkit.activation.testing.ChannelContractTest}, the abstract JUnit 5 suite a channel
 * passes by subclassing it once, a {@link io.cdpkit.activation.testing.TestChannelContext} with
 * a fixed clock, and {@link io.cdpkit.activation.testing.Messages} to build sample messages.
 *
 * <p>The test-jar does not bring its test dependencies along: a consumer declares JUnit Jupiter
 * and AssertJ itself (versions from the parent's {@code dependencyManagement}).
 */
@NullMarked
package io.cdpkit.activation.testing;

import org.jspecify.annotations.NullMarked;

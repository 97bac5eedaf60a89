/**
 * The SPI through which optional modules (segmentation, activation) plug into a
 * {@link io.cdpkit.core.Cdp} without core knowing them: a {@link
 * io.cdpkit.core.spi.extension.CdpExtension} is handed to the builder, gets an {@link
 * io.cdpkit.core.spi.extension.ExtensionContext} once, and may observe every profile change
 * inside the transaction that makes it ({@link io.cdpkit.core.spi.extension.ProfileObserver}).
 */
@NullMarked
package io.cdpkit.core.spi.extension;

import org.jspecify.annotations.NullMarked;

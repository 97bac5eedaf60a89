/**
 * The channel SPI and the consent-safe activation engine (not implemented yet).
 */
@NullMarked
package io.cdpkit.activation.spi;

import org.jspecify.annotations.NullMarked;

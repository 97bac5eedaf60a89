/**
 * The entry point: {@link io.cdpkit.core.Cdp}, its builder, the ingest results and the exception hierarchy rooted at {@link io.cdpkit.core.CdpException}.
 */
@NullMarked
package io.cdpkit.core;

import org.jspecify.annotations.NullMarked;

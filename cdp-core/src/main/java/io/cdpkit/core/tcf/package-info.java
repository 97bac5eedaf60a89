/**
 * IAB TCF v2 consent strings: {@link io.cdpkit.core.tcf.TcString#decode(String)} reads the TC
 * string a consent-management platform (CMP) stores in the browser (the {@code euconsent-v2}
 * cookie, {@code __tcfapi} results, the {@code gdpr_consent} URL parameter), and
 * {@link io.cdpkit.core.tcf.TcfMapping} turns its purposes into CDPKit consent decisions
 * ({@link io.cdpkit.core.model.ConsentChange}) that an event carries into the profile.
 *
 * <p>The decoder is our own, not {@code com.iabtcf:iabtcf-decoder}: that library's last release
 * (2.0.10) is from October 2021 and does not know TCF v2.2, while the format is a few hundred
 * lines of bit reading; owning it keeps the core's dependencies few and lets every error name
 * its segment, field and bit ({@link io.cdpkit.core.tcf.InvalidTcStringException}). Its limits
 * are on {@link io.cdpkit.core.tcf.TcString}: at most {@value io.cdpkit.core.tcf.TcString#MAX_LENGTH}
 * characters, ids up to {@value io.cdpkit.core.tcf.IdSet#MAX_ID}.
 *
 * <p>A TC string is tied to one person's browser and is treated as personal data: no exception
 * message of this package quotes it or a value read from it.
 */
@NullMarked
package io.cdpkit.core.tcf;

import org.jspecify.annotations.NullMarked;

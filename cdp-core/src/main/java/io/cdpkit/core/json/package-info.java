/**
 * JSON for events: a Jackson {@code Module} of ours and a codec that reads and writes single messages and {@code {"batch": [...]}} bodies as Segment and RudderStack clients send them, with documented size limits.
 */
@NullMarked
package io.cdpkit.core.json;

import org.jspecify.annotations.NullMarked;

/**
 * The embeddable, read-only customer-360 console: {@link io.cdpkit.activation.console.Console}
 * serves a small web page and its JSON API from the JDK's HTTP server, behind a credential the
 * host sets, beside the tracking endpoint or on a port of its own. Nothing starts unless the
 * host builds one.
 */
@NullMarked
package io.cdpkit.activation.console;

import org.jspecify.annotations.NullMarked;

/**
 * An HTTP endpoint for the tracking clients web and app teams already use: Segment's and
 * RudderStack's libraries (analytics.js, the Java, Node, iOS and Android clients) send to it
 * unchanged. {@link io.cdpkit.core.http.TrackingEndpoint} is the framework-neutral handler (JDK
 * types in, JDK types out); {@link io.cdpkit.core.http.TrackingServer} runs it on the JDK's
 * built-in HTTP server.
 */
@NullMarked
package io.cdpkit.core.http;

import org.jspecify.annotations.NullMarked;

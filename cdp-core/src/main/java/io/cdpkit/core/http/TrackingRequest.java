package io.cdpkit.core.http;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request as a host's server hands it to {@link TrackingEndpoint#handle}: the body is
 * the request's content as it arrived, de-chunked by the server (every server does) but not
 * decompressed; the endpoint inflates gzip itself, within its limits.
 *
 * <p>Immutable but for the body stream, which the endpoint reads at most once, up to its limit,
 * and does not close.
 *
 * @param method the HTTP method ({@code POST}, {@code OPTIONS}, ...)
 * @param path the request path, with or without a query ({@code /v1/batch?x=1})
 * @param headers the request headers; names are matched case-insensitively
 * @param body the request body
 */
public record TrackingRequest(String method, String path, Map<String, List<String>> headers,
    InputStream body) {

  public TrackingRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(body, "body");
  }

  /** The first value of a header, its name matched case-insensitively. */
  public @Nullable String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }
}

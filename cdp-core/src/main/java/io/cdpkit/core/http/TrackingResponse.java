package io.cdpkit.core.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link TrackingEndpoint#handle} answers: a status, headers, and a body (JSON, or empty).
 *
 * @param status the HTTP status
 * @param headers the response headers, {@code Content-Type} among them when there is a body
 * @param body the response body; empty for {@code 204}
 */
public record TrackingResponse(int status, Map<String, String> headers, byte[] body) {

  public TrackingResponse {
    headers = Map.copyOf(headers);
    Objects.requireNonNull(body, "body");
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}

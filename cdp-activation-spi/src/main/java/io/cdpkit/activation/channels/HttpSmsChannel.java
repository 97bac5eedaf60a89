package io.cdpkit.activation.channels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.activation.spi.Channel;
import io.cdpkit.activation.spi.ChannelContext;
import io.cdpkit.activation.spi.DeliveryResult;
import io.cdpkit.activation.spi.Message;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.IdentifierType;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The channel of {@link HttpSmsChannelProvider}. Thread-safe. */
final class HttpSmsChannel implements Channel {
  static final String FIELD_PREFIX = "field.";
  static final String PARAM_PREFIX = "param.";
  static final String HEADER_PREFIX = "header.";
  static final int DEFAULT_MAX_LENGTH = 1600;
  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
  private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}(\\[\\])?");
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Format { FORM, JSON }

  private final String name;
  private final URI url;
  private final Format format;
  private final String from;
  private final String toField;
  private final String fromField;
  private final String textField;
  private final Map<String, String> params;
  private final Map<String, String> headers;
  private final @Nullable String authorization;
  private final int maxLength;
  private final @Nullable String referenceField;
  private final String textKey;
  private final Duration timeout;
  private final Clock clock;
  private final HttpChannels.Client client;
  private final AtomicBoolean closed = new AtomicBoolean();

  HttpSmsChannel(ChannelContext context) {
    this.name = context.channelName();
    this.url = HttpChannels.url(context, "url", context.required("url"));
    this.format = switch (Configs.optional(context, "format").orElse("form").strip()
        .toLowerCase(Locale.ROOT)) {
      case "form" -> Format.FORM;
      case "json" -> Format.JSON;
      default -> throw Configs.invalid(context, "format", "must be form or json");
    };
    this.from = context.required("from").strip();
    this.toField = field(context, "to", "To");
    this.fromField = field(context, "from", "From");
    this.textField = field(context, "text", "Body");
    if (format == Format.FORM) {
      for (String what : List.of("to", "from", "text")) {
        String f = what.equals("to") ? toField : what.equals("from") ? fromField : textField;
        if (f.endsWith("[]")) {
          throw Configs.invalid(context, FIELD_PREFIX + what,
              "may end in [] (a JSON array) only with format json");
        }
      }
    }
    if (clash(strip(toField), strip(fromField), strip(textField))) {
      throw Configs.invalid(context, FIELD_PREFIX + "to", "must differ from field.from and"
          + " field.text");
    }
    this.params = prefixed(context, PARAM_PREFIX, false);
    for (String f : List.of(toField, fromField, textField)) {
      if (params.containsKey(strip(f))) {
        throw Configs.invalid(context, PARAM_PREFIX + strip(f), "names a field the channel"
            + " fills itself");
      }
    }
    this.headers = prefixed(context, HEADER_PREFIX, true);
    this.authorization = authorization(context);
    if (authorization != null && headers.keySet().stream()
        .anyMatch(h -> h.equalsIgnoreCase("Authorization"))) {
      throw Configs.invalid(context, "header.Authorization",
          "must not be given with username/password or token");
    }
    this.maxLength = Configs.integer(context, "max-length", DEFAULT_MAX_LENGTH, 1, 100_000);
    this.referenceField = Configs.optional(context, "reference-field").map(String::strip)
        .orElse(format == Format.FORM ? "sid" : null);
    this.textKey = Configs.optional(context, "text-key").map(String::strip).orElse("text");
    this.timeout = context.timeout();
    this.clock = context.clock();
    this.client = HttpChannels.client("cdpkit-sms-" + name, url, timeout,
        HttpClient.Version.HTTP_2, null);
  }

  private static boolean clash(String a, String b, String c) {
    return a.equals(b) || a.equals(c) || b.equals(c);
  }

  private static String strip(String field) {
    return field.endsWith("[]") ? field.substring(0, field.length() - 2) : field;
  }

  private static String field(ChannelContext context, String what, String dflt) {
    String key = FIELD_PREFIX + what;
    String f = Configs.optional(context, key).map(String::strip).orElse(dflt);
    if (!FIELD.matcher(f).matches()) {
      throw Configs.invalid(context, key, "must be a field name (letters, digits, _ . -),"
          + " optionally ending in []");
    }
    return f;
  }

  private static Map<String, String> prefixed(ChannelContext context, String prefix,
      boolean header) {
    Map<String, String> out = new LinkedHashMap<>();
    HttpRequest.Builder probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1/"));
    for (Map.Entry<String, String> e : context.config().entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      String n = e.getKey().substring(prefix.length());
      if (n.isEmpty() || !FIELD.matcher(n).matches() || n.endsWith("[]")) {
        throw Configs.invalid(context, e.getKey(), "does not name a valid "
            + (header ? "header" : "field"));
      }
      if (header) {
        String lower = n.toLowerCase(Locale.ROOT);
        if (List.of("connection", "content-length", "expect", "host", "upgrade",
            "content-type", "idempotency-key").contains(lower)) {
          throw Configs.invalid(context, e.getKey(), "names a header the channel sets itself");
        }
        try {
          probe.header(n, e.getValue());
        } catch (IllegalArgumentException bad) {
          throw Configs.invalid(context, e.getKey(), "holds a value that cannot be sent");
        }
      }
      out.put(n, e.getValue());
    }
    return Map.copyOf(out);
  }

  private static @Nullable String authorization(ChannelContext context) {
    Optional<String> user = Configs.optional(context, "username");
    Optional<String> password = Configs.optional(context, "password");
    Optional<String> token = Configs.optional(context, "token");
    if (user.isPresent() != password.isPresent()) {
      throw Configs.invalid(context, user.isPresent() ? "password" : "username",
          "must be given with " + (user.isPresent() ? "username" : "password"));
    }
    if (user.isPresent() && token.isPresent()) {
      throw Configs.invalid(context, "token", "must not be given with username and password");
    }
    if (user.isPresent()) {
      if (user.get().contains(":")) {
        throw Configs.invalid(context, "username", "must not contain ':'");
      }
      return "Basic " + Base64.getEncoder().encodeToString((user.get() + ":" + password.get())
          .getBytes(StandardCharsets.UTF_8));
    }
    if (token.isPresent()) {
      String t = token.get().strip();
      if (!t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw Configs.invalid(context, "token", "must be printable ASCII without spaces");
      }
      return "Bearer " + t;
    }
    return null;
  }

  @Override
  public List<IdentifierType> addresses() {
    return List.of(IdentifierType.PHONE);
  }

  @Override
  public DeliveryResult deliver(Message message) {
    if (closed.get()) {
      return DeliveryResult.retryable("channel is closed");
    }
    Optional<Identifier> to = message.recipient(IdentifierType.PHONE);
    if (to.isEmpty()) {
      return DeliveryResult.permanent("no phone recipient");
    }
    if (!E164.matcher(to.get().value()).matches()) {
      return DeliveryResult.permanent("phone recipient is not an E.164 number");
    }
    Optional<String> text = message.text(textKey).filter(t -> !t.isBlank());
    if (text.isEmpty()) {
      return DeliveryResult.permanent("payload key '" + textKey + "' is missing or blank");
    }
    int length = text.get().codePointCount(0, text.get().length());
    if (length > maxLength) {
      return DeliveryResult.permanent("payload key '" + textKey + "' is " + length
          + " characters, over the maximum of " + maxLength + " (config key 'max-length'; "
          + SmsSegments.count(text.get()) + " SMS segments)");
    }
    byte[] body;
    String contentType;
    try {
      if (format == Format.FORM) {
        body = form(to.get().value(), text.get());
        contentType = "application/x-www-form-urlencoded";
      } else {
        body = json(to.get().value(), text.get());
        contentType = "application/json";
      }
    } catch (JsonProcessingException e) {
      return DeliveryResult.permanent("request cannot be written as JSON");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(url)
        .timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", contentType);
    try {
      request.header("Idempotency-Key", message.idempotencyKey());
    } catch (IllegalArgumentException e) {
      return DeliveryResult.permanent("idempotency key cannot be sent as a header");
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    headers.forEach(request::header);
    HttpResponse<byte[]> response;
    try {
      response = client.http().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      return DeliveryResult.retryable("timed out after " + timeout);
    } catch (IOException e) {
      return DeliveryResult.retryable("I/O error: " + HttpChannels.describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DeliveryResult.retryable("interrupted");
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      String ref = reference(response.body());
      return ref == null ? DeliveryResult.delivered() : DeliveryResult.delivered(ref);
    }
    String reason = "SMS gateway HTTP " + status;
    if (HttpChannels.retryable(status)) {
      return HttpChannels.retry(reason, response.headers().firstValue("Retry-After"),
          clock.instant());
    }
    return DeliveryResult.permanent(reason);
  }

  private byte[] form(String to, String text) {
    StringBuilder b = new StringBuilder();
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(toField, to);
    fields.put(fromField, from);
    fields.put(textField, text);
    fields.putAll(params);
    fields.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&")
        .append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private byte[] json(String to, String text) throws JsonProcessingException {
    Map<String, Object> fields = new LinkedHashMap<>();
    put(fields, toField, to);
    put(fields, fromField, from);
    put(fields, textField, text);
    fields.putAll(params);
    return JSON.writeValueAsBytes(fields);
  }

  private static void put(Map<String, Object> fields, String field, String value) {
    if (field.endsWith("[]")) {
      fields.put(strip(field), List.of(value));
    } else {
      fields.put(field, value);
    }
  }

  private @Nullable String reference(byte[] body) {
    if (referenceField == null || body.length == 0) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(body);
      JsonNode v = n == null ? null : n.get(referenceField);
      if (v != null && (v.isTextual() || v.isNumber())) {
        String ref = HttpChannels.clip(v.asText().strip(), DeliveryResult.MAX_REFERENCE_LENGTH);
        return ref.isEmpty() ? null : ref;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      client.executor().shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "HttpSmsChannel[" + name + "]";
  }
}

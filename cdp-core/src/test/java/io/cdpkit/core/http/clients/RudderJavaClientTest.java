package io.cdpkit.core.http.clients;

import com.rudderstack.sdk.java.analytics.RudderAnalytics;
import com.rudderstack.sdk.java.analytics.Callback;
import com.rudderstack.sdk.java.analytics.Log;
import com.rudderstack.sdk.java.analytics.messages.AliasMessage;
import com.rudderstack.sdk.java.analytics.messages.GroupMessage;
import com.rudderstack.sdk.java.analytics.messages.IdentifyMessage;
import com.rudderstack.sdk.java.analytics.messages.Message;
import com.rudderstack.sdk.java.analytics.messages.MessageBuilder;
import com.rudderstack.sdk.java.analytics.messages.PageMessage;
import com.rudderstack.sdk.java.analytics.messages.ScreenMessage;
import com.rudderstack.sdk.java.analytics.messages.TrackMessage;
import io.cdpkit.core.http.clients.ClientTestSupport.Deliveries;
import java.net.URI;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;

/**
 * RudderStack's Java SDK 3.1.2 ({@code com.rudderstack.sdk.java.analytics:analytics}),
 * unmodified, pointed at the tracking endpoint with its {@code dataPlaneUrl} setting. It posts
 * gzipped, chunked bodies to {@code /v1/batch} with the write key in HTTP Basic auth, and retries
 * a 5xx after 15 to 30 seconds.
 */
@Tag("slow") // about 30 s: run by the slow-suites profile, which .ci/run runs too
class RudderJavaClientTest extends JavaClientScenarios {
  @Override
  String writeKey() {
    return "RUDDER_JAVA_WRITE_KEY";
  }

  @Override
  String libraryName() {
    return "analytics-java";
  }

  @Override
  String libraryVersion() {
    return "3.1.2";
  }

  @Override
  JavaClient connect(URI base, String writeKey, Deliveries deliveries) {
    RudderAnalytics analytics = RudderAnalytics.builder(writeKey)
        .setDataPlaneUrl(base.toString())
        .callback(new Callback() {
          @Override
          public void success(Message message) {
            deliveries.success(message.messageId());
          }

          @Override
          public void failure(Message message, Throwable throwable) {
            deliveries.failure(message.messageId(), throwable);
          }
        })
        .log(new StderrLog())
        .build();
    return new JavaClient() {
      private void send(MessageBuilder<?, ?> builder, @Nullable String userId,
          @Nullable Instant timestamp) {
        if (userId != null) {
          builder.userId(userId);
        }
        if (timestamp != null) {
          builder.timestamp(Date.from(timestamp));
        }
        analytics.enqueue(builder);
      }

      @Override
      public void identify(String userId, Map<String, ?> traits) {
        send(IdentifyMessage.builder().traits(traits), userId, null);
      }

      @Override
      public void track(@Nullable String userId, @Nullable String anonymousId, String event,
          Map<String, ?> properties, @Nullable Instant timestamp) {
        TrackMessage.Builder b = TrackMessage.builder(event).properties(properties);
        if (anonymousId != null) {
          b.anonymousId(anonymousId);
        }
        send(b, userId, timestamp);
      }

      @Override
      public void page(String userId, String name, Map<String, ?> properties) {
        send(PageMessage.builder(name).properties(properties), userId, null);
      }

      @Override
      public void screen(String userId, String name, Map<String, ?> properties) {
        send(ScreenMessage.builder(name).properties(properties), userId, null);
      }

      @Override
      public void group(String userId, String groupId, Map<String, ?> traits) {
        send(GroupMessage.builder(groupId).traits(traits), userId, null);
      }

      @Override
      public void alias(String previousId, String userId) {
        send(AliasMessage.builder(previousId), userId, null);
      }

      @Override
      public void flush() {
        analytics.flush();
      }

      @Override
      public void close() {
        analytics.shutdown();
      }
    };
  }

  /** The SDK's errors and debug lines on standard error, for a failing run's report. */
  private static final class StderrLog implements Log {
    @Override
    public void print(Level level, String format, Object... args) {
      if (level != Level.VERBOSE) {
        System.err.println("rudder-java " + level + ": " + String.format(format, args));
      }
    }

    @Override
    public void print(Level level, Throwable error, String format, Object... args) {
      if (level != Level.VERBOSE) {
        System.err.println("rudder-java " + level + ": " + String.format(format, args) + ": "
            + error);
      }
    }
  }
}

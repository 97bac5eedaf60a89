package io.cdpkit.core.http.clients;

import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.Log;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.GroupMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.MessageBuilder;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.ScreenMessage;
import com.segment.analytics.messages.TrackMessage;
import io.cdpkit.core.http.clients.ClientTestSupport.Deliveries;
import java.net.URI;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;

/**
 * Segment's analytics-java 3.5.4, unmodified, pointed at the tracking endpoint with its
 * {@code endpoint} setting. It posts to {@code /v1/import/} with the write key in the body and
 * no {@code Authorization} header, and retries a 5xx after 15 to 30 seconds.
 */
@Tag("slow") // about 30 s: run by the slow-suites profile, which .ci/run runs too
class SegmentJavaClientTest extends JavaClientScenarios {
  @Override
  String writeKey() {
    return "SEGMENT_JAVA_WRITE_KEY";
  }

  @Override
  String libraryName() {
    return "analytics-java";
  }

  @Override
  String libraryVersion() {
    return "3.5.4";
  }

  @Override
  JavaClient connect(URI base, String writeKey, Deliveries deliveries) {
    Analytics analytics = Analytics.builder(writeKey)
        .endpoint(base.toString())
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
        System.err.println("segment-java " + level + ": " + String.format(format, args));
      }
    }

    @Override
    public void print(Level level, Throwable error, String format, Object... args) {
      if (level != Level.VERBOSE) {
        System.err.println("segment-java " + level + ": " + String.format(format, args) + ": "
            + error);
      }
    }
  }
}

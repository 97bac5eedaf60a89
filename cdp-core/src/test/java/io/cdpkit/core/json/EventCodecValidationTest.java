package io.cdpkit.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cdpkit.core.InvalidEventException;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.IdentifierType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per rule of {@link EventCodec}: the exact pointer, the other messages of the batch
 * still decoding, and no offending value in any exception message.
 */
class EventCodecValidationTest {
  private static final String SECRET = "SECRET-VALUE-123";
  private static final String GOOD = json("{'type':'track','messageId':'m-good','userId':'u-1',"
      + "'event':'Order Completed','properties':{'total':19.99}}");

  private final EventCodec codec = EventCodec.create();

  /** Single quotes to double quotes, to keep the JSON below readable. */
  private static String json(String s) {
    return s.replace('\'', '"');
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] batch(String... messages) {
    return bytes("{\"batch\":[" + String.join(",", messages) + "]}");
  }

  private static void assertNoSecret(Throwable e) {
    assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("SECRET");
    if (e instanceof InvalidEventException iee) {
      assertThat(iee.reason()).doesNotContain("SECRET");
      assertThat(iee.pointer()).doesNotContain("SECRET");
    }
  }

  /**
   * Decodes {@code [GOOD, bad, GOOD]}, checks both good ones decode and returns the error of the
   * bad one after checking its pointer and that it names no value.
   */
  private InvalidEventException rejectedInBatch(String bad, String pointer) {
    List<DecodedMessage> decoded = codec.decodeBody(batch(GOOD, bad, GOOD));
    assertThat(decoded).hasSize(3);
    for (int i : new int[] {0, 2}) {
      DecodedMessage good = decoded.get(i);
      assertThat(good.index()).isEqualTo(i);
      assertThat(good.isValid()).isTrue();
      assertThat(good.orThrow().properties().get("total")).isEqualTo(new BigDecimal("19.99"));
    }
    DecodedMessage rejected = decoded.get(1);
    assertThat(rejected.index()).isEqualTo(1);
    assertThat(rejected.isValid()).isFalse();
    assertThat(rejected.event()).isNull();
    InvalidEventException error = rejected.error();
    assertThat(error).isNotNull();
    assertThat(error.pointer()).isEqualTo(pointer);
    assertNoSecret(error);
    assertThatThrownBy(rejected::orThrow).isSameAs(error);
    return error;
  }

  /** As {@link #rejectedInBatch} and the same error from {@code decodeMessage}. */
  private InvalidEventException rejected(String bad, String pointer) {
    InvalidEventException inBatch = rejectedInBatch(bad, pointer);
    InvalidEventException alone =
        catchThrowableOfType(InvalidEventException.class, () -> codec.decodeMessage(bad));
    assertThat(alone).isNotNull();
    assertThat(alone.pointer()).isEqualTo(pointer);
    assertThat(alone.reason()).isEqualTo(inBatch.reason());
    assertNoSecret(alone);
    return inBatch;
  }

  private InvalidEventException bodyRejected(byte[] body, String pointer) {
    InvalidEventException e =
        catchThrowableOfType(InvalidEventException.class, () -> codec.decodeBody(body));
    assertThat(e).as("body is rejected").isNotNull();
    assertThat(e.pointer()).isEqualTo(pointer);
    assertNoSecret(e);
    return e;
  }

  // ---- whole body ----

  @Test
  void bodyThatIsNotJsonIsRejectedAsAWhole() {
    InvalidEventException e = bodyRejected(bytes("{\"batch\": [" + GOOD + ", " + SECRET + "]}"),
        "");
    assertThat(e.reason()).startsWith("is not valid JSON at line 1, column ");
    bodyRejected(bytes(SECRET), "");
    bodyRejected(bytes(""), "");
    bodyRejected(bytes("[" + GOOD + "]"), "");
    bodyRejected(bytes(GOOD + " {\"" + SECRET + "\": 1}"), "");
  }

  @Test
  void bodyOverTheByteLimitIsRejectedAsAWhole() throws IOException {
    // 600 valid messages of about 7,100 bytes: each under 256 KB, together over 4 MiB.
    String pad = "x".repeat(7_000);
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      messages.add(json("{'type':'track','messageId':'m-" + i + "','userId':'u-1',"
          + "'event':'E','properties':{'pad':'" + pad + "'}}"));
    }
    byte[] body = batch(messages.toArray(String[]::new));
    assertThat(body.length).isGreaterThan(EventLimits.DEFAULT_MAX_BATCH_BYTES);
    InvalidEventException e = bodyRejected(body, "");
    assertThat(e.reason()).contains("4194304");
    bodyRejected(ClientCapturesTest.gzip(body), "");

    // The same messages fit when the limit is raised.
    EventCodec larger = EventCodec.create(EventLimits.defaults().withMaxBatchBytes(5_000_000));
    assertThat(larger.decodeBody(body)).hasSize(600).allMatch(DecodedMessage::isValid);
  }

  @Test
  void batchWithMoreThan2500MessagesRejectsOnlyTheExcess() {
    String[] atLimit = Collections.nCopies(2_500, GOOD).toArray(String[]::new);
    assertThat(codec.decodeBody(batch(atLimit))).hasSize(2_500).allMatch(DecodedMessage::isValid);

    String[] overLimit = Collections.nCopies(2_502, GOOD).toArray(String[]::new);
    List<DecodedMessage> decoded = codec.decodeBody(batch(overLimit));
    assertThat(decoded).hasSize(2_502);
    assertThat(decoded.subList(0, 2_500)).allMatch(DecodedMessage::isValid);
    for (DecodedMessage m : decoded.subList(2_500, 2_502)) {
      assertThat(m.isValid()).isFalse();
      assertThat(m.error().pointer()).isEqualTo("");
      assertThat(m.error().reason()).contains("2500");
      assertThat(m.messageId()).as("still named").isEqualTo("m-good");
    }
  }

  @Test
  void batchThatIsNotAnArrayIsRejectedAsAWhole() {
    bodyRejected(bytes(json("{'batch':{'type':'" + SECRET + "'}}")), "/batch");
    bodyRejected(bytes(json("{'batch':'" + SECRET + "'}")), "/batch");
    bodyRejected(bytes(json("{'batch':[],'batch':[]}")), "/batch");
  }

  @Test
  void badBatchLevelFieldsAreRejectedAsAWhole() {
    bodyRejected(bytes("{\"batch\":[" + GOOD + "],\"sentAt\":\"" + SECRET + "\"}"), "/sentAt");
    bodyRejected(bytes("{\"batch\":[" + GOOD + "],\"context\":\"" + SECRET + "\"}"), "/context");
    bodyRejected(bytes("{\"batch\":[" + GOOD + "],\"writeKey\":\"a\",\"writeKey\":\"" + SECRET
        + "\"}"), "/writeKey");
  }

  // ---- one message ----

  @Test
  void messageOver256KbIsRejectedOnItsOwn() {
    String bad = json("{'type':'track','messageId':'m-big','userId':'u-1','event':'E',"
        + "'properties':{'pad':'" + SECRET + "x".repeat(263_000) + "'}}");
    InvalidEventException e = rejected(bad, "");
    assertThat(e.reason()).contains("262144");
    List<DecodedMessage> decoded = codec.decodeBody(batch(GOOD, bad));
    assertThat(decoded.get(1).messageId()).as("messageId still read").isEqualTo("m-big");

    // Exactly 262,144 bytes is allowed.
    String head = json("{'type':'track','messageId':'m-max','userId':'u-1','event':'E',"
        + "'properties':{'pad':'");
    String tail = json("'}}");
    String atLimit = head + "y".repeat(262_144 - head.length() - tail.length()) + tail;
    assertThat(bytes(atLimit)).hasSize(262_144);
    assertThat(codec.decodeBody(batch(GOOD, atLimit))).allMatch(DecodedMessage::isValid);
    assertThat(codec.decodeMessage(atLimit).messageId()).isEqualTo("m-max");
    assertThat(codec.decodeBody(bytes(atLimit))).singleElement()
        .matches(DecodedMessage::isValid);
    assertThat(codec.decodeBody(bytes(atLimit.replaceFirst("y", "yy"))).get(0).error().pointer())
        .isEqualTo("");
  }

  @Test
  void missingMessageId() {
    // One message read alone must name its id; in a body, a missing id is derived.
    String noId = json("{'type':'track','userId':'" + SECRET + "','event':'E'}");
    InvalidEventException e =
        catchThrowableOfType(InvalidEventException.class, () -> codec.decodeMessage(noId));
    assertThat(e.pointer()).isEqualTo("/messageId");
    assertNoSecret(e);
    String derived = codec.decodeBody(bytes(noId)).get(0).orThrow().messageId();
    assertThat(derived).matches("cdp-[0-9a-f]{32}");
    // The same content derives the same id, in a batch too, whatever sentAt says; other
    // content or another namespace derives another.
    String withSentAt = noId.replace("}", ",\"sentAt\":\"2026-01-01T00:00:00Z\"}");
    assertThat(codec.decodeBody(batch(withSentAt)).get(0).orThrow().messageId())
        .isEqualTo(derived);
    assertThat(codec.decodeBody(bytes(noId.replace("'E'", "'F'").replace("\"E\"", "\"F\"")))
        .get(0).orThrow().messageId()).isNotEqualTo(derived);
    assertThat(codec.readBody(bytes(noId)).messages("shop", java.time.ZoneOffset.UTC).get(0)
        .orThrow().messageId()).isNotEqualTo(derived);
    // An explicit null is missing too; a blank id is refused.
    assertThat(codec.decodeBody(bytes(noId.replace("{", "{\"messageId\":null,"))).get(0)
        .orThrow().messageId()).isEqualTo(derived);
    assertThat(codec.decodeBody(bytes(noId.replace("{", "{\"messageId\":\" \","))).get(0)
        .isValid()).isFalse();
  }

  @Test
  void unknownType() {
    InvalidEventException e =
        rejected(json("{'type':'" + SECRET + "','messageId':'m-1','userId':'u-1'}"), "/type");
    assertThat(e.reason()).contains("identify, track");
    rejected(json("{'messageId':'m-1','userId':'u-1'}"), "/type");
    rejected(json("{'type':7,'messageId':'m-1','userId':'u-1'}"), "/type");
    // Case-insensitive, whatever the default locale (Turkish in the build).
    assertThat(codec.decodeMessage(json("{'type':'IDENTIFY','messageId':'m-1','userId':'u'}"))
        .type().wireName()).isEqualTo("identify");
  }

  @Test
  void trackWithoutEvent() {
    rejected(json("{'type':'track','messageId':'m-1','userId':'" + SECRET + "'}"), "/event");
    // "name" does not name a track; it is kept in extra.
    rejected(json("{'type':'track','messageId':'m-1','userId':'u','name':'" + SECRET + "'}"),
        "/event");
  }

  @Test
  void aliasWithoutPreviousId() {
    rejected(json("{'type':'alias','messageId':'m-1','userId':'" + SECRET + "'}"),
        "/previousId");
  }

  @Test
  void groupWithoutGroupId() {
    rejected(json("{'type':'group','messageId':'m-1','userId':'" + SECRET + "'}"), "/groupId");
  }

  @Test
  void messageWithoutAnyIdentifier() {
    InvalidEventException e = rejected(json("{'type':'track','messageId':'m-1','event':'E',"
        + "'properties':{'email':'" + SECRET + "'}}"), "/userId");
    assertThat(e.reason()).contains("externalIds");
  }

  @ParameterizedTest
  @ValueSource(strings = {"timestamp", "originalTimestamp", "sentAt", "receivedAt"})
  void badTimestamp(String field) {
    InvalidEventException e = rejected(json("{'type':'track','messageId':'m-1','userId':'u-1',"
        + "'event':'E','" + field + "':'" + SECRET + "'}"), "/" + field);
    assertThat(e.reason()).isEqualTo("is not an ISO-8601 date-time");
    rejected(json("{'type':'track','messageId':'m-1','userId':'u-1','event':'E','" + field
        + "':1700000000}"), "/" + field);
    rejected(json("{'type':'track','messageId':'m-1','userId':'u-1','event':'E','" + field
        + "':'2026-02-30T10:00:00Z'}"), "/" + field);
    // Without a zone: refused for one message read alone, read in the body's zone (UTC here).
    String local = json("{'type':'track','messageId':'m-1','userId':'u-1','event':'E','" + field
        + "':'2026-03-01T10:00:00'}");
    assertThat(catchThrowableOfType(InvalidEventException.class,
        () -> codec.decodeMessage(local)).pointer()).isEqualTo("/" + field);
    assertThat(codec.decodeBody(bytes(local)).get(0).isValid()).isTrue();
    assertThat(codec.readBody(bytes(local)).messages("", java.time.ZoneId.of("Asia/Tokyo"))
        .get(0).isValid()).isTrue();
  }

  @Test
  void timestampsWithAnOffsetAreRead() {
    Event e = codec.decodeMessage(json("{'type':'track','messageId':'m-1','userId':'u-1',"
        + "'event':'E','timestamp':'2026-03-01T10:15:00.123+01:00',"
        + "'originalTimestamp':'2026-03-01T10:15:00Z'}"));
    assertThat(e.timestamp()).isEqualTo(Instant.parse("2026-03-01T09:15:00.123Z"));
    assertThat(e.originalTimestamp()).isEqualTo(Instant.parse("2026-03-01T10:15:00Z"));
  }

  @Test
  void propertiesThatAreNotAnObject() {
    rejected(json("{'type':'track','messageId':'m-1','userId':'u-1','event':'E',"
        + "'properties':'" + SECRET + "'}"), "/properties");
    rejected(json("{'type':'identify','messageId':'m-1','userId':'u-1',"
        + "'traits':['" + SECRET + "']}"), "/traits");
    rejected(json("{'type':'identify','messageId':'m-1','userId':'u-1',"
        + "'context':{'device':'" + SECRET + "'}}"), "/context/device");
    rejected(json("{'type':'identify','messageId':'m-1','userId':'u-1',"
        + "'context':'" + SECRET + "'}"), "/context");
    rejected(json("{'type':'identify','messageId':'m-1','userId':'u-1',"
        + "'context':{'library':{'name':['" + SECRET + "']}}}"), "/context/library/name");
  }

  @Test
  void badExternalIds() {
    rejected(json("{'type':'identify','messageId':'m-1','context':{'externalIds':["
        + "{'id':'a@b.co','type':'email'},{'id':'" + SECRET + "','type':'Not A Type!'}]}}"),
        "/context/externalIds/1/type");
    rejected(json("{'type':'identify','messageId':'m-1','context':{'externalIds':["
        + "{'type':'email'}]}}"), "/context/externalIds/0/id");
    rejected(json("{'type':'identify','messageId':'m-1','context':{'externalIds':["
        + "{'id':'" + SECRET + "'}]}}"), "/context/externalIds/0/type");
    rejected(json("{'type':'identify','messageId':'m-1','context':{'externalIds':["
        + "{'id':'','type':'email'}]}}"), "/context/externalIds/0/id");
    rejected(json("{'type':'identify','messageId':'m-1','context':{'externalIds':'"
        + SECRET + "'}}"), "/context/externalIds");
  }

  @Test
  void externalIdTypesAreLowerCasedWithoutTheDefaultLocale() {
    // Under a Turkish default locale "EMAIL".toLowerCase() would be "emaıl".
    Event e = codec.decodeMessage(json("{'type':'identify','messageId':'m-1','context':{"
        + "'externalIds':[{'id':'a@b.co','type':'EMAIL'},{'id':'2900','type':'Loyalty_Card'},"
        + "{'id':'k-1','type':'kiosk_id','collection':'users','encoding':'none'}]}}"));
    assertThat(e.identifiers()).extracting(id -> id.type())
        .containsExactly(IdentifierType.EMAIL, IdentifierType.LOYALTY_CARD,
            IdentifierType.of("kiosk_id"));
    assertThat(e.identifiers()).extracting(id -> id.value())
        .containsExactly("a@b.co", "2900", "k-1");
    assertThat(e.context().other()).isEmpty();
  }

  @Test
  void badConsent() {
    rejected(json("{'type':'identify','messageId':'m-1','userId':'u-1','consent':"
        + "[{'purpose':'marketing','channel':'email','granted':'" + SECRET + "'}]}"),
        "/consent/0/granted");
    rejected(json("{'type':'identify','messageId':'m-1','userId':'u-1','consent':"
        + "[{'purpose':'" + SECRET + "','channel':'email','granted':true}]}"),
        "/consent/0/purpose");
    rejected(json("{'type':'identify','messageId':'m-1','userId':'u-1','consent':{}}"),
        "/consent");
  }

  @Test
  void duplicateKey() {
    InvalidEventException e = rejected(json("{'type':'track','messageId':'m-1','userId':'u-1',"
        + "'event':'E','properties':{'total':1,'total':'" + SECRET + "'}}"), "/properties/total");
    assertThat(e.reason()).isEqualTo("is a duplicate key");
    rejected(json("{'type':'track','messageId':'m-1','userId':'u-1','userId':'" + SECRET + "',"
        + "'event':'E'}"), "/userId");
    // Keys are escaped as RFC 6901 reference tokens.
    rejected(json("{'type':'track','messageId':'m-1','userId':'u-1','event':'E',"
        + "'properties':{'a/b~c':1,'a/b~c':2}}"), "/properties/a~1b~0c");
  }

  @Test
  void nestingTooDeep() {
    // The message is level 1, properties level 2, so the 31st nested "a" is level 33.
    String nested = "{\"a\":".repeat(40) + "\"" + SECRET + "\"" + "}".repeat(40);
    InvalidEventException e = rejected(json("{'type':'track','messageId':'m-1','userId':'u-1',"
        + "'event':'E','properties':" + nested + "}"), "/properties" + "/a".repeat(31));
    assertThat(e.reason()).contains("32");

    // 32 levels are fine: properties (2) and 30 nested objects.
    String deepest = "{\"a\":".repeat(30) + "1" + "}".repeat(30);
    assertThat(codec.decodeMessage(json("{'type':'track','messageId':'m-1','userId':'u-1',"
        + "'event':'E','properties':" + deepest + "}")).properties()).containsKey("a");

    // Arrays count too.
    rejectedInBatch(json("{'type':'track','messageId':'m-1','userId':'u-1','event':'E',"
        + "'properties':{'l':") + "[".repeat(40) + "]".repeat(40) + "}}",
        "/properties/l" + "/0".repeat(30));

    // Beyond the parser's own guard, the whole body goes.
    String absurd = "[".repeat(EventCodec.PARSER_MAX_NESTING_DEPTH + 10)
        + "]".repeat(EventCodec.PARSER_MAX_NESTING_DEPTH + 10);
    bodyRejected(bytes("{\"batch\":[" + GOOD + "," + absurd + "]}"), "");
  }

  @Test
  void messageThatIsNotAnObject() {
    List<DecodedMessage> decoded = codec.decodeBody(batch(GOOD, "\"" + SECRET + "\"", "[1]"));
    assertThat(decoded.get(0).isValid()).isTrue();
    assertThat(decoded.get(1).error().pointer()).isEqualTo("");
    assertThat(decoded.get(2).error().pointer()).isEqualTo("");
    assertNoSecret(decoded.get(1).error());
  }

  @Test
  void unpairedSurrogate() {
    rejected(json("{'type':'track','messageId':'m-1','userId':'u-1','event':'E',"
        + "'properties':{'x':'\\ud800" + SECRET + "'}}"), "/properties/x");
  }

  @Test
  void gzipBombIsRefusedWithoutInflatingItAll() throws IOException {
    // 256 MB of zeros compress to about 256 KB, less than the body limit.
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 256; i++) {
        gz.write(zeros);
      }
    }
    byte[] bomb = compressed.toByteArray();
    assertThat(bomb.length).isLessThan(EventLimits.DEFAULT_MAX_BATCH_BYTES);

    bodyRejected(bomb, "");

    CountingInputStream in = new CountingInputStream(new ByteArrayInputStream(bomb));
    InvalidEventException e =
        catchThrowableOfType(InvalidEventException.class, () -> codec.decodeBody(in));
    assertThat(e.pointer()).isEqualTo("");
    assertThat(e.reason()).contains("4194304");
    // 4,194,304 inflated bytes need about 500 compressed ones (plus one read buffer): reading
    // stopped long before the end of the bomb.
    assertThat(in.count).isLessThan(bomb.length / 10);
  }

  @Test
  void corruptGzipIsRejectedAsAWhole() throws IOException {
    byte[] gz = ClientCapturesTest.gzip(batch(GOOD));
    byte[] truncated = java.util.Arrays.copyOf(gz, gz.length / 2);
    assertThat(bodyRejected(truncated, "").reason()).isEqualTo("is not valid gzip");
    assertThat(codec.decodeBody(new ByteArrayInputStream(gz))).singleElement()
        .matches(DecodedMessage::isValid);
  }

  @Test
  void limitsCheckTheirArguments() {
    assertThatThrownBy(() -> EventLimits.defaults().withMaxEventBytes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxEventBytes");
    assertThatThrownBy(() -> EventLimits.defaults().withMaxBatchBytes(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatchBytes");
    assertThatThrownBy(() -> EventLimits.defaults().withMaxBatchEvents(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatchEvents");
    assertThatThrownBy(() -> EventLimits.defaults().withMaxNestingDepth(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxNestingDepth");
    assertThat(EventLimits.defaults()).isEqualTo(new EventLimits(262_144, 4_194_304, 2_500, 32));
    assertThat(EventLimits.defaults().withMaxBatchEvents(10).maxBatchEvents()).isEqualTo(10);
  }

  @Test
  void customLimitsApply() {
    EventCodec small = EventCodec.create(EventLimits.defaults().withMaxBatchEvents(2)
        .withMaxEventBytes(200).withMaxNestingDepth(3));
    assertThat(small.decodeBody(batch(GOOD, GOOD, GOOD))).extracting(DecodedMessage::isValid)
        .containsExactly(true, true, false);
    String big = json("{'type':'track','messageId':'m-1','userId':'u-1','event':'E',"
        + "'properties':{'pad':'" + "z".repeat(200) + "'}}");
    assertThat(small.decodeBody(batch(GOOD, big)).get(1).error().pointer()).isEqualTo("");
    assertThat(small.decodeBody(batch(json("{'type':'track','messageId':'m-1','userId':'u-1',"
        + "'event':'E','properties':{'a':{'b':[]}}}"))).get(0).error().pointer())
        .isEqualTo("/properties/a/b");
  }

  private static final class CountingInputStream extends FilterInputStream {
    long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}

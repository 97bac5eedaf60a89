package io.cdpkit.segmentation.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cdpkit.segmentation.DefinitionValidationException;
import io.cdpkit.segmentation.DefinitionValidationException.Violation;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One test per rule {@link SegmentJson#read} enforces: the exact pointer and a fragment of the
 * message.
 */
class SegmentJsonValidationTest {

  /** Single quotes to double quotes, to keep the JSON below readable. */
  static String json(String s) {
    return s.replace('\'', '"');
  }

  /** A definition around a condition written with single quotes. */
  static String definition(String condition) {
    return json("{'version':1,'id':'t','name':'T','condition':" + condition + "}");
  }

  static DefinitionValidationException readFails(String text) {
    try {
      SegmentDefinition d = SegmentJson.read(text);
      return fail("read " + d);
    } catch (DefinitionValidationException ex) {
      return ex;
    }
  }

  /** Reads the text, expecting exactly one violation, at {@code pointer}. */
  static Violation only(String text, String pointer, String fragment) {
    DefinitionValidationException ex = readFails(text);
    assertThat(ex.violations()).as(ex.getMessage()).hasSize(1);
    Violation v = ex.violations().get(0);
    assertThat(v.pointer()).isEqualTo(pointer);
    assertThat(v.message()).contains(fragment);
    assertThat(ex.getMessage()).contains((pointer.isEmpty() ? "definition" : pointer) + ": ");
    return v;
  }

  static String conditionOfType(String type) {
    return "{'type':'" + type + "'}";
  }

  @Test
  void unknownType() {
    only(definition("{'type':'traits','name':'tier','op':'exists'}"), "/condition/type",
        "unknown type \"traits\"; expected one of and, or, not, trait");
  }

  @Test
  void missingType() {
    only(definition("{'name':'tier','op':'exists'}"), "/condition/type", "is missing");
  }

  @Test
  void unknownOp() {
    only(definition("{'type':'and','conditions':[{'type':'identifier','identifierType':'email'},"
        + "{'type':'trait','name':'tier','op':'==','value':'gold'}]}"),
        "/condition/conditions/1/op", "unknown op \"==\"; expected one of =, !=");
  }

  @Test
  void unknownOpDeepInsideTheLanguageExample() {
    String example = SeedDefinitionsTest.resource("definition-example.json");
    String broken = example.replace(
        "{\"path\": \"size\", \"op\": \"=\"", "{\"path\": \"size\", \"op\": \"eq\"");
    assertThat(broken).isNotEqualTo(example);

    only(broken, "/condition/conditions/7/where/0/any/1/op", "unknown op \"eq\"");
  }

  @Test
  void unknownCountOp() {
    only(definition("{'type':'event','events':['a'],'count':{'op':'>','value':1},"
        + "'within':{'days':1}}"), "/condition/count/op", "expected one of >=, <=, =");
  }

  @Test
  void betweenWithOneValue() {
    only(definition("{'type':'trait','name':'age','op':'between','values':[18]}"),
        "/condition/values", "between takes 2 values, not 1");
  }

  @Test
  void betweenGivenAsValue() {
    only(definition("{'type':'trait','name':'age','op':'between','value':18}"),
        "/condition/value", "between takes an array of operands");
  }

  @Test
  void oneOperandOpWithoutValue() {
    only(definition("{'type':'computed','name':'orders_90d','op':'>='}"),
        "/condition/value", "is missing: >= takes one operand");
  }

  @Test
  void existsWithAValue() {
    only(definition("{'type':'trait','name':'birthday','op':'exists','value':true}"),
        "/condition/value", "exists takes no value");
  }

  @Test
  void inWithAnEmptyArray() {
    only(definition("{'type':'trait','name':'tier','op':'in','values':[]}"),
        "/condition/values", "in takes at least one value");
  }

  @Test
  void badRegex() {
    only(definition("{'type':'trait','name':'email_domain','op':'regex','value':'(['}"),
        "/condition/value", "regex is not a valid pattern");
  }

  @Test
  void badRegexInAWhereCondition() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'coupon','op':'regex','value':'a{2,1}'}],'within':{'days':30}}"),
        "/condition/where/0/value", "regex is not a valid pattern");
  }

  @Test
  void betweenOfValuesThatDoNotCompare() {
    only(definition("{'type':'trait','name':'age','op':'between','values':[18,'x']}"),
        "/condition/values", "not comparable");
  }

  @Test
  void relativeDateWithAnOperatorThatTakesNone() {
    only(definition("{'type':'trait','name':'seen','op':'in','values':[{'date':{}}]}"),
        "/condition/values", "relative dates work only with =, !=, <, <=, >, >= and between");
  }

  @Test
  void relativeDateInAWhereCondition() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'shipped_at','op':'>','value':{'date':{'offset':'-P1D'}}}],"
            + "'within':{'days':30}}"),
        "/condition/where/0/value", "relative date");
  }

  @Test
  void badPropertyPath() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'$nope','op':'exists'}],'within':{'days':30}}"),
        "/condition/where/0/path", "path $nope is not one of");
  }

  @Test
  @DisplayName("$catalog paths are read: an order line's brand, the category inside any, the"
      + " creation time of a viewed product, a host attribute, also in notFollowedBy")
  void catalogPathsAreAccepted() {
    SegmentDefinition d = SegmentJson.read(definition("{'type':'and','conditions':["
        + "{'type':'event','events':['Order Completed'],'where':["
        + "{'path':'products[].$catalog.brand','op':'=','value':'Acme'},"
        + "{'path':'products','any':[{'path':'$catalog.category','op':'=','value':'dresses'},"
        + "{'path':'size','op':'=','value':'M'}]}],'within':{'days':90}},"
        + "{'type':'event','events':['Product Viewed'],'where':["
        + "{'path':'$catalog.created_at','op':'>=','value':{'instant':'2026-03-01T00:00:00Z'}},"
        + "{'path':'$catalog.colour','op':'in','values':['red','blue']}],'within':{'days':7}},"
        + "{'type':'notFollowedBy','event':{'events':['Product Added'],'where':["
        + "{'path':'$catalog.available','op':'=','value':true}]},"
        + "'followedBy':{'events':['Order Completed']},'wait':'PT24H'}]}"));
    assertThat(SegmentJson.read(SegmentJson.write(d))).isEqualTo(d);
    assertThat(SegmentJson.write(d)).contains("\"products[].$catalog.brand\"",
        "\"$catalog.category\"", "\"$catalog.created_at\"", "\"$catalog.available\"");
  }

  @Test
  void catalogWithoutAField() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'products[].$catalog','op':'exists'}],'within':{'days':30}}"),
        "/condition/where/0/path", "$catalog must be followed by exactly one catalog field");
  }

  @Test
  void catalogWithTwoFields() {
    only(definition("{'type':'event','events':['Product Viewed'],'where':["
            + "{'path':'$catalog.a.b','op':'exists'}],'within':{'days':30}}"),
        "/condition/where/0/path", "$catalog must be followed by exactly one catalog field");
  }

  @Test
  void catalogAloneInsideAny() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'products','any':[{'path':'size','op':'=','value':'M'},"
            + "{'path':'$catalog','op':'=','value':'x'}]}],'within':{'days':30}}"),
        "/condition/where/0/any/1/path", "is not one of");
  }

  @Test
  void catalogFieldAsAList() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'products[].$catalog.brand[]','op':'=','value':'Acme'}],"
            + "'within':{'days':30}}"),
        "/condition/where/0/path", "a catalog field is one value: drop the []");
  }

  @Test
  void catalogFieldNoProductHas() {
    only(definition("{'type':'notFollowedBy','event':{'events':['Product Added']},"
            + "'followedBy':{'events':['Order Completed'],'where':[{'path':'products','any':["
            + "{'path':'$catalog.$event','op':'exists'}]}]},'wait':'PT1H'}"),
        "/condition/followedBy/where/0/any/0/path", "which no product has");
  }

  @Test
  void anyOverACatalogField() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'products[].$catalog.brand','any':[{'path':'x','op':'exists'}]}],"
            + "'within':{'days':30}}"),
        "/condition/where/0/path", "where any needs a list of objects");
  }

  @Test
  void anyOnAnEventField() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'$channel','any':[{'path':'x','op':'exists'}]}],'within':{'days':30}}"),
        "/condition/where/0/path", "any needs a path into properties");
  }

  @Test
  void anyWithNoConditions() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'products','any':[]}],'within':{'days':30}}"),
        "/condition/where/0/any", "must hold 1 to 32 conditions, not 0");
  }

  @Test
  void unknownKey() {
    only(definition("{'type':'segment','segment':'staff','negate':true}"),
        "/condition/negate", "is not a key of a segment condition; expected one of type, segment");
  }

  @Test
  void unknownKeyAtTheTopEscapedInThePointer() {
    only(json("{'version':1,'id':'t','a/b~c':1,'condition':{'type':'segment',"
        + "'segment':'staff'}}"), "/a~1b~0c", "is not a key of a segment definition");
  }

  @Test
  void unknownKeyInAPropertyCondition() {
    only(definition("{'type':'event','events':['Order Completed'],'where':["
            + "{'path':'products','any':[{'path':'x','op':'exists'}],'op':'exists'}],"
            + "'within':{'days':30}}"),
        "/condition/where/0/op", "is not a key of a property condition with any");
  }

  @Test
  void duplicateKey() {
    only(definition("{'type':'trait','name':'tier','op':'=','value':'gold','op':'!='}"),
        "/condition/op", "is a duplicate key");
  }

  @Test
  void stringWhereANumberIsExpected() {
    only(definition("{'type':'event','events':['Order Completed'],'within':{'days':'60'}}"),
        "/condition/within/days", "must be an integer, not a string");
  }

  @Test
  void decimalWhereAnIntegerIsExpected() {
    only(definition("{'type':'event','events':['a'],'count':{'op':'>=','value':1.5},"
        + "'within':{'days':60}}"), "/condition/count/value", "must be an integer");
  }

  @Test
  void numberWhereAStringIsExpected() {
    only(definition("{'type':'identifier','identifierType':7}"),
        "/condition/identifierType", "must be a string, not a number");
  }

  @Test
  void arrayAsAnOperand() {
    only(definition("{'type':'trait','name':'tier','op':'=','value':['gold']}"),
        "/condition/value", "not an array");
  }

  @Test
  void nullAsAnOperand() {
    only(definition("{'type':'trait','name':'tier','op':'=','value':null}"),
        "/condition/value", "not null");
  }

  @Test
  void conditionThatIsNotAnObject() {
    only(definition("{'type':'not','condition':'staff'}"), "/condition/condition",
        "must be an object (a condition), not a string");
  }

  @Test
  void versionMissing() {
    only(json("{'id':'t','condition':{'type':'segment','segment':'staff'}}"), "/version",
        "is missing; this reader knows version 1");
  }

  @Test
  void versionUnsupported() {
    // Nothing else is reported: a version 2 text need not follow version 1's rules.
    only(json("{'version':2,'id':'T!','condition':{'type':'whatever'}}"), "/version",
        "version 2 is not supported; this reader knows version 1");
  }

  @Test
  void versionAsAString() {
    only(json("{'version':'1','id':'t','condition':{'type':'segment','segment':'staff'}}"),
        "/version", "must be an integer, not a string");
  }

  @Test
  void badId() {
    only(json("{'version':1,'id':'VIP customers','condition':{'type':'segment',"
        + "'segment':'staff'}}"), "/id", "must match [a-z0-9][a-z0-9_-]{0,63}");
  }

  @Test
  void badSegmentReference() {
    only(definition("{'type':'segment','segment':'-staff'}"), "/condition/segment",
        "must match [a-z0-9][a-z0-9_-]{0,63}");
  }

  @Test
  void blankName() {
    only(json("{'version':1,'id':'t','name':'  ','condition':{'type':'segment',"
        + "'segment':'staff'}}"), "/name", "not blank");
  }

  @Test
  void badIdentifierTypeAndConsentChannel() {
    only(definition("{'type':'identifier','identifierType':'E-mail'}"),
        "/condition/identifierType", "must match [a-z][a-z0-9_]{0,31}");
    only(definition("{'type':'consent','purpose':'marketing','channel':'SMS'}"),
        "/condition/channel", "must match [a-z][a-z0-9_-]{0,63}");
  }

  @Test
  void unknownProfileField() {
    only(definition("{'type':'profile','field':'spend','op':'>','value':1}"),
        "/condition/field", "unknown field \"spend\"; expected one of firstSeen");
  }

  @Test
  void moneyFieldWithoutCurrency() {
    only(definition("{'type':'profile','field':'totalSpend','op':'>=','value':1000}"),
        "/condition/currency", "is missing: totalSpend needs a currency");
  }

  @Test
  void currencyOnAFieldThatIsNotMoney() {
    only(definition("{'type':'profile','field':'orderCount','currency':'EUR','op':'>=',"
        + "'value':2}"), "/condition/currency", "orderCount takes no currency");
  }

  @Test
  void badCurrency() {
    only(definition("{'type':'profile','field':'averageOrderValue','currency':'euro',"
        + "'op':'>=','value':50}"), "/condition/currency", "ISO 4217 code of three capital");
    only(definition("{'type':'profile','field':'averageOrderValue','currency':'QQQ',"
        + "'op':'>=','value':50}"), "/condition/currency", "is not an ISO 4217 currency");
  }

  @Test
  void daysOutOfRange() {
    only(definition("{'type':'event','events':['a'],'within':{'days':0}}"),
        "/condition/within/days", "must be 1 to 3650 days, not 0");
    only(definition("{'type':'event','events':['a'],'within':{'days':3651}}"),
        "/condition/within/days", "must be 1 to 3650 days, not 3651");
    only(definition("{'type':'notFollowedBy','event':{'events':['a']},"
        + "'followedBy':{'events':['b']},'wait':'PT1H','withinDays':4000}"),
        "/condition/withinDays", "must be 1 to 3650 days, not 4000");
  }

  @Test
  void badDuration() {
    only(definition("{'type':'notFollowedBy','event':{'events':['a']},"
        + "'followedBy':{'events':['b']},'wait':'24h'}"),
        "/condition/wait", "must be an ISO-8601 duration (PT24H), not \"24h\"");
  }

  @Test
  void waitOutOfRange() {
    only(definition("{'type':'notFollowedBy','event':{'events':['a']},"
        + "'followedBy':{'events':['b']},'wait':'PT30S'}"),
        "/condition/wait", "must be from PT1M to P365D");
  }

  @Test
  void waitLongerThanWithinDays() {
    only(definition("{'type':'notFollowedBy','event':{'events':['a']},"
        + "'followedBy':{'events':['b']},'wait':'P8D','withinDays':7}"),
        "/condition/wait", "must not be longer than withinDays (7 days)");
  }

  @Test
  void badPeriodInARelativeDate() {
    only(definition("{'type':'profile','field':'lastSeen','op':'<','value':"
            + "{'date':{'offset':'30 days'}}}"),
        "/condition/value/date/offset", "must be an ISO-8601 period or duration");
  }

  @Test
  void badZoneAndUnitInARelativeDate() {
    DefinitionValidationException ex = readFails(definition("{'type':'profile',"
        + "'field':'lastSeen','op':'<','value':{'date':{'startOf':'fortnight',"
        + "'zone':'Mars/Olympus'}}}"));

    assertThat(ex.violations()).extracting(Violation::pointer).containsExactly(
        "/condition/value/date/startOf", "/condition/value/date/zone");
    assertThat(ex.violations().get(0).message()).contains("expected one of day, week");
    assertThat(ex.violations().get(1).message()).contains("must be a time zone id");
  }

  @Test
  void badInstantLiteral() {
    only(definition("{'type':'trait','name':'seen','op':'>','value':{'instant':'yesterday'}}"),
        "/condition/value/instant", "must be an ISO-8601 instant");
  }

  @Test
  void betweenDatesReversed() {
    only(definition("{'type':'event','events':['a'],'between':{'from':'2026-03-31',"
        + "'to':'2026-01-01'}}"), "/condition/between", "from 2026-03-31 is after to 2026-01-01");
  }

  @Test
  void badDate() {
    only(definition("{'type':'event','events':['a'],'between':{'from':'2026-02-30',"
        + "'to':'2026-03-01'}}"), "/condition/between/from", "must be an ISO-8601 date");
  }

  @Test
  void windowMissingOrTwice() {
    only(definition("{'type':'event','events':['a']}"), "/condition/within",
        "is missing: an event condition needs within or between");
    only(definition("{'type':'event','events':['a'],'within':{'days':1},"
        + "'between':{'from':'2026-01-01','to':'2026-01-02'}}"), "/condition/between",
        "is not allowed next to within");
  }

  @Test
  void eventConditionWithoutEvents() {
    only(definition("{'type':'event','events':[],'within':{'days':30}}"), "/condition/events",
        "must name at least one event");
    only(definition("{'type':'event','within':{'days':30}}"), "/condition/events",
        "is missing");
    only(definition("{'type':'notFollowedBy','event':{'events':['a']},"
        + "'followedBy':{'events':[]},'wait':'PT1H'}"), "/condition/followedBy/events",
        "must name at least one event");
  }

  @Test
  void blankOrRepeatedEventName() {
    only(definition("{'type':'event','events':['a',' '],'within':{'days':30}}"),
        "/condition/events/1", "not blank");
    only(definition("{'type':'event','events':['a','a'],'within':{'days':30}}"),
        "/condition/events/1", "repeats event \"a\"");
  }

  @Test
  void andWithoutConditions() {
    only(definition("{'type':'or','conditions':[]}"), "/condition/conditions",
        "must hold 1 to 100 conditions, not 0");
  }

  @Test
  void tooDeep() {
    String leaf = "{'type':'segment','segment':'staff'}";
    String ok = leaf;
    for (int i = 1; i < DefinitionLimits.MAX_DEPTH; i++) {
      ok = "{'type':'not','condition':" + ok + "}";
    }
    assertThat(SegmentJson.read(definition(ok)).condition()).isInstanceOf(Not.class);

    String deep = "{'type':'not','condition':" + ok + "}";

    only(definition(deep), "/condition" + "/condition".repeat(DefinitionLimits.MAX_DEPTH),
        "is nested more than 32 levels deep");
  }

  @Test
  void tooManyConditions() {
    StringBuilder sb = new StringBuilder("{'type':'and','conditions':[");
    for (int i = 0; i < 100; i++) {
      sb.append(i == 0 ? "" : ",").append("{'type':'or','conditions':[");
      for (int j = 0; j < 10; j++) {
        sb.append(j == 0 ? "" : ",").append("{'type':'identifier','identifierType':'t")
            .append(j).append("'}");
      }
      sb.append("]}");
    }
    sb.append("]}");

    only(definition(sb.toString()), "/condition",
        "holds 1101 conditions, more than the limit of 1000");
  }

  @Test
  void textTooLargeCountsUtf8Bytes() {
    // 1,000 euro signs: 1,000 characters, 3,000 bytes of UTF-8.
    String head = json("{'version':1,'id':'t','description':'" + "€".repeat(1000)
        + "','condition':{'type':'segment','segment':'staff'}}");
    int bytes = head.getBytes(StandardCharsets.UTF_8).length;
    String atLimit = head + " ".repeat(DefinitionLimits.MAX_JSON_BYTES - bytes);
    assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(262_144);
    assertThat(SegmentJson.read(atLimit).description()).hasSize(1000);

    only(atLimit + " ", "", "is 262145 bytes of UTF-8, more than the limit of 262144");
    only("{" + " ".repeat(300_000) + "}", "", "more than the limit of 262144");
  }

  @Test
  void notJson() {
    only("{'version':1,", "", "is not valid JSON at line 1, column");
    only("", "", "is empty");
    only("[1]", "", "must be a JSON object, not an array");
    only(json("{'version':1} {}"), "", "holds more than one JSON value");
  }

  @Test
  void manyViolationsAreReportedAtOnce() {
    DefinitionValidationException ex = readFails(json("{'version':1,'id':'Bad Id',"
        + "'colour':'red','condition':{'type':'and','conditions':["
        + "{'type':'trait','name':'tier','op':'like','value':'gold'},"
        + "{'type':'identifier','identifierType':'email'},"
        + "{'type':'profile','field':'totalSpend','currency':'EURO','op':'>=','value':1},"
        + "{'type':'event','events':['a'],'within':{'days':9999}},"
        + "{'type':'notFollowedBy','event':{'events':['a']},'followedBy':{'events':['b']},"
        + "'wait':'soon'}]}}"));

    assertThat(ex.violations()).extracting(Violation::pointer).containsExactly(
        "/colour",
        "/id",
        "/condition/conditions/0/op",
        "/condition/conditions/2/currency",
        "/condition/conditions/3/within/days",
        "/condition/conditions/4/wait");
    assertThat(ex.getMessage()).startsWith("invalid segment definition (6 violations): /colour: ")
        .contains("; /condition/conditions/4/wait: must be an ISO-8601 duration");
  }

  @Test
  void theMessageListsTwentyViolationsAndCountsTheRest() {
    StringBuilder sb = new StringBuilder("{'type':'or','conditions':[");
    for (int i = 0; i < 25; i++) {
      sb.append(i == 0 ? "" : ",").append("{'type':'identifier','identifierType':'X'}");
    }
    sb.append("]}");

    DefinitionValidationException ex = readFails(definition(sb.toString()));

    assertThat(ex.violations()).hasSize(25);
    assertThat(ex.violations().get(24).pointer())
        .isEqualTo("/condition/conditions/24/identifierType");
    assertThat(ex.getMessage()).contains("/condition/conditions/19/identifierType")
        .doesNotContain("/condition/conditions/20/")
        .endsWith("; and 5 more");
  }
}

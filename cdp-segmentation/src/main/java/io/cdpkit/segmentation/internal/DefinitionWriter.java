package io.cdpkit.segmentation.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cdpkit.core.traits.EventFilter;
import io.cdpkit.core.traits.Operator;
import io.cdpkit.core.traits.PropertyCondition;
import io.cdpkit.segmentation.definition.And;
import io.cdpkit.segmentation.definition.ComputedCondition;
import io.cdpkit.segmentation.definition.Condition;
import io.cdpkit.segmentation.definition.ConsentCondition;
import io.cdpkit.segmentation.definition.EventCondition;
import io.cdpkit.segmentation.definition.EventWindow;
import io.cdpkit.segmentation.definition.IdentifierCondition;
import io.cdpkit.segmentation.definition.Literal;
import io.cdpkit.segmentation.definition.Not;
import io.cdpkit.segmentation.definition.NotFollowedByCondition;
import io.cdpkit.segmentation.definition.Operand;
import io.cdpkit.segmentation.definition.Or;
import io.cdpkit.segmentation.definition.ProfileCondition;
import io.cdpkit.segmentation.definition.RelativeDate;
import io.cdpkit.segmentation.definition.SegmentCondition;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import io.cdpkit.segmentation.definition.TraitCondition;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Writes definitions in canonical JSON: compact, keys in a fixed order ({@code version} first),
 * defaults written out ({@code count}), absent optional parts left out ({@code description},
 * {@code currency}, an empty {@code where}, {@code withinDays}, {@code startOf}), event names
 * sorted. The same definition always gives the same text.
 *
 * <p>Stateless and thread-safe.
 */
public final class DefinitionWriter {
  /** The version of the JSON form this writer writes and the reader reads. */
  public static final int VERSION = 1;

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private DefinitionWriter() {}

  public static String write(SegmentDefinition d) {
    StringWriter sw = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(sw)) {
      g.writeStartObject();
      g.writeNumberField("version", VERSION);
      g.writeStringField("id", d.id());
      g.writeStringField("name", d.name());
      if (d.description() != null) {
        g.writeStringField("description", d.description());
      }
      g.writeFieldName("condition");
      condition(g, d.condition());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex); // a StringWriter does not fail
    }
    return sw.toString();
  }

  private static void condition(JsonGenerator g, Condition c) throws IOException {
    g.writeStartObject();
    if (c instanceof And a) {
      g.writeStringField("type", "and");
      conditions(g, a.conditions());
    } else if (c instanceof Or o) {
      g.writeStringField("type", "or");
      conditions(g, o.conditions());
    } else if (c instanceof Not n) {
      g.writeStringField("type", "not");
      g.writeFieldName("condition");
      condition(g, n.condition());
    } else if (c instanceof TraitCondition t) {
      g.writeStringField("type", "trait");
      g.writeStringField("name", t.trait());
      comparison(g, t.operator(), t.operands());
    } else if (c instanceof ComputedCondition t) {
      g.writeStringField("type", "computed");
      g.writeStringField("name", t.name());
      comparison(g, t.operator(), t.operands());
    } else if (c instanceof ProfileCondition t) {
      g.writeStringField("type", "profile");
      g.writeStringField("field", t.field().jsonName());
      if (t.currency() != null) {
        g.writeStringField("currency", t.currency());
      }
      comparison(g, t.operator(), t.operands());
    } else if (c instanceof IdentifierCondition t) {
      g.writeStringField("type", "identifier");
      g.writeStringField("identifierType", t.identifierType());
    } else if (c instanceof ConsentCondition t) {
      g.writeStringField("type", "consent");
      g.writeStringField("purpose", t.purpose());
      g.writeStringField("channel", t.channel());
    } else if (c instanceof SegmentCondition t) {
      g.writeStringField("type", "segment");
      g.writeStringField("segment", t.segment());
    } else if (c instanceof EventCondition t) {
      g.writeStringField("type", "event");
      filterFields(g, t.filter());
      g.writeObjectFieldStart("count");
      g.writeStringField("op", t.count().symbol());
      g.writeNumberField("value", t.n());
      g.writeEndObject();
      if (t.window() instanceof EventWindow.LastDays w) {
        g.writeObjectFieldStart("within");
        g.writeNumberField("days", w.days());
      } else {
        EventWindow.Between w = (EventWindow.Between) t.window();
        g.writeObjectFieldStart("between");
        g.writeStringField("from", w.from().toString());
        g.writeStringField("to", w.to().toString());
      }
      g.writeEndObject();
    } else {
      NotFollowedByCondition t = (NotFollowedByCondition) c;
      g.writeStringField("type", "notFollowedBy");
      g.writeObjectFieldStart("event");
      filterFields(g, t.event());
      g.writeEndObject();
      g.writeObjectFieldStart("followedBy");
      filterFields(g, t.followedBy());
      g.writeEndObject();
      g.writeStringField("wait", t.waitFor().toString());
      if (t.withinDays() != null) {
        g.writeNumberField("withinDays", t.withinDays());
      }
    }
    g.writeEndObject();
  }

  private static void conditions(JsonGenerator g, List<Condition> cs) throws IOException {
    g.writeArrayFieldStart("conditions");
    for (Condition c : cs) {
      condition(g, c);
    }
    g.writeEndArray();
  }

  private static void comparison(JsonGenerator g, Operator op, List<Operand> operands)
      throws IOException {
    g.writeStringField("op", op.symbol());
    if (op.arity() == 1) {
      g.writeFieldName("value");
      operand(g, operands.get(0));
    } else if (op.arity() != 0) {
      g.writeArrayFieldStart("values");
      for (Operand o : operands) {
        operand(g, o);
      }
      g.writeEndArray();
    }
  }

  private static void operand(JsonGenerator g, Operand o) throws IOException {
    if (o instanceof Literal l) {
      scalar(g, l.value());
      return;
    }
    RelativeDate r = (RelativeDate) o;
    g.writeStartObject();
    g.writeObjectFieldStart("date");
    if (r.startOf() != null) {
      g.writeStringField("startOf", r.startOf().jsonName());
    }
    g.writeStringField("offset", r.offset());
    g.writeStringField("zone", r.zone().getId());
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void scalar(JsonGenerator g, Object v) throws IOException {
    if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Long n) {
      g.writeNumber(n);
    } else if (v instanceof BigDecimal n) {
      g.writeNumber(n);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Instant i) {
      g.writeStartObject();
      g.writeStringField("instant", i.toString());
      g.writeEndObject();
    } else {
      throw new IllegalArgumentException("not a scalar: " + v.getClass().getSimpleName());
    }
  }

  /** {@code "events": [...]} and, when there are any, {@code "where": [...]}. */
  private static void filterFields(JsonGenerator g, EventFilter f) throws IOException {
    g.writeArrayFieldStart("events");
    for (String n : f.names()) { // sorted by EventFilter
      g.writeString(n);
    }
    g.writeEndArray();
    if (!f.conditions().isEmpty()) {
      g.writeArrayFieldStart("where");
      for (PropertyCondition pc : f.conditions()) {
        property(g, pc);
      }
      g.writeEndArray();
    }
  }

  private static void property(JsonGenerator g, PropertyCondition pc) throws IOException {
    g.writeStartObject();
    g.writeStringField("path", pc.path().toString());
    if (pc.isAny()) {
      g.writeArrayFieldStart("any");
      for (PropertyCondition c : pc.elementConditions()) {
        property(g, c);
      }
      g.writeEndArray();
    } else {
      Operator op = pc.operator().orElseThrow();
      g.writeStringField("op", op.symbol());
      if (op.arity() == 1) {
        g.writeFieldName("value");
        scalar(g, pc.operands().get(0));
      } else if (op.arity() != 0) {
        g.writeArrayFieldStart("values");
        for (Object o : pc.operands()) {
          scalar(g, o);
        }
        g.writeEndArray();
      }
    }
    g.writeEndObject();
  }
}

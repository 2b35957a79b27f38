package dev.seedforge.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.Rejection;
import dev.seedforge.quality.LabelCheck;
import dev.seedforge.seed.Seed;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/** The record coder gives back every field of what it encoded, and equal records give equal bytes. */
class JsonCoderTest {
  static final String UNICODE = "Ça coûte 49,99 € — 料金が二重に 💳 ̈́";

  static Candidate full() {
    Candidate.Provenance p = new Candidate.Provenance(List.of("seed-1", "seed-2", UNICODE), "paraphrase", "templates/paraphrase.txt", "openai",
        "gpt-4o-mini", "req-7", 3, new Candidate.Grounding("docs/guide.pdf", "chunk-12", 1040, 1873, 7, "Refunds § 2"),
        new Candidate.Evolution(2, "deepen", "task-parent"));
    Map<String, String> fields = new HashMap<>();
    fields.put("text", "Why was I charged twice? " + UNICODE);
    fields.put("answer", "");
    fields.put("context", "line one\nline two\t\"quoted\"\\");
    return Candidate.of("billing_charge", fields, p, 4)
        .withFeatures(Map.of("tokens", 24.0, "lang_prob", 0.97, "tiny", Double.MIN_VALUE, "neg", -0.0, "nan", Double.NaN, "inf", Double.POSITIVE_INFINITY));
  }

  static Candidate sparse() {
    // no label (instruction tasks), no grounding page or heading, no evolution, no features
    Candidate.Provenance p = new Candidate.Provenance(List.of(), null, null, "lexical", null, "req-0", 0,
        new Candidate.Grounding("a.md", "c0", 0, 10, null, null), null);
    return new Candidate("cand-0", null, Map.of(), p, null);
  }

  static <T> T roundTrip(Coder<T> coder, T value) throws CoderException {
    return CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, value));
  }

  @Test
  void should_give_back_every_field_of_a_candidate() throws Exception {
    JsonCoder<Candidate> coder = JsonCoder.of(Candidate.class);
    for (Candidate c : List.of(full(), sparse(), new Candidate("no-provenance", "l", Map.of("text", "x"), null, Map.of()))) {
      Candidate back = roundTrip(coder, c);
      assertThat(back).isEqualTo(c);
      assertThat(back.fields()).containsExactlyEntriesOf(c.fields());
      assertThat(back.provenance()).isEqualTo(c.provenance());
      assertThat(back.features()).containsExactlyEntriesOf(c.features());
    }
    Candidate back = roundTrip(coder, full());
    assertThat(back.provenance().seedIds()).containsExactly("seed-1", "seed-2", UNICODE);
    assertThat(back.grounding().page()).isEqualTo(7);
    assertThat(back.evolution().parentId()).isEqualTo("task-parent");
    assertThat(back.features().get("nan")).isNaN();
    assertThat(Double.doubleToRawLongBits(back.features().get("neg"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(roundTrip(coder, sparse()).grounding().page()).isNull();
    assertThat(roundTrip(coder, sparse()).label()).isNull();
    // binary, not JSON: no property names in the bytes
    assertThat(new String(CoderUtils.encodeToByteArray(coder, full()), StandardCharsets.UTF_8)).doesNotContain("\"provenance\"").contains("req-7");
  }

  @Test
  void should_give_back_every_field_of_a_rejection_including_nulls() throws Exception {
    JsonCoder<Rejection> coder = JsonCoder.of(Rejection.class);
    Rejection full = Rejection.of(full(), "quality", "domain_relevance", "similarity 0.12 below 0.3 " + UNICODE, 0.12, 0.3, "seed-1");
    Rejection unparseable = new Rejection(null, null, "generation", "parse", "not JSON", null, null, null, null, "{\"broken\": " + UNICODE,
        "req-9", "new_example", "t.txt", "openai");
    Map<String, String> withNullValue = new LinkedHashMap<>();
    withNullValue.put("text", null);
    Rejection nullValue = new Rejection("id", "l", "s", "f", "r", 1.0, null, null, withNullValue, null, null, null, null, null);
    for (Rejection r : List.of(full, unparseable, nullValue)) {
      assertThat(roundTrip(coder, r)).isEqualTo(r);
    }
    assertThat(roundTrip(coder, unparseable).fields()).isNull();
    assertThat(roundTrip(coder, unparseable).score()).isNull();
  }

  @Test
  void should_give_back_a_label_check_row() throws Exception {
    LabelCheck.Item item = new LabelCheck.Item("c-1", UNICODE, "refund");
    assertThat(roundTrip(JsonCoder.of(LabelCheck.Item.class), item)).isEqualTo(item);
    assertThat(roundTrip(JsonCoder.of(LabelCheck.Item.class), new LabelCheck.Item("c-2", "", null)).label()).isNull();
  }

  @Test
  void should_write_equal_records_as_equal_bytes_whatever_their_maps_order() throws Exception {
    Map<String, String> hashed = new HashMap<>();
    Map<String, String> reversed = new TreeMap<>(java.util.Comparator.reverseOrder());
    for (String k : List.of("zeta", "alpha", "mu", "beta", "omega", "kappa")) {
      hashed.put(k, "v-" + k);
      reversed.put(k, "v-" + k);
    }
    Rejection a = new Rejection("id", "l", "s", "f", "r", 0.5, 0.4, null, hashed, null, "q", "st", "t", "g");
    Rejection b = new Rejection("id", "l", "s", "f", "r", 0.5, 0.4, null, reversed, null, "q", "st", "t", "g");
    JsonCoder<Rejection> coder = JsonCoder.of(Rejection.class);
    assertThat(CoderUtils.encodeToByteArray(coder, a)).isEqualTo(CoderUtils.encodeToByteArray(coder, b));
    CoderProperties.coderDeterministic(coder, a, b);
    CoderProperties.coderDeterministic(JsonCoder.of(Candidate.class), full(), full());
    coder.verifyDeterministic();
  }

  @Test
  void should_read_records_written_back_to_back_in_one_stream() throws Exception {
    // a coder inside KvCoder or ListCoder must know where its record ends
    ListCoder<Candidate> list = ListCoder.of(JsonCoder.of(Candidate.class));
    List<Candidate> records = List.of(full(), sparse(), full());
    assertThat(roundTrip(list, records)).isEqualTo(records);
    KvCoder<Rejection, String> kv = KvCoder.of(JsonCoder.of(Rejection.class), StringUtf8Coder.of());
    KV<Rejection, String> pair = KV.of(Rejection.of(sparse(), "dedup", "exact", "copy", null, null, "x"), "after");
    assertThat(roundTrip(kv, pair)).isEqualTo(pair);
    CoderProperties.coderDecodeEncodeEqual(JsonCoder.of(Candidate.class), full());
  }

  @Test
  void should_survive_java_serialization_as_beam_ships_coders() throws Exception {
    JsonCoder<Candidate> coder = JsonCoder.of(Candidate.class);
    Coder<Candidate> copy = SerializableUtils.clone(coder);
    assertThat(copy).isEqualTo(coder);
    assertThat(roundTrip(copy, full())).isEqualTo(full());
    CoderProperties.coderSerializable(coder);
  }

  @Test
  void should_reject_a_truncated_record() throws Exception {
    byte[] bytes = CoderUtils.encodeToByteArray(JsonCoder.of(Candidate.class), full());
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 5);
    assertThatThrownBy(() -> JsonCoder.of(Candidate.class).decode(new ByteArrayInputStream(cut))).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void should_write_other_records_as_json() throws Exception {
    Seed seed = Seed.of("refund", Map.of("text", "I want my money back " + UNICODE), "seeds.jsonl", 3);
    JsonCoder<Seed> coder = JsonCoder.of(Seed.class);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    coder.encode(seed, out);
    String written = new String(out.toByteArray(), StandardCharsets.UTF_8);
    assertThat(written).contains("{\"id\":").contains("料金が二重に");
    assertThat(roundTrip(coder, seed)).isEqualTo(seed);
  }
}

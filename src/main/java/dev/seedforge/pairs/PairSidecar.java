package dev.seedforge.pairs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.format.FormatRecords;
import dev.seedforge.generate.Candidate;
import dev.seedforge.util.Json;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * How each written pair was made, beside the data files (which hold only the format's fields):
 * {@code <split>.pairs.jsonl}, line n for record n of that split's data files.
 */
public final class PairSidecar {
  private PairSidecar() {}

  public static String name(String split) {
    return split + ".pairs.jsonl";
  }

  /** (file, (the data files' sort key, line)) for every pair of every split. */
  public static PCollection<KV<String, KV<String, String>>> lines(PCollection<KV<String, Candidate>> assigned, long seed) {
    return assigned.apply("PairProvenanceLines", MapElements.into(
            TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings())))
        .via((KV<String, Candidate> kv) -> KV.of(name(kv.getKey()), KV.of(FormatRecords.shuffleKey(seed, kv.getValue().id()), line(kv.getValue())))));
  }

  /** One line: the record's id, the prompt's origin (strategy, seeds), the method and how it made this pair, and the models and requests of each side. */
  static String line(Candidate pair) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", pair.id());
    n.put("prompt_source", pair.provenance().strategy());
    n.set("seed_ids", Json.mapper().valueToTree(pair.provenance().seedIds()));
    n.put("generator", pair.provenance().generator());
    n.put("method", pair.field(PairMaker.METHOD));
    n.put("how", pair.field(PairMaker.DETAIL));
    putIfAny(n, "chosen_model", pair.field(PairMaker.CHOSEN_MODEL));
    putIfAny(n, "rejected_model", pair.field(PairMaker.REJECTED_MODEL));
    putIfAny(n, "chosen_request", pair.field(PairMaker.CHOSEN_REQUEST));
    putIfAny(n, "rejected_request", pair.field(PairMaker.REJECTED_REQUEST));
    return Json.write(n);
  }

  private static void putIfAny(ObjectNode n, String key, String value) {
    if (!value.isEmpty()) {
      n.put(key, value);
    }
  }
}

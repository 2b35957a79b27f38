package dev.seedforge.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seedforge.document.Chunk;
import dev.seedforge.generate.Candidate;
import dev.seedforge.generate.OutputContract;
import dev.seedforge.util.Json;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The steps of a run over documents: per-chunk counts for coverage, the chunk written into the
 * user turn ({@code output.context: include}), and the provenance sidecar of each data file.
 */
final class Grounded {
  /** The sidecar next to the data files of {@code split}: one line per record, in the data files' order. */
  static String sidecar(String split) {
    return split + ".provenance.jsonl";
  }

  private Grounded() {}

  /** One count per grounded record, named by its chunk. */
  static PCollection<KV<Ledger.Key, Long>> countPerChunk(String name, PCollection<Candidate> records, Counter counter) {
    return records.apply(name, FlatMapElements.into(new TypeDescriptor<KV<Ledger.Key, Long>>() {})
            .via((Candidate c) -> c.grounding() == null ? List.<KV<Ledger.Key, Long>>of()
                : List.of(Ledger.count(counter, c.grounding().chunkId(), "", 1))))
        .setCoder(Ledger.coder());
  }

  /** Chunk id → text, for the gate and the user turns. */
  static Map<String, String> texts(List<Chunk> chunks) {
    Map<String, String> out = new TreeMap<>();
    chunks.forEach(c -> out.put(c.id(), c.text()));
    return out;
  }

  /**
   * Grounded records with their chunk as the input (before any input of their own), so that every
   * format writes it into the user turn with the question; other records are unchanged.
   */
  static PCollection<KV<String, Candidate>> withContext(PCollection<KV<String, Candidate>> assigned, Map<String, String> chunkTexts) {
    TreeMap<String, String> texts = new TreeMap<>(chunkTexts);
    return assigned.apply("ChunkIntoUserTurn", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Candidate.class)))
            .via((KV<String, Candidate> kv) -> KV.of(kv.getKey(), withContext(kv.getValue(), texts))))
        .setCoder(assigned.getCoder());
  }

  static Candidate withContext(Candidate c, Map<String, String> chunkTexts) {
    if (c.grounding() == null || !chunkTexts.containsKey(c.grounding().chunkId())) {
      return c;
    }
    Map<String, String> fields = new TreeMap<>(c.fields());
    String own = c.field("input");
    String chunk = chunkTexts.get(c.grounding().chunkId());
    fields.put("input", own.isBlank() ? chunk : chunk + "\n\n" + own);
    return c.withFields(fields);
  }

  /** The sidecar lines: (file, (the data files' sort key, provenance)) for every record of every split. */
  static PCollection<KV<String, KV<String, String>>> provenanceLines(PCollection<KV<String, Candidate>> assigned, long seed) {
    return assigned.apply("ProvenanceLines", MapElements.into(
            TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings())))
        .via((KV<String, Candidate> kv) -> KV.of(sidecar(kv.getKey()),
            KV.of(SeedforgePipeline.shuffleKey(seed, kv.getValue().id()), provenance(kv.getValue())))));
  }

  /** One sidecar line: the record's id, and its document, chunk id, offsets, page or heading and evidence (or that it is a seed). */
  static String provenance(Candidate c) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", c.id());
    Candidate.Grounding g = c.grounding();
    if (g == null) {
      n.putNull("document");
      n.put("source", c.provenance() == null ? "generated" : c.provenance().strategy());
      if (c.evolution() != null) {
        n.set("evolution", Json.mapper().valueToTree(c.evolution()));
      }
      return Json.write(n);
    }
    n.put("document", g.document());
    n.put("chunk_id", g.chunkId());
    n.put("start", g.start());
    n.put("end", g.end());
    if (g.page() != null) {
      n.put("page", g.page());
    }
    if (g.heading() != null) {
      n.put("heading", g.heading());
    }
    n.put("evidence", c.field(OutputContract.EVIDENCE));
    return Json.write(n);
  }
}

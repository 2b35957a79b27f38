package dev.seedforge.quality;

import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.Set;

/**
 * Maps the spec's language codes (ISO 639-1 such as {@code en}, or 639-3 such as {@code eng}) to
 * the ISO 639-3 codes that the OpenNLP {@code langdetect-183} model predicts. A few macro-languages
 * are predicted under more than one code (Norwegian as nob and nno, Persian as fas and pes, ...);
 * {@link #variants} returns all of them so their probabilities can be summed.
 */
public final class LanguageCodes {
  private LanguageCodes() {}

  /** The 103 languages of langdetect-183. */
  public static final Set<String> SUPPORTED =
      Set.of(
          "tur", "bel", "san", "ara", "mon", "tel", "sin", "pes", "min", "cmn", "aze", "fao", "ita",
          "ceb", "mkd", "eng", "nno", "lvs", "kor", "som", "swa", "hun", "fra", "nld", "mlt", "bak",
          "ekk", "ron", "gle", "hin", "est", "tha", "slk", "ltz", "kan", "eus", "epo", "bos", "pol",
          "nep", "lit", "war", "srp", "ces", "che", "lav", "nds", "dan", "mar", "nan", "glg", "gsw",
          "fry", "uzb", "mal", "vol", "fas", "msa", "cym", "nob", "ben", "kaz", "heb", "bre", "jav",
          "sqi", "kir", "cat", "oci", "vie", "kat", "tam", "tgk", "mri", "slv", "lat", "tgl", "pan",
          "swe", "lim", "tat", "ell", "afr", "pus", "isl", "sun", "urd", "hye", "hrv", "ast", "rus",
          "spa", "ind", "pnb", "bul", "plt", "deu", "zul", "ukr", "jpn", "por", "guj", "fin");

  /** Where the model's code differs from {@link Locale#getISO3Language()}. */
  private static final Map<String, String> PRIMARY_OVERRIDES =
      Map.of(
          "zh", "cmn", // Locale says zho; the model predicts Mandarin
          "no", "nob", // Locale says nor
          "nb", "nob",
          "nn", "nno",
          "mg", "plt", // Malagasy is predicted as Plateau Malagasy
          "iw", "heb",
          "in", "ind");

  private static final Map<String, Set<String>> MACRO =
      Map.of(
          "nob", Set.of("nob", "nno"),
          "nno", Set.of("nno", "nob"),
          "fas", Set.of("fas", "pes"),
          "pes", Set.of("pes", "fas"),
          "est", Set.of("est", "ekk"),
          "ekk", Set.of("ekk", "est"),
          "lav", Set.of("lav", "lvs"),
          "lvs", Set.of("lvs", "lav"));

  /**
   * The ISO 639-3 code the model uses for {@code code}: {@code en → eng}, {@code fr → fra},
   * {@code de → deu}; a supported 3-letter code is returned as is.
   *
   * @throws IllegalArgumentException if the code is unknown or the model does not detect it
   */
  public static String toIso3(String code) {
    if (code == null || code.isBlank()) {
      throw new IllegalArgumentException("language code is empty");
    }
    String c = code.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    int dash = c.indexOf('-');
    if (dash > 0) {
      c = c.substring(0, dash); // en-US -> en
    }
    String iso3;
    if (c.length() == 3) {
      iso3 = c;
    } else if (PRIMARY_OVERRIDES.containsKey(c)) {
      iso3 = PRIMARY_OVERRIDES.get(c);
    } else if (c.length() == 2) {
      try {
        iso3 = Locale.forLanguageTag(c).getISO3Language();
      } catch (MissingResourceException e) {
        iso3 = "";
      }
    } else {
      iso3 = "";
    }
    if (!SUPPORTED.contains(iso3)) {
      throw new IllegalArgumentException(
          "language '" + code + "' is not one the language detector knows (ISO 639-1 like en, fr, de)");
    }
    return iso3;
  }

  /** All model codes that count as {@code code} (usually just {@link #toIso3}). */
  public static Set<String> variants(String code) {
    String iso3 = toIso3(code);
    return MACRO.getOrDefault(iso3, Set.of(iso3));
  }
}

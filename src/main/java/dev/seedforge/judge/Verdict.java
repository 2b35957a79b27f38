package dev.seedforge.judge;

import java.io.Serializable;

/**
 * The judge's answer for one candidate: its rubric score (null in relabel-only mode), the label it
 * picked blind (null in rubric-only mode) and its one-sentence rationale.
 */
public record Verdict(Double score, String label, String rationale) implements Serializable {}

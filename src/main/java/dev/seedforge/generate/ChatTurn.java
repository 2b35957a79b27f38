package dev.seedforge.generate;

import java.io.Serializable;

/** One message of a prompt: role (system, user, assistant) and content. */
public record ChatTurn(String role, String content) implements Serializable {}

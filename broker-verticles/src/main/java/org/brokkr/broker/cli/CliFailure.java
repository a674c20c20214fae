package org.brokkr.broker.cli;

/** A command that could not be done; the message is the one line the user sees. */
final class CliFailure extends RuntimeException {
  CliFailure(String message) {
    super(message);
  }
}

package org.brokkr.broker.cli.client;

/** A client command that could not be done; the message is the one line the user sees. */
final class ClientFailure extends RuntimeException {
  ClientFailure(String message) {
    super(message);
  }
}

package io.irhub.connector.api;

/** A delivery that is not in the vendor's documented format. The message says what is wrong, never a secret. */
public class InvalidPayloadException extends Exception {
    public InvalidPayloadException(String message) {
        super(message);
    }

    public InvalidPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}

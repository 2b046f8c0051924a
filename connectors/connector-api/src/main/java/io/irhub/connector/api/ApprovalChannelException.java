package io.irhub.connector.api;

/** The approval channel failed (network, an error answer). The message never contains a credential. */
public class ApprovalChannelException extends RuntimeException {
    public ApprovalChannelException(String message) {
        super(message);
    }

    public ApprovalChannelException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.irhub.routes;

/** A delivery the hub refuses: the HTTP status to answer and the reason, which never contains a credential. */
public class IntakeRefusal extends Exception {
    private final int status;
    private final String instance;

    public IntakeRefusal(int status, String instance, String reason) {
        super(reason);
        this.status = status;
        this.instance = instance;
    }

    public int status() {
        return status;
    }

    public String instance() {
        return instance;
    }
}

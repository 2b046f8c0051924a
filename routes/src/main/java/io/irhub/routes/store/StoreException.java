package io.irhub.routes.store;

import java.sql.SQLException;

/** The store could not be reached or refused a statement. The hub takes no action it cannot record. */
public class StoreException extends RuntimeException {
    public StoreException(SQLException cause) {
        super("audit store: " + cause.getMessage() + " (SQLState " + cause.getSQLState() + ")", cause);
    }

    public StoreException(String message) {
        super(message);
    }
}

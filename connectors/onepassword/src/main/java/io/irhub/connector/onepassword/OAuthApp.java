package io.irhub.connector.onepassword;

import io.irhub.connector.api.Secret;

/**
 * A 1Password OAuth application's client credentials, sent with HTTP Basic to the token endpoint.
 *
 * @param clientId     shown in messages, so an operator can tell which application was refused
 * @param clientSecret revealed only to build the token request's Authorization header
 */
record OAuthApp(String clientId, Secret clientSecret) {
}

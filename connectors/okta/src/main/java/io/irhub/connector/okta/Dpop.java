package io.irhub.connector.okta;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Date;
import java.util.UUID;

/**
 * DPoP proofs (RFC 9449) signed with a key pair of this instance's own: an EC P-256 key made when the instance is
 * opened, kept in memory only. Okta binds a DPoP token to the key's thumbprint, so a token is useless without it; a
 * restarted hub makes a new key and fetches new tokens.
 */
final class Dpop {
    static final JOSEObjectType TYPE = new JOSEObjectType("dpop+jwt");

    private final ECKey publicKey;
    private final JWSSigner signer;
    private final Clock clock;

    private Dpop(ECKey key, Clock clock) throws JOSEException {
        this.publicKey = key.toPublicJWK();
        this.signer = new ECDSASigner(key);
        this.clock = clock;
    }

    static Dpop generate(Clock clock) {
        try {
            return new Dpop(new ECKeyGenerator(Curve.P_256).generate(), clock);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make a P-256 key pair for DPoP proofs", e);
        }
    }

    /**
     * A proof for one request.
     *
     * @param method      the request's method ({@code htm})
     * @param uri         the request's URI; its query and fragment are left out of {@code htu}
     * @param nonce       the server's last {@code DPoP-Nonce}, or {@code null}
     * @param accessToken the token the request carries ({@code ath}), or {@code null} for a token request
     */
    String proof(String method, URI uri, String nonce, String accessToken) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .jwtID(UUID.randomUUID().toString())
                .claim("htm", method)
                .claim("htu", htu(uri))
                .issueTime(Date.from(clock.instant()));
        if (nonce != null) {
            claims.claim("nonce", nonce);
        }
        if (accessToken != null) {
            claims.claim("ath", ath(accessToken));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(TYPE).jwk(publicKey).build(),
                claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a DPoP proof", e);
        }
        return jwt.serialize();
    }

    /** The URI as sent, without query and fragment. */
    static String htu(URI uri) {
        String s = uri.toString();
        int end = s.length();
        for (char c : new char[] {'?', '#'}) {
            int i = s.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        return s.substring(0, end);
    }

    /** base64url(SHA-256(ASCII(token))), unpadded. */
    static String ath(String accessToken) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
            return Base64URL.encode(hash).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

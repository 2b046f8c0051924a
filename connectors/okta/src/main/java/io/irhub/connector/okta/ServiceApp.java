package io.irhub.connector.okta;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Okta OAuth 2.0 service app that authenticates with {@code private_key_jwt}.
 *
 * @param clientId  the app's client id, also the client assertion's issuer and subject
 * @param signer    signs client assertions with the app's private key
 * @param algorithm RS256 for an RSA key, ES256 for an EC P-256 key
 * @param keyId     the {@code kid} of the app's registered public key, or {@code null}
 */
record ServiceApp(String clientId, JWSSigner signer, JWSAlgorithm algorithm, String keyId) {

    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /**
     * @param pem a PEM PKCS#8 private key
     * @throws IllegalArgumentException saying what is wrong with the key, never quoting it
     */
    static ServiceApp of(String clientId, String pem, String keyId) {
        PrivateKey key = privateKey(pem);
        try {
            if (key instanceof RSAPrivateKey rsa) {
                return new ServiceApp(clientId, new RSASSASigner(rsa), JWSAlgorithm.RS256, keyId);
            }
            ECPrivateKey ec = (ECPrivateKey) key;
            if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                throw new IllegalArgumentException("is an EC key on another curve than P-256 (ES256)");
            }
            return new ServiceApp(clientId, new ECDSASigner(ec), JWSAlgorithm.ES256, keyId);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign with this key (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(String pem) {
        if (pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException("is a PKCS#1/SEC1 key; convert it to PKCS#8 (BEGIN PRIVATE KEY) with "
                    + "'openssl pkcs8 -topk8 -nocrypt'");
        }
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException("is encrypted; give the unencrypted PKCS#8 key");
        }
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----)");
        }
        PKCS8EncodedKeySpec spec;
        try {
            spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        } catch (IllegalArgumentException e) {
            // the decoder's message quotes the offending character
            throw new IllegalArgumentException("is not valid base64 between the PEM lines");
        }
        // PKCS#8 names its algorithm inside the DER; trying both factories is simpler than reading it
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm
            }
        }
        throw new IllegalArgumentException("is neither an RSA nor an EC private key");
    }

    @Override
    public String toString() {
        return "ServiceApp[clientId=" + clientId + ", algorithm=" + algorithm + ", keyId=" + keyId + "]";
    }
}

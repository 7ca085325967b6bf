package io.groupai.fleet.workflows.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts every Temporal payload (workflow and activity inputs, results, heartbeat details,
 * failures' details) with AES-256-GCM before it leaves the process, so Temporal's database and
 * anyone reading its history see ciphertext only. The control plane and every worker node use the
 * same key (bootstrap writes it into the node's configuration). Payloads written without the codec
 * (before it was switched on) are still read.
 */
public final class AesGcmPayloadCodec implements PayloadCodec {

    /** The payload encoding this codec writes; the wrapped payload is the protobuf of the original. */
    public static final String ENCODING = "binary/encrypted";

    public static final String KEY_ID = "encryption-key-id";

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String keyId;

    /** @param key 32 bytes */
    public AesGcmPayloadCodec(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != 32) {
            throw new IllegalArgumentException("the payload key must be 32 bytes (256 bits), got " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.keyId = keyId(key);
    }

    /** A key given as base64 (e.g. {@code openssl rand -base64 32}). */
    public static AesGcmPayloadCodec fromBase64(String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the payload key is not base64 (create one with openssl rand -base64 32)");
        }
        return new AesGcmPayloadCodec(key);
    }

    /** The SDK's default JSON/protobuf conversion, with every payload then encrypted by this codec. */
    public DataConverter dataConverter() {
        return new CodecDataConverter(DefaultDataConverter.newDefaultInstance(), List.of(this));
    }

    /** Names the key (not secret: the first 8 bytes of its SHA-256), so a node with another key says so. */
    public String keyId() {
        return keyId;
    }

    @Override
    public List<Payload> encode(List<Payload> payloads) {
        return payloads.stream().map(this::encrypt).toList();
    }

    @Override
    public List<Payload> decode(List<Payload> payloads) {
        return payloads.stream().map(this::decrypt).toList();
    }

    private Payload encrypt(Payload payload) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(payload.toByteArray());
            ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + sealed.length);
            out.put(nonce).put(sealed);
            return Payload.newBuilder()
                    .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ByteString.copyFromUtf8(ENCODING))
                    .putMetadata(KEY_ID, ByteString.copyFromUtf8(keyId))
                    .setData(ByteString.copyFrom(out.array()))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new PayloadCodecException(e);
        }
    }

    private Payload decrypt(Payload payload) {
        ByteString encoding = payload.getMetadataMap().get(EncodingKeys.METADATA_ENCODING_KEY);
        if (encoding == null || !ENCODING.equals(encoding.toStringUtf8())) {
            return payload; // written before the codec was switched on
        }
        ByteString id = payload.getMetadataMap().get(KEY_ID);
        if (id != null && !keyId.equals(id.toStringUtf8())) {
            throw new PayloadCodecException("a payload was encrypted with key " + id.toStringUtf8()
                    + ", but this process has key " + keyId + " (GROUPAI_TEMPORAL_PAYLOAD_KEY differs)");
        }
        byte[] data = payload.getData().toByteArray();
        if (data.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new PayloadCodecException("an encrypted payload is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
            return Payload.parseFrom(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES));
        } catch (GeneralSecurityException e) {
            throw new PayloadCodecException("an encrypted payload failed its integrity check (wrong key or tampered)");
        } catch (InvalidProtocolBufferException e) {
            throw new PayloadCodecException(e);
        }
    }

    private static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "AesGcmPayloadCodec[keyId=" + keyId + "]";
    }
}

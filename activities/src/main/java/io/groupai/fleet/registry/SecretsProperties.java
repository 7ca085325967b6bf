package io.groupai.fleet.registry;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the key that encrypts stored SSH secrets comes from: {@code key} (base64 of 32 bytes,
 * e.g. from GROUPAI_SECRET_KEY) or else {@code keyFile}, created with a fresh random key on
 * first start (the embedded default keeps it under ./data).
 */
@ConfigurationProperties("groupai.secrets")
public record SecretsProperties(String key, Path keyFile) {}

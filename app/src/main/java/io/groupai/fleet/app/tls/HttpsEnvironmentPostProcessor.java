package io.groupai.fleet.app.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * HTTPS on the app's port by configuration: with {@code GROUPAI_TLS_CERT} (PEM certificate chain)
 * and {@code GROUPAI_TLS_KEY} (PEM PKCS#8 key) both set, adds the SSL bundle {@value #BUNDLE} and
 * {@code server.ssl.bundle}, so the port speaks HTTPS only. Done here rather than in
 * application.yml because a bundle with empty certificate values breaks start-up; only one of the
 * two set, or a file that cannot be read, stops start-up with a message naming it.
 */
public class HttpsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    public static final String BUNDLE = "groupai-https";
    public static final String CERT = "GROUPAI_TLS_CERT";
    public static final String KEY = "GROUPAI_TLS_KEY";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> properties = properties(environment.getProperty(CERT), environment.getProperty(KEY));
        if (!properties.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource("groupai-https", properties));
        }
    }

    /** The Spring properties for these two files; empty when neither is set (plain HTTP). */
    static Map<String, Object> properties(String cert, String key) {
        boolean hasCert = cert != null && !cert.isBlank();
        boolean hasKey = key != null && !key.isBlank();
        if (!hasCert && !hasKey) {
            return Map.of();
        }
        if (hasCert != hasKey) {
            throw new IllegalStateException("HTTPS needs both " + CERT + " and " + KEY + ", but only "
                    + (hasCert ? CERT : KEY) + " is set; set both (PEM files) or neither for plain HTTP");
        }
        Path certFile = readable(CERT, cert);
        Path keyFile = readable(KEY, key);
        Map<String, Object> p = new LinkedHashMap<>();
        String prefix = "spring.ssl.bundle.pem." + BUNDLE + ".keystore.";
        p.put(prefix + "certificate", "file:" + certFile);
        p.put(prefix + "private-key", "file:" + keyFile);
        p.put("server.ssl.bundle", BUNDLE);
        p.put("server.ssl.enabled", "true");
        // Where bootstrap's loopback default (no GROUPAI_PUBLIC_URL) tells same-machine nodes to find the CA.
        p.put("groupai.tls.certificate-file", certFile.toString());
        return p;
    }

    private static Path readable(String name, String value) {
        Path file = Path.of(value.strip()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalStateException(name + " " + file + " is not a readable file");
        }
        return file;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}

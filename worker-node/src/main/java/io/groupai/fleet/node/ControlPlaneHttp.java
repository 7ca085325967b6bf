package io.groupai.fleet.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * JSON over HTTP to the control plane, with the node token as {@code Authorization: Bearer}. The
 * token is never logged and never put into an exception message.
 */
public final class ControlPlaneHttp {

    /** snake_case on the wire, records in Java; unknown fields are tolerated (newer control planes). */
    public static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

    private final URI base;
    /** Replaced when the control plane rotates it (heartbeat reply); read per request. */
    private final AtomicReference<String> token;

    private final HttpClient http;

    public ControlPlaneHttp(URI base, String token) {
        this(base, token, null);
    }

    /** @param trustedCa PEM certificate(s) trusted for an https base instead of the JVM's CAs; null: the JVM's */
    public ControlPlaneHttp(URI base, String token, Path trustedCa) {
        this.base = Objects.requireNonNull(base, "base");
        this.token = new AtomicReference<>(Objects.requireNonNull(token, "token"));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (trustedCa != null) {
            builder.sslContext(trusting(trustedCa));
        }
        this.http = builder.build();
    }

    /** An SSL context that trusts exactly the certificates in a PEM file (a private CA, or a self-signed server). */
    public static SSLContext trusting(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("no certificate in " + pem);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot trust the certificates in " + pem + ": " + e.getMessage(), e);
        }
    }

    /** An exception's message for a log line or failure; some (ConnectException) have none. */
    public static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** The node token in use (for the Temporal gate's metadata); never log it. */
    public String token() {
        return token.get();
    }

    /** Switches to a rotated token; true when it differs from the one in use. */
    public boolean replaceToken(String newToken) {
        Objects.requireNonNull(newToken, "newToken");
        return !newToken.equals(token.getAndSet(newToken));
    }

    public URI base() {
        return base;
    }

    /** Thrown for a non-2xx answer; carries the status and the start of the body (never our token). */
    public static final class HttpStatusException extends IOException {
        private final int status;

        public HttpStatusException(String what, int status, String bodyStart) {
            super(what + " answered HTTP " + status + (bodyStart.isBlank() ? "" : ": " + bodyStart));
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public <T> T postJson(String path, Object body, Class<T> type, Duration timeout)
            throws IOException, InterruptedException {
        byte[] json = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
        HttpRequest request = authorized(resolve(path), timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        return send(request, type);
    }

    public <T> T getJson(String pathAndQuery, Class<T> type, Duration timeout)
            throws IOException, InterruptedException {
        return send(authorized(resolve(pathAndQuery), timeout).GET().build(), type);
    }

    private <T> T send(HttpRequest request, Class<T> type) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        String what = request.method() + " " + request.uri().getPath();
        if (response.statusCode() / 100 != 2) {
            throw new HttpStatusException(what, response.statusCode(), start(response.body()));
        }
        if (type == Void.class || response.body().length == 0) {
            return null;
        }
        return JSON.readValue(response.body(), type);
    }

    /**
     * Streams {@code url} into {@code target} (created or replaced), refusing more than
     * {@code maxBytes}. The token is sent only to the control plane's own origin: a download URL
     * pointing elsewhere (e.g. object storage with a signed URL) must not receive it.
     */
    public long download(String url, Path target, long maxBytes, Duration timeout)
            throws IOException, InterruptedException {
        return fetch(url, target, maxBytes, timeout).bytes();
    }

    /** What a download brought: its size and the response's headers (e.g. the checksum the sender vouches for). */
    public record Downloaded(long bytes, java.net.http.HttpHeaders headers) {}

    /** {@link #download}, keeping the response headers. */
    public Downloaded fetch(String url, Path target, long maxBytes, Duration timeout)
            throws IOException, InterruptedException {
        URI uri = resolve(url);
        HttpRequest.Builder builder = sameOrigin(uri)
                ? authorized(uri, timeout)
                : HttpRequest.newBuilder(uri).timeout(timeout);
        HttpResponse<InputStream> response =
                http.send(builder.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw new HttpStatusException("GET " + uri.getPath(), response.statusCode(), start(in.readNBytes(300)));
            }
            long total = 0;
            try (OutputStream out = Files.newOutputStream(target)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > maxBytes) {
                        throw new IOException("download of " + uri.getPath() + " exceeds " + maxBytes + " bytes");
                    }
                    out.write(buf, 0, n);
                }
            }
            return new Downloaded(total, response.headers());
        }
    }

    /** Relative URLs (as the seed's {@code /api/v1/group-ai/scripts/{id}/download}) resolve against the control plane. */
    public URI resolve(String pathOrUrl) {
        URI uri = URI.create(pathOrUrl);
        if (uri.isAbsolute()) {
            String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("only http(s) URLs are accepted, got scheme " + scheme);
            }
            return uri;
        }
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b)
                + (pathOrUrl.startsWith("/") ? "" : "/")
                + pathOrUrl);
    }

    /** True when {@code pathOrUrl} (relative, or absolute) points at this control plane's own origin. */
    public boolean isControlPlane(String pathOrUrl) {
        try {
            return sameOrigin(resolve(pathOrUrl));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean sameOrigin(URI uri) {
        return uri.getScheme().equalsIgnoreCase(base.getScheme())
                && uri.getHost() != null
                && uri.getHost().equalsIgnoreCase(base.getHost())
                && port(uri) == port(base);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private HttpRequest.Builder authorized(URI uri, Duration timeout) {
        return HttpRequest.newBuilder(uri).timeout(timeout).header("Authorization", "Bearer " + token.get());
    }

    private static String start(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        return s.replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}

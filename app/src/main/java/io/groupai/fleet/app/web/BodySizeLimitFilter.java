package io.groupai.fleet.app.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds request bodies ({@code groupai.web.max-json-body}) before any parser sees them: a declared
 * Content-Length over the limit is refused at once, a chunked body fails with {@link BodyTooLargeException}
 * as soon as it passes the limit. Either way the client gets 413 problem+json (see {@link ProblemHandler}).
 * The session upload streams to disk under its own, larger limit and is left alone.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class BodySizeLimitFilter extends OncePerRequestFilter {

    private static final Pattern SESSION_UPLOAD = Pattern.compile("/api/v1/group-ai/accounts/[^/]+/session/?");

    private final long limit;

    public BodySizeLimitFilter(WebLimitsProperties properties) {
        this.limit = properties.maxJsonBody().toBytes();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return SESSION_UPLOAD.matcher(request.getRequestURI()).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            request.setAttribute(ProblemErrorController.DETAIL_ATTRIBUTE, BodyTooLargeException.detail(limit));
            response.sendError(HttpStatus.CONTENT_TOO_LARGE.value());
            return;
        }
        chain.doFilter(
                new HttpServletRequestWrapper(request) {
                    private ServletInputStream stream;

                    @Override
                    public ServletInputStream getInputStream() throws IOException {
                        if (stream == null) {
                            stream = new Bounded(super.getInputStream(), limit);
                        }
                        return stream;
                    }
                },
                response);
    }

    /** Raised (as an I/O error, so parsers pass it on as their cause) when a body grows past the limit. */
    public static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long limit) {
            super(detail(limit));
        }

        static String detail(long limit) {
            return "the request body is larger than " + limit + " bytes (groupai.web.max-json-body); "
                    + "send a smaller body, or raise the limit";
        }
    }

    private static final class Bounded extends ServletInputStream {
        private final ServletInputStream in;
        private final long limit;
        private long read;

        Bounded(ServletInputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > limit) {
                throw new BodyTooLargeException(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}

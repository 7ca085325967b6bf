package io.groupai.fleet.app.security;

import io.groupai.fleet.registry.NodeTokenStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Two filter chains. Node calls ({@code /api/v1/workers/**}, the simulated network's account calls)
 * carry a node token that their controllers check against that node, as before. Everything else is
 * the operator API: health, sign-in and the admin pages' static files (GET) are open; every other
 * request needs a bearer token — an
 * access token from {@code POST /api/v1/auth/token} or an API token — and the role
 * {@link AccessRules} names. Refusals are problem+json that say what to do.
 */
@Configuration
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    static final String SIGN_IN_HINT = "sign in with POST /api/v1/auth/token {\"username\": ..., \"password\": ...}"
            + " and send the access_token as 'Authorization: Bearer <token>' (scripts: an API token from an admin)";

    /** GET only, and only these: the pages, their assets and the redirect to them. */
    static final String[] ADMIN_PAGES = {"/", "/admin", "/admin/", "/admin/**", "/webjars/**", "/favicon.ico"};

    static final String ADMIN_PAGES_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    /**
     * No observation per security filter: with one, every request wraps each of its ~15 filters in an
     * observation context (a third of the heartbeat path's CPU), for timers no operator reads.
     * {@code http.server.requests} still times every request.
     */
    @Bean
    SecurityObservationSettings noSecurityFilterObservations() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }

    @Bean
    @Order(1)
    SecurityFilterChain nodeCalls(HttpSecurity http) throws Exception {
        http.securityMatcher("/api/v1/workers/**", "/api/v1/sim-telegram/accounts/**")
                // The controllers check the node token against the node the call is about (NodeAuthentication).
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                // Nothing here is authenticated by Spring Security: no anonymous user, no session strategy, no
                // servlet request wrapper to build on every heartbeat. The firewall and the headers stay.
                .anonymous(AbstractHttpConfigurer::disable)
                .servletApi(AbstractHttpConfigurer::disable);
        return stateless(http)
                .sessionManagement(AbstractHttpConfigurer::disable)
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain operatorApi(
            HttpSecurity http,
            AccessRules rules,
            AuthenticationManager bearerTokens,
            NodeTokenStore nodeTokens,
            AuthenticationEntryPoint entryPoint,
            AccessDeniedHandler denied)
            throws Exception {
        http.authorizeHttpRequests(a -> a.dispatcherTypeMatchers(DispatcherType.ERROR)
                        .permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/error")
                        .permitAll()
                        .requestMatchers(HttpMethod.POST, "/api/v1/auth/token")
                        .permitAll()
                        // The admin pages' HTML, scripts and styles hold no data (their data comes from
                        // the API with the token): anyone may load them, and they ask for a sign-in.
                        .requestMatchers(HttpMethod.GET, ADMIN_PAGES)
                        .permitAll()
                        .anyRequest()
                        .access(rules))
                .oauth2ResourceServer(o -> o.authenticationManagerResolver(
                                request -> AccessRules.nodeMayCall(request.getMethod(), AccessRules.path(request))
                                        ? orNodeToken(bearerTokens, nodeTokens)
                                        : bearerTokens)
                        .authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(denied))
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint).accessDeniedHandler(denied))
                // The pages run only their own scripts and styles, and are never framed.
                .headers(h -> h.addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(
                        PathPatternRequestMatcher.withDefaults().matcher("/admin/**"),
                        new StaticHeadersWriter("Content-Security-Policy", ADMIN_PAGES_CSP))));
        return stateless(http).build();
    }

    private static HttpSecurity stateless(HttpSecurity http) throws Exception {
        // Bearer tokens only: no cookies, so no CSRF exposure, no sessions, no login pages.
        return http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable);
    }

    /** API tokens (prefix gaf_) are looked up by hash; anything else must be one of our access tokens. */
    @Bean
    AuthenticationManager bearerTokens(AccessTokens accessTokens, UserStore users, ApiTokenStore apiTokens) {
        return authentication -> {
            String token = ((BearerTokenAuthenticationToken) authentication).getToken();
            if (token.startsWith(ApiTokenStore.PREFIX)) {
                return apiTokens
                        .authenticate(token)
                        .map(t -> new FleetAuthentication("api-token:" + t.id() + ":" + t.name(), t.role()))
                        .orElseThrow(() -> new InvalidBearerTokenException(
                                "the API token is unknown, revoked or expired; ask an admin for a new one"));
            }
            Jwt jwt;
            try {
                jwt = accessTokens.decode(token);
            } catch (BadJwtException e) {
                throw new InvalidBearerTokenException(reason(e), e);
            } catch (JwtException e) {
                throw new AuthenticationServiceException("cannot check the access token", e);
            }
            Optional<UserStore.OperatorUser> user =
                    users.find(jwt.getSubject()).filter(UserStore.OperatorUser::enabled);
            if (user.isEmpty()) {
                throw new InvalidBearerTokenException(
                        "the access token's user no longer exists or is disabled; ask an admin");
            }
            // The role is read now, not from the token: a demotion or a disable takes effect at once.
            return new FleetAuthentication(user.get().username(), user.get().role());
        };
    }

    /**
     * On the script download only: an operator's token, or else a node's token. Agents fetch the
     * script the deployment workflow or update_script names with the token they send everywhere.
     */
    private static AuthenticationManager orNodeToken(AuthenticationManager bearerTokens, NodeTokenStore nodeTokens) {
        return authentication -> {
            try {
                return bearerTokens.authenticate(authentication);
            } catch (org.springframework.security.core.AuthenticationException e) {
                String token = ((BearerTokenAuthenticationToken) authentication).getToken();
                return nodeTokens
                        .nodeOf(token)
                        .<org.springframework.security.core.Authentication>map(NodeDownloadAuthentication::new)
                        .orElseThrow(() -> e);
            }
        };
    }

    /** Why a JWT was refused, in words that never quote the token. */
    private static String reason(BadJwtException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("expired") || m.contains("Jwt expired")) {
            return "the access token has expired; sign in again with POST /api/v1/auth/token";
        }
        if (m.toLowerCase(java.util.Locale.ROOT).contains("none") || m.contains("Unsupported algorithm")) {
            return "the access token is not signed with HS256 (unsigned tokens, alg none, are refused);"
                    + " use a token from POST /api/v1/auth/token";
        }
        if (m.contains("signature") || m.contains("Signed JWT rejected")) {
            return "the access token's signature does not match this control plane's key;"
                    + " use a token from POST /api/v1/auth/token of this control plane";
        }
        if (m.contains("iss") || m.contains("expiry")) {
            return "the access token was not issued by this control plane; sign in with POST /api/v1/auth/token";
        }
        return "the bearer token is not an access token of this control plane (nor an API token); " + SIGN_IN_HINT;
    }

    @Bean
    AuthenticationEntryPoint entryPoint() {
        return (request, response, e) -> {
            String detail;
            if (e instanceof OAuth2AuthenticationException oauth) {
                String description = oauth.getError().getDescription();
                detail = oauth instanceof InvalidBearerTokenException && description != null
                        ? description
                        : "the Authorization header is not a usable bearer token ("
                                + oauth.getError().getErrorCode() + "); " + SIGN_IN_HINT;
                response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            } else if (e instanceof AuthenticationServiceException) {
                log.error("cannot authenticate {} {}", request.getMethod(), AccessRules.path(request), e);
                detail = "the token could not be checked right now; retry";
                response.setHeader("WWW-Authenticate", "Bearer");
            } else {
                detail = "authentication is required: " + SIGN_IN_HINT;
                response.setHeader("WWW-Authenticate", "Bearer");
            }
            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized", detail, null);
        };
    }

    @Bean
    AccessDeniedHandler accessDenied(AuditLog audit) {
        return (request, response, e) -> {
            String path = AccessRules.path(request);
            Role needed = AccessRules.required(request.getMethod(), path);
            var who = org.springframework.security.core.context.SecurityContextHolder.getContext()
                    .getAuthentication();
            String name = who == null ? "anonymous" : who.getName();
            String has = who instanceof FleetAuthentication f ? f.role().wire() : "none";
            audit.record(
                    name,
                    "access.denied",
                    request.getMethod() + " " + path,
                    "403",
                    "needs " + needed.wire(),
                    remote(request));
            ProblemResponses.write(
                    response,
                    HttpStatus.FORBIDDEN,
                    "Forbidden",
                    "your role (" + has + ") may not do this: " + request.getMethod() + " on this path needs the "
                            + needed.wire() + " role" + (needed == Role.ADMIN ? "" : " or higher")
                            + "; ask an admin to change your role or use an account that has it",
                    null);
        };
    }

    /** Requests the firewall refuses (encoded slashes, "..", CR/LF in the path, bad header values). */
    @Bean
    RequestRejectedHandler requestRejected() {
        return (request, response, e) -> {
            log.info("refused a malformed request: {}", e.getMessage());
            ProblemResponses.write(
                    response,
                    HttpStatus.BAD_REQUEST,
                    "Malformed request",
                    "the request's path or headers contain characters or sequences that are not allowed"
                            + " (e.g. '..', encoded slashes, line breaks); send a plain path and header values",
                    null);
        };
    }

    static String remote(HttpServletRequest request) {
        // The socket's address: X-Forwarded-For is client-supplied and not trusted here.
        return request.getRemoteAddr();
    }
}

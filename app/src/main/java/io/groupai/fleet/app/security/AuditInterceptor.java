package io.groupai.fleet.app.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Records every change an operator makes through the API (anything but GET/HEAD/OPTIONS), with its
 * outcome: the HTTP status it got. Sign-ins, users and API tokens are recorded by their controllers
 * with more detail; node calls (heartbeats, node logins) are not operator actions.
 */
@Configuration
class AuditInterceptor implements HandlerInterceptor, WebMvcConfigurer {

    private final AuditLog audit;

    AuditInterceptor(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this)
                .addPathPatterns("/api/**")
                .excludePathPatterns(
                        "/api/v1/auth/**",
                        "/api/v1/workers/**",
                        "/api/v1/sim-telegram/accounts/**",
                        // The editor validates as the person types: a read that changes nothing,
                        // POST only to carry the script; one audit row per pause in typing is noise.
                        "/api/v1/group-ai/scripts/validate");
    }

    @Override
    public void afterCompletion(
            HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        String method = request.getMethod();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return;
        }
        Authentication who = SecurityContextHolder.getContext().getAuthentication();
        String path = AccessRules.path(request);
        String query = request.getQueryString();
        audit.record(
                who == null ? "anonymous" : who.getName(),
                AccessRules.action(method, path),
                method + " " + path + (query == null ? "" : "?" + query),
                ex != null && response.getStatus() < 400 ? "error" : Integer.toString(response.getStatus()),
                null,
                request.getRemoteAddr());
    }
}

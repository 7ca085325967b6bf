package io.groupai.fleet.app.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The admin pages: static HTML, JavaScript modules and CSS under {@code static/admin}, served by the
 * app itself (no front-end build). They hold no data; every page signs in and reads the REST API with
 * the bearer token it keeps in the tab's sessionStorage. The root redirects to them, and the start-up
 * log says where they are.
 */
@Configuration
class AdminPages implements WebMvcConfigurer {

    private static final Logger log = LoggerFactory.getLogger(AdminPages.class);

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", "/admin/");
        registry.addRedirectViewController("/admin", "/admin/");
        registry.addViewController("/admin/").setViewName("forward:/admin/index.html");
    }

    @EventListener
    void announce(WebServerInitializedEvent event) {
        String address = event.getApplicationContext().getEnvironment().getProperty("server.address");
        String host = address == null
                        || address.isBlank()
                        || address.equals("127.0.0.1")
                        || address.equals("0.0.0.0")
                        || address.equals("::")
                ? "localhost"
                : address.contains(":") ? "[" + address + "]" : address;
        log.info(
                "admin pages at http://{}:{}/ (sign in as the admin user)",
                host,
                event.getWebServer().getPort());
    }
}

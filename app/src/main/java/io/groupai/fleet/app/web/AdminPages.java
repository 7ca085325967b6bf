package io.groupai.fleet.app.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The admin pages: static HTML, JavaScript modules and CSS under {@code static/admin}, served by the
 * app itself (no front-end build). They hold no data; every page signs in and reads the REST API with
 * the bearer token it keeps in the tab's sessionStorage. The root redirects to them.
 */
@Configuration
class AdminPages implements WebMvcConfigurer {

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", "/admin/");
        registry.addRedirectViewController("/admin", "/admin/");
        registry.addViewController("/admin/").setViewName("forward:/admin/index.html");
    }
}

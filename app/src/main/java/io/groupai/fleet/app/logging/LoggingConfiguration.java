package io.groupai.fleet.app.logging;

import io.temporal.common.interceptors.WorkerInterceptor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Activity ids in the logging MDC (see {@link ActivityMdcInterceptor}); the Temporal starter adds WorkerInterceptor beans to the worker factory. */
@Configuration(proxyBeanMethods = false)
class LoggingConfiguration {

    @Bean
    WorkerInterceptor activityMdcInterceptor() {
        return new ActivityMdcInterceptor();
    }
}

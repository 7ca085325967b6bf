package io.groupai.fleet.app.tls;

import io.groupai.fleet.nodes.NodeConfigExtras;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * CONTROL_PLANE_TLS_CA in the config bootstrap writes for each node, so a node trusts an https
 * control plane with a private CA or a self-signed certificate: GROUPAI_NODE_CONTROL_PLANE_CA (a
 * path on the nodes) when set; otherwise, when this app serves HTTPS from GROUPAI_TLS_CERT and no
 * GROUPAI_PUBLIC_URL is set (nodes on this machine, as the local demo's), that certificate file.
 */
@Configuration(proxyBeanMethods = false)
class NodeControlPlaneTrust {

    @Bean
    NodeConfigExtras controlPlaneCaForNodes(
            @Value("${groupai.nodes.control-plane-ca:}") String caOnNodes,
            @Value("${groupai.tls.certificate-file:}") String localCertificate,
            @Value("${groupai.nodes.control-plane-url:}") String controlPlaneUrl) {
        String ca = !caOnNodes.isBlank() ? caOnNodes : controlPlaneUrl.isBlank() ? localCertificate : "";
        return nodeId -> ca.isBlank() ? Map.of() : Map.of("CONTROL_PLANE_TLS_CA", ca);
    }
}

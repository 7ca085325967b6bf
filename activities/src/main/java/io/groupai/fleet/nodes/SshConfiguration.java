package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.CredentialsProvider;
import io.groupai.fleet.nodes.ssh.HostKeyStore;
import io.groupai.fleet.nodes.ssh.NodeProbe;
import io.groupai.fleet.nodes.ssh.NodeServiceInstaller;
import io.groupai.fleet.nodes.ssh.RemoteShell;
import io.groupai.fleet.nodes.ssh.SessionTransfer;
import io.groupai.fleet.nodes.ssh.SshSessionPool;
import io.groupai.fleet.nodes.ssh.SshSettings;
import io.groupai.fleet.nodes.ssh.WorkerProcessControl;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One SSH session pool for the whole control plane, shared by all SSH activities. */
@Configuration(proxyBeanMethods = false)
class SshConfiguration {

    @Bean(destroyMethod = "close")
    SshSessionPool sshSessionPool(SshProperties properties, HostKeyStore hostKeys, CredentialsProvider credentials) {
        return new SshSessionPool(
                new SshSettings(
                        properties.connectTimeout(),
                        properties.commandTimeout(),
                        properties.transferTimeout(),
                        properties.maxSessionsPerServer()),
                hostKeys,
                credentials);
    }

    @Bean
    RemoteShell remoteShell(SshSessionPool pool) {
        return new RemoteShell(pool);
    }

    @Bean
    NodeProbe nodeProbe(RemoteShell shell) {
        return new NodeProbe(shell);
    }

    @Bean
    WorkerProcessControl workerProcessControl(RemoteShell shell) {
        return new WorkerProcessControl(shell);
    }

    @Bean
    NodeServiceInstaller nodeServiceInstaller(RemoteShell shell, WorkerProcessControl processes) {
        return new NodeServiceInstaller(shell, processes);
    }

    @Bean
    SessionTransfer sessionTransfer(RemoteShell shell) {
        return new SessionTransfer(shell);
    }
}

package io.groupai.fleet.app.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of one address, for one node's connection to the control plane
 * (HTTP) or to the Temporal gate (gRPC). {@link #cut()} is a network partition: every open
 * connection is reset at once and every new one is reset as soon as it is accepted, so nothing the
 * node sends reaches the far side; {@link #heal()} lets connections through again. Bytes are
 * forwarded unchanged, so HTTP/1.1, HTTP/2 and gRPC streams all pass.
 */
final class CuttableProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean closed;

    CuttableProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-" + port() + "-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Partition: resets every connection and refuses (resets) new ones until {@link #heal()}. */
    void cut() {
        cut = true;
        open.forEach(CuttableProxy::reset);
        open.clear();
    }

    void heal() {
        cut = false;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                reset(client);
                continue;
            }
            Thread.ofVirtual().start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            upstream.connect(target, 5_000);
        } catch (IOException e) {
            reset(client); // the far side is down (control plane restarting): the node sees a reset
            closeQuietly(upstream);
            return;
        }
        open.add(client);
        open.add(upstream);
        if (cut) { // cut while connecting
            cut();
            return;
        }
        Thread.ofVirtual().start(() -> pump(client, upstream));
        pump(upstream, client);
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // reset by the other side or by cut(): end both directions
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    /** Linger 0: the peer gets an RST, as from a dropped route, not a polite FIN. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        open.forEach(CuttableProxy::reset);
        open.clear();
    }
}

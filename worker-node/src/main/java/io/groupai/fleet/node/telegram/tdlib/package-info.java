/**
 * Telegram accounts on TDLib through its JSON interface (libtdjson.so, loaded with JNA).
 *
 * <p>One {@link io.groupai.fleet.node.telegram.tdlib.TdlibClientManager} per process owns the single
 * {@code td_receive} thread and creates one {@link io.groupai.fleet.node.telegram.tdlib.TdlibAccount} per
 * account on that account's TDLib database directory (the session). An account answers TDLib's parameter
 * request itself, reports authorization and connection state as a
 * {@link io.groupai.fleet.node.telegram.tdlib.TdlibAccountStatus}, honours FLOOD_WAIT once up to a bound,
 * and takes the login steps from outside ({@code submitPhoneNumber/Code/Password}, or
 * {@link io.groupai.fleet.node.telegram.tdlib.TdlibLogin} for callbacks).
 * {@link io.groupai.fleet.node.telegram.tdlib.TdlibTelegramRuntime} adapts this layer onto the node's
 * {@code TelegramRuntime} interface (states, updates, FLOOD_WAIT, login steps fed by the login poller).
 *
 * <p>The library is fetched by the worker-node build (pinned npm package {@code @prebuilt-tdlib/linux-x64-glibc},
 * sha512-checked) into {@code worker-node/target/native/}; see {@link io.groupai.fleet.node.telegram.tdlib.TdlibLibrary}
 * for where a deployment looks for it.
 */
package io.groupai.fleet.node.telegram.tdlib;

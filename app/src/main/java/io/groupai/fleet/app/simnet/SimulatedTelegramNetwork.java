package io.groupai.fleet.app.simnet;

import io.groupai.fleet.app.web.LongPollShutdown;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.NotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.stereotype.Component;

/**
 * SIMULATED Telegram network, served by the control plane for the demo and for tests of chat
 * behaviour: users, groups, members, messages and member joins, kept in memory. It is not
 * Telegram and talks to no Telegram server; real accounts run on TDLib.
 */
@Component
public class SimulatedTelegramNetwork {

    /** Long polls never block longer than this, whatever the client asks. */
    static final long MAX_POLL_MILLIS = 25_000;

    public record SimUser(long userId, String firstName, String username, String accountId, String nodeId) {}

    public record SimGroup(long chatId, String title, List<Long> memberIds) {}

    /** {@code replyToMessageId}: the message of the group this one answers, or null. */
    public record SimMessage(
            long chatId,
            long messageId,
            long fromUserId,
            String fromFirstName,
            String text,
            Instant date,
            Long replyToMessageId) {}

    /**
     * What an account receives; {@code type} is new_message or new_member. A reply names the message it
     * answers and that message's sender, as Telegram's clients can look it up.
     */
    public record Update(
            long updateId,
            String type,
            long chatId,
            String chatTitle,
            Long messageId,
            long fromUserId,
            String fromFirstName,
            String text,
            Instant date,
            Long replyToMessageId,
            Long replyToUserId) {}

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean pollsEnded;
    private final Map<Long, SimUser> users = new LinkedHashMap<>();
    private final Map<String, Long> userByAccount = new LinkedHashMap<>();
    private final Map<Long, Group> groups = new LinkedHashMap<>();
    private final Map<String, List<Update>> inboxes = new LinkedHashMap<>();
    private long nextUserId = 1000;
    private long nextChatId = -1001000000000L;
    private long nextUpdateId = 1;

    public SimulatedTelegramNetwork(Clock clock) {
        this.clock = clock;
    }

    private static final class Group {
        final long chatId;
        final String title;
        final Set<Long> members = new LinkedHashSet<>();
        final List<SimMessage> messages = new ArrayList<>();
        long nextMessageId = 1;

        Group(long chatId, String title) {
            this.chatId = chatId;
            this.title = title;
        }

        SimGroup view() {
            return new SimGroup(chatId, title, List.copyOf(members));
        }
    }

    /** An account comes online from a node; the simulated user is created on first connect. */
    public SimUser connect(String accountId, String nodeId) {
        lock.lock();
        try {
            Long existing = userByAccount.get(accountId);
            SimUser user = existing == null
                    ? new SimUser(nextUserId++, "Account " + accountId, "acc_" + accountId, accountId, nodeId)
                    : users.get(existing);
            user = new SimUser(user.userId(), user.firstName(), user.username(), accountId, nodeId);
            users.put(user.userId(), user);
            userByAccount.put(accountId, user.userId());
            inboxes.computeIfAbsent(accountId, a -> new ArrayList<>());
            return user;
        } finally {
            lock.unlock();
        }
    }

    public void disconnect(String accountId) {
        lock.lock();
        try {
            SimUser user = account(accountId);
            users.put(user.userId(), new SimUser(user.userId(), user.firstName(), user.username(), accountId, null));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The node an account is connected from, or null. */
    public String nodeOf(String accountId) {
        lock.lock();
        try {
            Long id = userByAccount.get(accountId);
            return id == null ? null : users.get(id).nodeId();
        } finally {
            lock.unlock();
        }
    }

    /** Updates with id ≥ offset, waiting up to {@code timeoutMillis} for the first one. */
    public List<Update> updates(String accountId, long offset, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(Math.min(Math.max(0, timeoutMillis), MAX_POLL_MILLIS));
        lock.lock();
        try {
            account(accountId);
            while (true) {
                List<Update> inbox = inboxes.get(accountId);
                inbox.removeIf(u -> u.updateId() < offset);
                if (!inbox.isEmpty()) {
                    return List.copyOf(inbox);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || pollsEnded) {
                    return List.of();
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** An account sends a message to a group it is a member of. */
    public SimMessage sendAsAccount(String accountId, long chatId, String text) {
        lock.lock();
        try {
            SimUser user = account(accountId);
            Group group = group(chatId);
            if (!group.members.contains(user.userId())) {
                throw new ConflictException("account " + accountId + " is not a member of simulated group " + chatId
                        + "; add it with POST /api/v1/sim-telegram/groups/" + chatId + "/members");
            }
            return post(group, user.userId(), user.firstName(), text, null);
        } finally {
            lock.unlock();
        }
    }

    public SimGroup createGroup(String title) {
        lock.lock();
        try {
            Group group = new Group(nextChatId--, title);
            groups.put(group.chatId, group);
            return group.view();
        } finally {
            lock.unlock();
        }
    }

    public Collection<SimGroup> groups() {
        lock.lock();
        try {
            return groups.values().stream().map(Group::view).toList();
        } finally {
            lock.unlock();
        }
    }

    /** A human (new simulated user) or a connected account joins a group; members are told. */
    public SimUser join(long chatId, String accountId, String humanFirstName) {
        lock.lock();
        try {
            Group group = group(chatId);
            SimUser user;
            if (accountId != null) {
                Long id = userByAccount.get(accountId);
                if (id == null) {
                    id = connect(accountId, null).userId();
                }
                user = users.get(id);
            } else {
                user = new SimUser(nextUserId++, humanFirstName, null, null, null);
                users.put(user.userId(), user);
            }
            if (group.members.add(user.userId())) {
                broadcast(group, user.userId(), "new_member", null, user.firstName(), null, null);
            }
            return user;
        } finally {
            lock.unlock();
        }
    }

    /** A human posts in a group (the simulated user is created by name if new). */
    public SimMessage postAsHuman(long chatId, String firstName, String text) {
        return postAsHuman(chatId, firstName, text, null);
    }

    /** The same, answering message {@code replyToMessageId} of the group (null: no reply). */
    public SimMessage postAsHuman(long chatId, String firstName, String text, Long replyToMessageId) {
        lock.lock();
        try {
            Group group = group(chatId);
            SimUser human = users.values().stream()
                    .filter(u -> u.accountId() == null
                            && u.firstName().equals(firstName)
                            && group.members.contains(u.userId()))
                    .findFirst()
                    .orElseGet(() -> join(chatId, null, firstName));
            SimMessage repliedTo = null;
            if (replyToMessageId != null) {
                repliedTo = group.messages.stream()
                        .filter(m -> m.messageId() == replyToMessageId)
                        .findFirst()
                        .orElseThrow(() -> new NotFoundException("simulated group " + chatId + " has no message "
                                + replyToMessageId + " to reply to; list them with GET /api/v1/sim-telegram/groups/"
                                + chatId + "/messages"));
            }
            return post(group, human.userId(), human.firstName(), text, repliedTo);
        } finally {
            lock.unlock();
        }
    }

    public List<SimMessage> messages(long chatId) {
        lock.lock();
        try {
            return List.copyOf(group(chatId).messages);
        } finally {
            lock.unlock();
        }
    }

    private SimMessage post(Group group, long fromUserId, String fromName, String text, SimMessage repliedTo) {
        SimMessage message = new SimMessage(
                group.chatId,
                group.nextMessageId++,
                fromUserId,
                fromName,
                text,
                clock.instant(),
                repliedTo == null ? null : repliedTo.messageId());
        group.messages.add(message);
        broadcast(group, fromUserId, "new_message", message.messageId(), fromName, text, repliedTo);
        return message;
    }

    /** Every account in the group except the author gets the update. */
    private void broadcast(
            Group group,
            long fromUserId,
            String type,
            Long messageId,
            String fromName,
            String text,
            SimMessage repliedTo) {
        // One date for every recipient, as Telegram gives one event one date (nodes key reply claims on it).
        Instant date = clock.instant();
        for (Long member : group.members) {
            SimUser user = users.get(member);
            if (member != fromUserId && user.accountId() != null) {
                inboxes.get(user.accountId())
                        .add(new Update(
                                nextUpdateId++,
                                type,
                                group.chatId,
                                group.title,
                                messageId,
                                fromUserId,
                                fromName,
                                text,
                                date,
                                repliedTo == null ? null : repliedTo.messageId(),
                                repliedTo == null ? null : repliedTo.fromUserId()));
            }
        }
        changed.signalAll();
    }

    private SimUser account(String accountId) {
        Long id = userByAccount.get(accountId);
        if (id == null) {
            throw new NotFoundException("account " + accountId + " has not connected to the simulated network");
        }
        return users.get(id);
    }

    private Group group(long chatId) {
        Group group = groups.get(chatId);
        if (group == null) {
            throw new NotFoundException(
                    "simulated group " + chatId + " does not exist; list them with GET /api/v1/sim-telegram/groups");
        }
        return group;
    }

    /**
     * Answers every long poll now, and each later one at once: the app is shutting down, and a
     * poll held open would hold up the web server's graceful shutdown for its full timeout.
     */
    public void endPolls() {
        pollsEnded = true;
        LongPollShutdown.wakeAll(lock, changed);
    }

    /** Polls wait again (the context was started again after a stop, e.g. a paused test context). */
    public void resumePolls() {
        pollsEnded = false;
    }
}

package io.groupai.fleet.allocation.planner;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A plan's placements stored column by column in primitive arrays, read as an unmodifiable list whose
 * {@link Placement}s are created as they are read. A million-account plan is then a handful of large arrays
 * rather than millions of objects, which the garbage collector would otherwise copy while the plan is built.
 */
final class PlacementColumns extends AbstractList<Placement> implements RandomAccess {

    private final Strategy strategy;
    private final AccountRequest[] accounts;
    private final ServerSlot[] slots;
    private final int[] account;
    private final int[] slot;
    private final double[] score;
    private final int[] count;
    private final byte[] why;
    private final int[] detail;
    private int size;

    /**
     * @param accounts the plan's accounts, in request order
     * @param slots    the eligible servers, by {@link ServerSlot#index}
     * @param capacity the most placements the plan can make
     */
    PlacementColumns(Strategy strategy, AccountRequest[] accounts, ServerSlot[] slots, int capacity) {
        this.strategy = strategy;
        this.accounts = accounts;
        this.slots = slots;
        this.account = new int[capacity];
        this.slot = new int[capacity];
        this.score = new double[capacity];
        this.count = new int[capacity];
        this.why = new byte[capacity];
        this.detail = new int[capacity];
    }

    /** Records a placement; only while the plan is being made. */
    void add(int accountIndex, ServerSlot server, double loadScore, Selector.Choice choice) {
        int row = size++;
        account[row] = accountIndex;
        slot[row] = server.index;
        score[row] = loadScore;
        count[row] = server.count;
        why[row] = (byte) choice.why().ordinal();
        detail[row] = choice.detail();
    }

    @Override
    public Placement get(int row) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("placement " + row + " of " + size);
        }
        return new Placement(accounts[account[row]].accountId(), slots[slot[row]].nodeId(), score[row], this, row);
    }

    @Override
    public int size() {
        return size;
    }

    /** "strategy: why; load score s, now count/max", as the placement's reason. */
    String reason(int row) {
        String phrase = Why.of(why[row]).text(accounts[account[row]], detail[row]);
        return strategy.wireName() + ": " + phrase + "; load score " + oneDecimal(score[row]) + ", now " + count[row]
                + "/" + slots[slot[row]].max;
    }

    private static String oneDecimal(double v) {
        long tenths = Math.round(v * 10);
        return (tenths / 10) + "." + Math.abs(tenths % 10);
    }
}

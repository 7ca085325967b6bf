package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/**
 * The database's side, read after the nodes were asked (so an account a node already runs is
 * either held by a live operation or placed in this snapshot).
 *
 * @param accounts    every placed, reserved or held account, and every other account a node reported or
 *                    has a directory for (an id in neither the list nor the database is unknown)
 * @param maxRestarts restarts after which an account its server does not run is marked failed
 */
public record FleetSnapshot(List<AccountRow> accounts, List<DuplicateGroup> duplicates, int maxRestarts) {}

/**
 * Placement planner: decides which worker server each account goes to, without touching the database, SSH or
 * the clock. Entry point {@link io.groupai.fleet.allocation.planner.Planner}; strategies in
 * {@link io.groupai.fleet.allocation.planner.Strategy} (the seed's names and behaviours, with server weights);
 * scores in {@link io.groupai.fleet.allocation.planner.LoadScore}.
 */
package io.groupai.fleet.allocation.planner;

package io.groupai.fleet.workflows.nodes;

/** What bootstrap's pre-check found on a server: {@code uname -s}, {@code uname -m} and the glibc version. */
public record ServerPlatform(String os, String arch, String glibc) {}

package dev.lethe.cli.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One Linux network namespace per cluster node, each joined by a veth pair to a bridge in this namespace that
 * carries the test's own /24 (the bridge at .1, node N at .10+N), so nodes talk to each other and to the test's
 * clients only through their veth. Cutting a node's link cuts it off from both; nothing else on the machine is
 * touched. Needs root and {@code ip} (iproute2); {@link #create(int)} says why when it cannot.
 */
final class NetworkNamespaces implements AutoCloseable {

    private final String tag;
    private final int subnet;
    private final int nodes;

    private NetworkNamespaces(String tag, int subnet, int nodes) {
        this.tag = tag;
        this.subnet = subnet;
        this.nodes = nodes;
    }

    /** Creates the bridge and a namespace per node; throws {@link IllegalStateException} naming the failed command. */
    static NetworkNamespaces create(int nodes) {
        // short random names (interface names have 15 characters) so parallel runs on one machine do not collide
        String tag = "lt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        NetworkNamespaces spaces = new NetworkNamespaces(tag, ThreadLocalRandom.current().nextInt(1, 255), nodes);
        try {
            spaces.ip("link", "add", spaces.bridge(), "type", "bridge");
            spaces.ip("addr", "add", spaces.subnetPrefix() + ".1/24", "dev", spaces.bridge());
            spaces.ip("link", "set", spaces.bridge(), "up");
            for (int id = 1; id <= nodes; id++) {
                String ns = spaces.namespace(id);
                spaces.ip("netns", "add", ns);
                spaces.ip("link", "add", spaces.hostSide(id), "type", "veth", "peer", "name", "eth0", "netns", ns);
                spaces.ip("link", "set", spaces.hostSide(id), "master", spaces.bridge(), "up");
                spaces.ip("-n", ns, "addr", "add", spaces.nodeAddress(id) + "/24", "dev", "eth0");
                spaces.ip("-n", ns, "link", "set", "eth0", "up");
                spaces.ip("-n", ns, "link", "set", "lo", "up");
            }
            return spaces;
        } catch (RuntimeException e) {
            spaces.close();
            throw e;
        }
    }

    /** The node's own address, inside its namespace. */
    String nodeAddress(int id) {
        return subnetPrefix() + "." + (10 + id);
    }

    /** Runs a command inside the node's namespace (ip execs it, so the pid and stdin stay the command's own). */
    List<String> execPrefix(int id) {
        return List.of("ip", "netns", "exec", namespace(id));
    }

    /** Cuts the node off from the other nodes and from every client: its link to the bridge goes down. */
    void cutOff(int id) {
        ip("link", "set", hostSide(id), "down");
    }

    void heal(int id) {
        ip("link", "set", hostSide(id), "up");
    }

    /** Removes every namespace (their veth pairs go with them) and the bridge; failures are ignored. */
    @Override
    public void close() {
        for (int id = 1; id <= nodes; id++) {
            quietly("netns", "del", namespace(id));
        }
        quietly("link", "del", bridge());
    }

    private String subnetPrefix() {
        return "10.213." + subnet;
    }

    private String bridge() {
        return tag + "br";
    }

    private String namespace(int id) {
        return tag + "n" + id;
    }

    private String hostSide(int id) {
        return tag + "v" + id;
    }

    private void ip(String... args) {
        String failure = run(args);
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private void quietly(String... args) {
        run(args);
    }

    /** Null on success, else the command and what it said. */
    private static String run(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish within 30 s";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + output;
        } catch (IOException e) {
            return String.join(" ", command) + " could not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}

package dev.lethe.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One node's view of a multi-node KRaft cluster of combined broker + controller nodes: its own id, every node's
 * addresses (the static controller quorum) and the cluster id all nodes are formatted with.
 *
 * @param nodeId    this node's {@code node.id}
 * @param nodes     every node of the cluster, this one included
 * @param clusterId the id every node's storage is formatted with (Kafka's base64 UUID)
 */
record QuorumMember(int nodeId, List<Node> nodes, String clusterId) {

    /** A node's addresses: the client listener and the controller listener. */
    public record Node(int id, String host, int port, int controllerPort) {

        /** {@code id@host:port:controllerPort}, the form {@link #parseNodes(String)} reads. */
        String spec() {
            return id + "@" + host + ":" + port + ":" + controllerPort;
        }

        public String bootstrapServer() {
            return host + ":" + port;
        }
    }

    public QuorumMember {
        nodes = List.copyOf(nodes);
        if (nodes.stream().noneMatch(n -> n.id() == nodeId)) {
            throw new IllegalArgumentException("node id " + nodeId + " is not one of the cluster's nodes " + nodesSpec(nodes));
        }
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("a cluster id is required");
        }
    }

    public Node self() {
        return nodes.stream().filter(n -> n.id() == nodeId).findFirst().orElseThrow();
    }

    public int size() {
        return nodes.size();
    }

    /** {@code controller.quorum.voters}: {@code id@host:controllerPort,...}. */
    public String voters() {
        return nodes.stream().map(n -> n.id() + "@" + n.host() + ":" + n.controllerPort()).collect(Collectors.joining(","));
    }

    /** Every node's client listener, comma-separated: the bootstrap list for clients. */
    public String bootstrapServers() {
        return nodes.stream().map(Node::bootstrapServer).collect(Collectors.joining(","));
    }

    static String nodesSpec(List<Node> nodes) {
        return nodes.stream().map(Node::spec).collect(Collectors.joining(","));
    }

    /** Reads {@code id@host:port:controllerPort[,...]}; the message names what is wrong. */
    static List<Node> parseNodes(String spec) {
        List<Node> nodes = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] idRest = part.strip().split("@", 2);
            String[] addr = idRest.length == 2 ? idRest[1].split(":") : new String[0];
            if (addr.length != 3) {
                throw new IllegalArgumentException("--cluster-nodes wants id@host:port:controllerPort[,...], got '" + part + "'");
            }
            try {
                nodes.add(new Node(Integer.parseInt(idRest[0]), addr[0], Integer.parseInt(addr[1]), Integer.parseInt(addr[2])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--cluster-nodes wants numeric ids and ports, got '" + part + "'");
            }
        }
        return nodes;
    }
}

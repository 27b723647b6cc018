package dev.lethe.cli.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A broker key pair and a client trust store made with the JDK's own {@code keytool}, for a TLS listener on the
 * embedded broker: the certificate names {@code 127.0.0.1} and {@code localhost}, so clients keep Kafka's default
 * host-name verification on.
 */
record SelfSignedTls(Path keystore, Path truststore, String password) {

    static SelfSignedTls generate(Path dir) {
        String password = "lethe-tls-" + Long.toHexString(System.nanoTime());
        try {
            Files.createDirectories(dir);
            Path keystore = dir.resolve("broker.p12");
            Path certificate = dir.resolve("broker.pem");
            Path truststore = dir.resolve("truststore.p12");
            for (Path old : List.of(keystore, certificate, truststore)) {
                Files.deleteIfExists(old); // keytool adds to an existing store, whose password was another run's
            }
            keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-alias", "broker", "-rfc", "-file", certificate.toString(),
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password);
            keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                    "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", password);
            return new SelfSignedTls(keystore, truststore, password);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the test TLS key and trust stores in " + dir, e);
        }
    }

    /** The client side: trust the broker's certificate. */
    Map<String, String> clientTrust() {
        return Map.of("ssl.truststore.location", truststore.toString(), "ssl.truststore.type", "PKCS12",
                "ssl.truststore.password", password);
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for keytool", e);
        }
    }
}

/**
 * Image build helper: loads ND4J's and OpenBLAS's native bindings once so JavaCPP extracts their libraries
 * (about 400 MB) into the cache directory given by -Dorg.bytedeco.javacpp.cachedir. The runtime image ships that
 * directory at the same path, so a container starts without extracting them again into its writable layer.
 *
 * <p>Run with the JDK's source launcher: {@code java -cp "cli/target/lib/*" docker/WarmNativeCache.java CLASS...}.
 */
public class WarmNativeCache {

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            throw new IllegalArgumentException("set -Dorg.bytedeco.javacpp.cachedir to the runtime image's cache path");
        }
        for (String name : args) {
            System.out.println(name + " -> " + org.bytedeco.javacpp.Loader.load(Class.forName(name)));
        }
    }
}

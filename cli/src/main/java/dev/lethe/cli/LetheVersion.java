package dev.lethe.cli;

import picocli.CommandLine;

/** Version line for {@code lethe --version}, from the jar manifest when packaged. */
final class LetheVersion implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = LetheVersion.class.getPackage().getImplementationVersion();
        return new String[] {"lethe " + (version == null ? "dev" : version)};
    }
}

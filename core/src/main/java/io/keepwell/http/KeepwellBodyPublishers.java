package io.keepwell.http;

import java.io.FileNotFoundException;
import java.net.http.HttpRequest.BodyPublisher;
import java.nio.file.Path;

/** Request bodies the JDK's {@code HttpRequest.BodyPublishers} cannot offer a transport. */
public final class KeepwellBodyPublishers {

    private KeepwellBodyPublishers() {
    }

    /**
     * The file's content, as the JDK's {@code BodyPublishers.ofFile}, but recognisable by a
     * transport: Keepwell sends it without copying it through user space on plain TCP (Netty's
     * {@code FileRegion}). Its length is read now.
     *
     * @param path the file to send; not {@code null}
     * @return a publisher whose {@code contentLength()} is the file's size now, a
     *         {@link FileBodyPublisher}
     * @throws FileNotFoundException if it is not a readable regular file
     */
    public static BodyPublisher ofFile(Path path) throws FileNotFoundException {
        return new FileBodyPublisher(path);
    }
}

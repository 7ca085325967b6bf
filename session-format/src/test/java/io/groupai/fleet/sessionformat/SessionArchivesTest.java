package io.groupai.fleet.sessionformat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.sessionformat.SessionArchives.InvalidArchiveException;
import io.groupai.fleet.sessionformat.SessionArchives.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one archive check both sides run; each side's wording is tested where it is used. */
class SessionArchivesTest {

    @TempDir
    Path dir;

    @Test
    void acceptsATdlibDirectoryAndCountsWhatItUnpacksTo() throws Exception {
        Path zip = zip("a.zip", "td.binlog", "b".repeat(100), "./db/db.sqlite", "x".repeat(50), "files/", "");
        assertThat(SessionArchives.check(zip, 1024)).isEqualTo(new SessionArchives.Contents(3, 150));
        assertThat(SessionArchives.check(zip("b.zip", "./db/td.binlog", "b"), 1024)
                        .entries())
                .isEqualTo(1);
    }

    @Test
    void refusesWhatIsNotASafeTdlibArchive() throws Exception {
        assertProblem(
                zip("slip.zip", "td.binlog", "b", "db/../../evil.sh", "x"), Problem.UNSAFE_ENTRY, "db/../../evil.sh");
        assertProblem(zip("abs.zip", "td.binlog", "b", "/etc/passwd", "x"), Problem.UNSAFE_ENTRY, "/etc/passwd");
        // ZipOutputStream refuses duplicates: write another name of the same length and rename it in the bytes.
        Path dup = zip("dup.zip", "td.binlog", "b", "td.binloX", "c");
        Files.write(
                dup,
                new String(Files.readAllBytes(dup), StandardCharsets.ISO_8859_1)
                        .replace("td.binloX", "td.binlog")
                        .getBytes(StandardCharsets.ISO_8859_1));
        assertProblem(dup, Problem.DUPLICATE_ENTRY, "td.binlog");
        assertProblem(zip("big.zip", "td.binlog", "b".repeat(2000)), Problem.TOO_LARGE, null);
        assertProblem(zip("deep.zip", "deep/inside/td.binlog", "b"), Problem.NOT_TDLIB, null);
        assertProblem(zip("empty.zip"), Problem.EMPTY, null);
        assertProblem(Files.writeString(dir.resolve("text.zip"), "just some text"), Problem.NOT_A_ZIP, null);
    }

    @Test
    void sha256IsLowercaseHexAndAtomicMoveReplaces() throws Exception {
        String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assertThat(Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(abc);
        Path file = Files.writeString(dir.resolve("f"), "abc");
        assertThat(Sha256.hex(file)).isEqualTo(abc);
        assertThat(Sha256.of(file)).isEqualTo(new Sha256.Sum(abc, 3));

        Path target = Files.writeString(dir.resolve("target"), "old");
        AtomicFiles.move(file, target);
        assertThat(target).hasContent("abc");
        assertThat(file).doesNotExist();
    }

    private static void assertProblem(Path zip, Problem problem, String entry) {
        assertThatThrownBy(() -> SessionArchives.check(zip, 1024))
                .isInstanceOfSatisfying(InvalidArchiveException.class, e -> {
                    assertThat(e.problem()).isEqualTo(problem);
                    assertThat(e.entry()).isEqualTo(entry);
                });
    }

    /** A zip of name/content pairs; a name ending in "/" is a directory. */
    private Path zip(String file, String... namesAndContents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry(namesAndContents[i]));
                zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return Files.write(dir.resolve(file), bytes.toByteArray());
    }
}

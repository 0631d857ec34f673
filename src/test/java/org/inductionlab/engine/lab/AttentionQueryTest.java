package org.inductionlab.engine.lab;

import org.inductionlab.engine.TestConfigs;
import org.inductionlab.engine.config.DeviceChoice;
import org.inductionlab.engine.config.InvalidConfigException;
import org.inductionlab.engine.config.Problem;
import org.inductionlab.engine.task.InductionTask;
import org.inductionlab.engine.task.RepeatTask;
import org.inductionlab.engine.task.TokenFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The attention query on a tiny trained run: one set of rules for what a sequence may be, and one answer. */
class AttentionQueryTest {

    @TempDir
    static Path tmp;
    private static Path dir;

    @BeforeAll
    static void train() throws Exception {
        dir = tmp.resolve("run");
        TrainingJob.create(dir, TestConfigs.tiny("max_steps=3"), "tiny", false).run(null);
    }

    @Test
    void aGeneratedSequenceIsTheTasksOwnAndItsAnswerIsKnown() throws Exception {
        try (LoadedRun run = LoadedRun.open(dir, DeviceChoice.CPU)) {
            var hp = run.hyperparameters();
            AttentionQuery.Answer a = AttentionQuery.ask(run, new AttentionQuery.Generated(20, null, 3));
            InductionTask.Sequence s = InductionTask.evaluation(hp.vocab(), hp.layout(), 3).sequence(0, 20);
            assertArrayEquals(Arrays.copyOf(s.tokens(), 19), a.input().tokens(), "all but the answer");
            assertEquals(s.answer(), a.input().answer());
            assertEquals("length 20, " + hp.layout() + ", seed 3", a.input().description());
            assertEquals(19, a.map().length());
            assertEquals(a.map().predictedToken(), a.predicted());
            assertEquals(a.predicted() == s.answer(), a.correct());

            AttentionQuery.Answer typed = AttentionQuery.ask(run, new AttentionQuery.Typed(
                    Arrays.stream(a.input().tokens()).mapToObj(Integer::toString).reduce((x, y) -> x + " " + y).orElseThrow()));
            assertEquals(s.answer(), typed.input().answer(), "typed, the task's sequence defines the same answer");
            assertEquals(a.correct(), typed.correct());
            assertNull(typed.input().noAnswer());
            assertEquals(a.predicted(), typed.predicted(), "the same tokens, the same prediction");
            assertEquals(a.probability(), typed.probability(), 1e-6);

            Path file = tmp.resolve("tokens.txt");
            Files.writeString(file, "1 2 3 4\n" + String.join(" ", Arrays.stream(a.input().tokens())
                    .mapToObj(Integer::toString).toList()) + "\n");
            AttentionQuery.Answer read = AttentionQuery.ask(run, new AttentionQuery.FileLine(file, 2));
            assertEquals(a.predicted(), read.predicted());
            assertEquals("tokens.txt line 2", read.input().description());
            assertEquals(s.answer(), read.input().answer(), "a file's line defines it too");
            AttentionQuery.Answer noS = AttentionQuery.ask(run, new AttentionQuery.FileLine(file, 1));
            assertNull(noS.correct(), "1 2 3 4 has no S: nothing to check");
            assertTrue(noS.input().noAnswer().startsWith("no answer to check: there is no S (16)"),
                    noS.input().noAnswer());
            assertEquals(hp.heads(), AttentionQuery.scores(run).heads());
        }
    }

    @Test
    void theTaskDefinesTheAnswerOfAnyInputWithTwoSAndATokenAfterTheFirst() {
        int s = 16;
        AttentionQuery.Input ok = AttentionQuery.withTaskAnswer(new int[] {3, 16, 7, 1, 2, 16}, s, "typed");
        assertEquals(7, ok.answer(), "the token after the first S");
        assertNull(ok.noAnswer());
        assertEquals("typed", ok.description());
        java.util.Map<String, int[]> none = new java.util.LinkedHashMap<>();
        none.put("there is no S (16)", new int[] {3, 4, 5});
        none.put("the last token is not S (16)", new int[] {3, 16, 7, 1, 2});
        none.put("there is only one S", new int[] {3, 4, 7, 1, 2, 16});
        none.put("there are 3 S", new int[] {16, 7, 16, 1, 16});
        none.put("the two S are side by side", new int[] {1, 2, 16, 16});
        none.forEach((why, tokens) -> {
            AttentionQuery.Input in = AttentionQuery.withTaskAnswer(tokens, s, "typed");
            assertNull(in.answer(), why);
            assertTrue(in.noAnswer().startsWith("no answer to check: " + why), in.noAnswer());
        });
    }

    @Test
    void badInputIsKeyedWithItsRangeSoEachFrontEndWordsIt() throws Exception {
        var hp = TestConfigs.tiny();
        InvalidConfigException tooLong = assertThrows(InvalidConfigException.class,
                () -> AttentionQuery.check(new AttentionQuery.Generated(2000, null, 1)));
        Problem p = tooLong.problems().get(0);
        assertEquals("length", p.key());
        assertEquals(new Problem.Range(2000, 8, 1025, null, "the answer included: the model reads at most 1024 tokens"),
                p.range());
        assertEquals("--length: 2000 is out of range (allowed: 8..1025, the answer included: the model reads at most"
                + " 1024 tokens)", tooLong.describe(key -> "--" + key));
        assertEquals("length: 2000 is out of range (allowed: 8..1025, the answer included: the model reads at most"
                + " 1024 tokens)", tooLong.getMessage(), "the engine's own words name the key");

        assertEquals("layout", assertThrows(InvalidConfigException.class, () -> AttentionQuery.input(
                new AttentionQuery.Generated(20, "sideways", 1), hp)).problems().get(0).key());
        assertEquals("layout", assertThrows(InvalidConfigException.class, () -> AttentionQuery.input(
                new AttentionQuery.Generated(20, "fixed:30", 1), hp)).problems().get(0).key(), "S past the end");
        assertEquals(hp.layout(), AttentionQuery.layout(" ", hp), "blank: the run's own");

        Path file = tmp.resolve("two.txt");
        Files.writeString(file, "1 2 3\n4 5 6\n");
        InvalidConfigException line = assertThrows(InvalidConfigException.class,
                () -> AttentionQuery.input(new AttentionQuery.FileLine(file, 3), hp));
        assertEquals(new Problem.Range(3, 1, 2, null, null), line.problems().get(0).range());
        assertEquals("file", assertThrows(InvalidConfigException.class,
                () -> AttentionQuery.check(new AttentionQuery.FileLine(null, 1))).problems().get(0).key());
        assertTrue(assertThrows(TokenFile.TokenFileException.class, () -> AttentionQuery.check(
                new AttentionQuery.FileLine(tmp.resolve("missing.txt"), 1))).getMessage().endsWith(" does not exist"));
        assertTrue(assertThrows(TokenFile.TokenFileException.class, () -> AttentionQuery.input(
                new AttentionQuery.Typed("1 2 99"), hp)).getMessage().startsWith("tokens, token 3: 99 is outside"));
    }

    @Test
    void aRepeatTaskRunIsAskedAboutRepeatedTokens() throws Exception {
        Path repeatDir = tmp.resolve("repeat");
        TrainingJob.create(repeatDir, TestConfigs.tiny("max_steps=3", "task=repeat"), "tiny", false).run(null);
        try (LoadedRun run = LoadedRun.open(repeatDir, DeviceChoice.CPU)) {
            var hp = run.hyperparameters();
            AttentionQuery.Answer a = AttentionQuery.ask(run, new AttentionQuery.Generated(20, null, 3));
            RepeatTask.Sequence r = new RepeatTask(hp.vocab(), 3).sequence(0, 20);
            assertArrayEquals(Arrays.copyOf(r.tokens(), 19), a.input().tokens(), "the task's own sequence, not S's");
            assertEquals(r.tokens()[19], a.input().answer(), "the repeat's next token");
            assertTrue(a.input().description().startsWith("length 20, repeated tokens (a block of " + r.block()),
                    a.input().description());
            AttentionQuery.Answer typed = AttentionQuery.ask(run, new AttentionQuery.Typed(
                    Arrays.stream(a.input().tokens()).mapToObj(Integer::toString).reduce((x, y) -> x + " " + y).orElseThrow()));
            assertEquals(r.tokens()[19], typed.input().answer(), "typed, the repeat defines the same answer");
            assertEquals(a.predicted(), typed.predicted());
            InvalidConfigException layout = assertThrows(InvalidConfigException.class,
                    () -> AttentionQuery.ask(run, new AttentionQuery.Generated(20, "anywhere", 3)));
            assertEquals("layout", layout.problems().get(0).key(), "no S to place");
            Path lines = tmp.resolve("repeat-lines.txt");
            Files.writeString(lines, "1 2 3 1 2\n4 5 6 4\n");
            Predictions p = Predictions.of(run, lines);
            assertEquals(2, p.predictions().size());
            assertEquals(java.util.List.of(), p.linesWithoutTrigger(), "no S to miss in the repeat task");
            int watched = org.inductionlab.engine.eval.HeadScores.watchedLength(hp);
            assertArrayEquals(Arrays.copyOf(new RepeatTask(hp.vocab(), 1).sequence(0, watched).tokens(), watched - 1),
                    org.inductionlab.engine.eval.HeadScores.watchedSequence(hp), "training watches repeated tokens too");
        }
    }

    @Test
    void theRepeatTasksAnswerIsWhatFollowsTheLongestEarlierCopyOfTheEnd() {
        AttentionQuery.Input ok = AttentionQuery.withRepeatAnswer(new int[] {1, 2, 3, 4, 5, 1, 2, 3, 4}, "typed");
        assertEquals(5, ok.answer());
        assertNull(ok.noAnswer());
        assertEquals(7, AttentionQuery.withRepeatAnswer(new int[] {4, 7, 4, 1, 2, 4, 7, 9, 1, 2, 4}, "typed").answer(),
                "1 2 4 is repeated, longer than the 4 before the 7");
        AttentionQuery.Input none = AttentionQuery.withRepeatAnswer(new int[] {1, 2, 3}, "typed");
        assertNull(none.answer());
        assertTrue(none.noAnswer().startsWith("no answer to check: the last token does not occur before it"), none.noAnswer());
        AttentionQuery.Input tie = AttentionQuery.withRepeatAnswer(new int[] {9, 1, 2, 9, 1, 3, 9, 1}, "typed");
        assertNull(tie.answer(), "9 1 is followed by 2 once and by 3 once");
        assertTrue(tie.noAnswer().contains("disagree"), tie.noAnswer());
    }
}

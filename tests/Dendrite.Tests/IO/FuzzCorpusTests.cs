using System.Diagnostics;
using Dendrite.Fuzz;

namespace Dendrite.Tests.IO;

/// <summary>
/// Replays the fuzzing corpora (fuzz/corpus/TARGET: the seeds and what AFL++ kept for new coverage) and every saved
/// finding (fuzz/regressions/TARGET) through the same entry points the fuzzer drives, in-process: each input must end in
/// success or in the reader's documented exception, within a few seconds.
/// </summary>
public class FuzzCorpusTests
{
    private static string FuzzFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "fuzz", "corpus"))) return Path.Combine(dir.FullName, "fuzz");
        throw new DirectoryNotFoundException($"no fuzz/corpus above {AppContext.BaseDirectory}");
    }

    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Keys];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Saved_inputs_replay_cleanly(string target)
    {
        var files = new[] { "corpus", "regressions" }
            .Select(kind => Path.Combine(FuzzFolder(), kind, target))
            .Where(Directory.Exists)
            .SelectMany(Directory.GetFiles)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(files.Count >= 3, $"{target}: only {files.Count} saved inputs");
        var run = FuzzTargets.All[target];
        foreach (var file in files)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                run(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                Assert.Fail($"{file}: {e.GetType().Name}: {e.Message}");
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{file}: took {clock.Elapsed.TotalSeconds:F1} s");
        }
    }
}

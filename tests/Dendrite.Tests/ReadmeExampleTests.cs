namespace Dendrite.Tests;

/// <summary>
/// The README's library example, compiled and run here on synthetic data (the README loads Fashion-MNIST).
/// The lines between the markers must appear, in order, in the README's C# example: when one changes, change both.
/// </summary>
public class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_compiles_and_learns()
    {
        var (train, test) = Synthetic.Images(400, 200, seed: 11);
        // README example begin
        var net = new Sequential(new Dense(64), new ReLU(), new Dense(10), new Softmax()).Build([1, 28, 28], seed: 1);
        var history = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(1e-3f)).Fit(train, test, epochs: 2, batchSize: 32);
        // README example end
        Assert.Equal(2, history.Count);
        Assert.True(history[^1].TestAccuracy > 0.5, $"test accuracy {history[^1].TestAccuracy} (chance 0.1)");
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss, $"train loss {history[0].TrainLoss} -> {history[^1].TrainLoss}");
    }

    [Fact]
    public void The_example_above_is_the_one_in_the_readme()
    {
        string root = RepositoryRoot();
        string readme = Path.Combine(root, "README.md");
        if (!File.Exists(readme)) return; // the README arrives with the lead's branch; until then there is nothing to compare
        var example = Marked(File.ReadAllLines(Path.Combine(root, "tests", "Dendrite.Tests", "ReadmeExampleTests.cs")));
        Assert.NotEmpty(example);
        var blocks = CSharpBlocks(File.ReadAllLines(readme));
        Assert.True(blocks.Any(b => ContainsInOrder(b, example)),
            $"README.md has no ```csharp block containing, in order:\n{string.Join("\n", example)}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Dendrite.slnx above {AppContext.BaseDirectory}");
    }

    private static List<string> Marked(string[] lines) =>
        lines.SkipWhile(l => !l.Contains("// README example begin")).Skip(1)
             .TakeWhile(l => !l.Contains("// README example end"))
             .Select(Normalize).Where(l => l.Length > 0).ToList();

    private static List<List<string>> CSharpBlocks(string[] lines)
    {
        var blocks = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in lines)
        {
            var t = line.Trim();
            if (current is null && (t.StartsWith("```csharp") || t.StartsWith("```cs") || t.StartsWith("```c#"))) current = [];
            else if (current is not null && t.StartsWith("```"))
            {
                blocks.Add(current);
                current = null;
            }
            else if (current is not null && Normalize(line).Length > 0) current.Add(Normalize(line));
        }
        return blocks;
    }

    private static string Normalize(string line) => string.Join(" ", line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static bool ContainsInOrder(List<string> block, List<string> lines)
    {
        int at = 0;
        foreach (var l in block)
            if (at < lines.Count && l == lines[at]) at++;
        return at == lines.Count;
    }
}

using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dendrite.Tests;

/// <summary>The README's library example, taken from README.md itself, compiles and trains to a useful accuracy.</summary>
// Swaps Console.Out (through Cli.Run or to read the example's output): one at a time with the other console tests.
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class ReadmeExampleTests
{
    [Fact]
    public void The_library_example_compiles_and_learns()
    {
        string code = ExtractExample(File.ReadAllText(FindReadme()));
        int lines = code.Split('\n').Count(l => l.Trim().Length > 0);
        Assert.InRange(lines, 8, 20);

        var (output, accuracies) = RunAndReadAccuracies(code);
        Assert.Equal(5, accuracies.Count);
        Assert.True(accuracies[^1] > 85, $"final test accuracy {accuracies[^1]}%:\n{output}");
    }

    [Fact]
    public void The_hand_written_loop_compiles_and_matches_the_trainer()
    {
        string readme = File.ReadAllText(FindReadme());
        int section = readme.IndexOf("Or write the loop yourself", StringComparison.Ordinal);
        Assert.True(section >= 0, "README has no 'Or write the loop yourself' paragraph");
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        string code = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        Assert.Contains("ForwardForLoss", code);

        var (output, accuracies) = RunAndReadAccuracies(code);
        Assert.Equal(2, accuracies.Count);

        // The same run through Trainer: same data, network, seed, optimizer and shuffle.
        var (train, test) = IdxDataset.LoadDirectory("/usr/share/datasets/fashion-mnist", trainLimit: 5000, testLimit: 2000);
        var net = new Sequential(new Dense(128), new ReLU(), new Dense(10), new Softmax()).Build(train.SampleShape, seed: 1);
        var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(1e-3f));
        var history = trainer.Fit(new DataLoader(train, 64, shuffle: true, new Rng(1)), test, epochs: 2).ToList();
        double expected = history[^1].TestAccuracy * 100;
        Assert.True(Math.Abs(accuracies[^1] - expected) < 2, $"README loop {accuracies[^1]}%, Trainer {expected:F2}%:\n{output}");
        Assert.True(expected > 75, $"Trainer reached only {expected:F2}%");
    }

    // Compiles the code, runs it with its console captured, and returns what it printed and each "test accuracy N%".
    private static (string Output, List<double> Accuracies) RunAndReadAccuracies(string code)
    {
        var entry = Compile(code);
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        try
        {
            entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        finally
        {
            Console.SetOut(saved);
        }
        var accuracies = System.Text.RegularExpressions.Regex.Matches(output.ToString(), @"test accuracy ([0-9.]+) ?%")
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        return (output.ToString(), accuracies);
    }

    internal static string ExtractExample(string readme)
    {
        int section = readme.IndexOf("## The library", StringComparison.Ordinal);
        Assert.True(section >= 0, "README has no '## The library' section");
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    private static MethodInfo Compile(string code)
    {
        var usings = "global using System; global using System.Linq; global using System.Collections.Generic;";
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = trusted.Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(Sequential).Assembly.Location));
        var compilation = CSharpCompilation.Create("ReadmeExample",
            [CSharpSyntaxTree.ParseText(code), CSharpSyntaxTree.ParseText(usings)],
            references, new CSharpCompilationOptions(OutputKind.ConsoleApplication));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        image.Position = 0;
        var assembly = new AssemblyLoadContext("readme", isCollectible: true).LoadFromStream(image);
        return assembly.EntryPoint!;
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException("README.md not found above " + AppContext.BaseDirectory);
    }
}

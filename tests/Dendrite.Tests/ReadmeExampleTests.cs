using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dendrite.Tests;

/// <summary>The README's library example, taken from README.md itself, compiles and trains to a useful accuracy.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void The_library_example_compiles_and_learns()
    {
        string code = ExtractExample(File.ReadAllText(FindReadme()));
        int lines = code.Split('\n').Count(l => l.Trim().Length > 0);
        Assert.InRange(lines, 8, 20);

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
        Assert.Equal(5, accuracies.Count);
        Assert.True(accuracies[^1] > 85, $"final test accuracy {accuracies[^1]}%:\n{output}");
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

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Dendrite.Tests.Packaging;

/// <summary>
/// The Dendrite package as a .NET developer meets it: packed into a folder, taken by a fresh console app from that folder,
/// the README's library example as Program.cs, built and run. Its bin/ must hold no imaging library. Needs the dotnet
/// SDK, NuGet (for Google.Protobuf and System.Numerics.Tensors when the local package cache lacks them) and the
/// Fashion-MNIST files the example reads.
/// </summary>
public partial class PackageTests(ITestOutputHelper log)
{
    private static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(2);

    [Fact]
    public void A_fresh_console_app_runs_the_readme_example_from_the_packed_core()
    {
        using var temp = new TempDirectory();
        string repo = RepositoryRoot();
        string feed = Directory.CreateDirectory(temp.File("feed")).FullName;
        string app = Directory.CreateDirectory(temp.File("app")).FullName;

        Dotnet(repo, "pack", Path.Combine(repo, "src", "Dendrite", "Dendrite.csproj"), "-c", "Release", "-o", feed);
        var package = Directory.GetFiles(feed, "Dendrite.*.nupkg").Single(p => !p.EndsWith(".snupkg"));
        string version = PackageVersion().Match(Path.GetFileName(package)).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(version), $"no version in {Path.GetFileName(package)}");

        Dotnet(app, "new", "console", "-n", "App", "-o", app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), NuGetConfig(feed, Path.Combine(temp.Path, "packages")));
        Dotnet(app, "add", "package", "Dendrite", "--version", version);
        string example = ReadmeExampleTests.ExtractExample(File.ReadAllText(Path.Combine(repo, "README.md")));
        Assert.True(File.ReadAllText(Path.Combine(repo, "src", "Dendrite", "README.md")).Contains(example),
            "src/Dendrite/README.md (the package's readme) no longer shows the README's library example");
        File.WriteAllText(Path.Combine(app, "Program.cs"), example);
        Dotnet(app, "build", "-c", "Release");

        string bin = Path.Combine(app, "bin", "Release", "net10.0");
        var watch = Stopwatch.StartNew();
        var output = Dotnet(app, Path.Combine(bin, "App.dll"));
        log.WriteLine($"README example: {watch.Elapsed.TotalSeconds:F1} s\n{output}");
        var accuracies = Regex.Matches(output, @"test accuracy ([0-9.]+) ?%")
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(5, accuracies.Count);
        Assert.True(accuracies[^1] > 85, $"final test accuracy {accuracies[^1]}%:\n{output}");

        var files = Directory.GetFiles(bin, "*", SearchOption.AllDirectories);
        var imaging = files.Where(f => ImagingFile().IsMatch(Path.GetFileName(f))).ToList();
        Assert.True(imaging.Count == 0, "imaging files in the app's bin/: " + string.Join(", ", imaging.Select(f => Path.GetRelativePath(bin, f))));
        Assert.DoesNotMatch(ImagingFile(), File.ReadAllText(Path.Combine(bin, "App.deps.json")));
        long bytes = files.Sum(f => new FileInfo(f).Length);
        log.WriteLine($"app bin/: {files.Length} files, {bytes / 1e6:F1} MB");
        // About 2 MB (Dendrite.Core, Google.Protobuf, System.Numerics.Tensors and the app); 471 MB when the core pulled in SkiaSharp.
        Assert.True(bytes < 10_000_000, $"app bin/ is {bytes / 1e6:F1} MB");
    }

    /// <summary>
    /// Dendrite only from the packed folder (source mapping), everything else from the local package cache or nuget.org;
    /// a fresh global packages folder, so a Dendrite of the same version cached earlier is never the one used.
    /// </summary>
    private static string NuGetConfig(string feed, string packages)
    {
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        bool useCache = Directory.Exists(cache);
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{packages}" /></config>
              <packageSources>
                <clear />
                <add key="dendrite" value="{feed}" />
                {(useCache ? $"<add key=\"cache\" value=\"{cache}\" />" : "")}
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="dendrite"><package pattern="Dendrite" /></packageSource>
                {(useCache ? "<packageSource key=\"cache\"><package pattern=\"*\" /></packageSource>" : "")}
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """;
    }

    /// <summary>Runs dotnet with the arguments in a folder, without build servers left behind; fails on a non-zero exit.</summary>
    private string Dotnet(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (args[0] is "pack" or "build") start.ArgumentList.Add("--disable-build-servers");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // dotnet test's own MSBuild settings must not leak into the builds started here.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
            start.Environment.Remove(name);

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(StepLimit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)}: still running after {StepLimit.TotalSeconds} s");
        }
        string output = stdout.Result + stderr.Result;
        log.WriteLine($"dotnet {string.Join(' ', args.Select(Path.GetFileName))}: {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} in {directory}: exit {process.ExitCode}\n{output}");
        return output;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("Dendrite.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^Dendrite\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.nupkg$")]
    private static partial Regex PackageVersion();

    [GeneratedRegex("SkiaSharp|ScottPlot|HarfBuzz", RegexOptions.IgnoreCase)]
    private static partial Regex ImagingFile();
}

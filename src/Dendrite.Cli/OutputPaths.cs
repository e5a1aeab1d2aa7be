using System.CommandLine;
using System.CommandLine.Parsing;

namespace Dendrite.Cli;

/// <summary>
/// A command's output files and folders, checked before any work starts (<see cref="OutputFile.Check"/>): each path is
/// not empty, its folder exists and takes a file, nothing but a regular file (or, for a folder option, a folder) is
/// there, and no output is the same file as an input or as another output. Errors name the option.
/// </summary>
public sealed class OutputPaths
{
    /// <summary>Options that name a file a command writes.</summary>
    public static readonly IReadOnlySet<string> FileOptions = new HashSet<string> { "--out", "--metrics", "--confusion-png" };

    /// <summary>Options that name a folder a command writes into.</summary>
    public static readonly IReadOnlySet<string> FolderOptions = new HashSet<string> { "--checkpoint", "--report" };

    /// <summary>Options that name a file or folder a command reads (arguments always do).</summary>
    public static readonly IReadOnlySet<string> InputOptions = new HashSet<string> { "--model", "--data", "--resume", "--image" };

    /// <summary>
    /// The outputs of a parsed command line: the values of <see cref="FileOptions"/> and <see cref="FolderOptions"/>;
    /// every other option or argument value that names an existing file is an input they must not replace. An empty
    /// value of an <see cref="InputOptions"/> option or of an argument is refused here too.
    /// </summary>
    public static OutputPaths From(ParseResult parsed)
    {
        var paths = new OutputPaths();
        foreach (var child in parsed.CommandResult.Children)
        {
            var (name, tokens) = child switch
            {
                OptionResult o when !o.Implicit => (o.Option.Name, o.Tokens),
                ArgumentResult a => (a.Argument.Name, a.Tokens),
                _ => ((string?)null, (IReadOnlyList<Token>?)null),
            };
            if (name is null || tokens is null) continue;
            foreach (var token in tokens)
            {
                if (token.Value.Length == 0 && (child is ArgumentResult || InputOptions.Contains(name)))
                    throw new UsageException(child is ArgumentResult ? $"{name}: an empty argument" : $"{name}: the path is empty");
                if (FileOptions.Contains(name)) paths.File(name, token.Value);
                else if (FolderOptions.Contains(name)) paths.Folder(name, token.Value);
                else if (token.Value.Length > 0 && System.IO.File.Exists(token.Value)) paths.Input(name, token.Value);
            }
        }
        return paths;
    }

    private readonly List<(string Option, string Path)> _inputs = [];
    private readonly List<(string Option, string Path)> _files = [];
    private readonly List<(string Option, string Path)> _folders = [];

    /// <summary>An input the outputs must not overwrite; null is ignored.</summary>
    public OutputPaths Input(string option, string? path)
    {
        if (!string.IsNullOrEmpty(path)) _inputs.Add((option, path));
        return this;
    }

    /// <summary>An output file; null (option not given) is ignored.</summary>
    public OutputPaths File(string option, string? path)
    {
        if (path is not null) _files.Add((option, path));
        return this;
    }

    /// <summary>An output folder (it may be missing if its parent exists: the command creates it); null is ignored.</summary>
    public OutputPaths Folder(string option, string? path)
    {
        if (path is not null) _folders.Add((option, path));
        return this;
    }

    /// <summary>Runs every check; throws <see cref="UsageException"/> naming the option at the first problem.</summary>
    public void Check()
    {
        foreach (var (option, path) in _files)
        {
            try
            {
                OutputFile.Check(path);
            }
            catch (IOException e)
            {
                throw new UsageException($"{option}: {e.Message}");
            }
        }
        foreach (var (option, path) in _folders) CheckFolder(option, path);
        var outputs = _files.Concat(_folders).ToList();
        foreach (var (option, path) in _files)
        {
            foreach (var (inOption, inPath) in _inputs)
                if (OutputFile.SameFile(path, inPath))
                    throw new UsageException($"{option}: {path} is the {inOption} file; writing it would replace the input");
            foreach (var (other, otherPath) in outputs)
                if (other != option && Same(path, otherPath))
                    throw new UsageException($"{option}: {path} is also the {other} path; give each output its own file");
        }
    }

    private static bool Same(string a, string b) =>
        string.Equals(System.IO.Path.GetFullPath(a), System.IO.Path.GetFullPath(b), StringComparison.Ordinal);

    private static void CheckFolder(string option, string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException($"{option}: the path is empty");
        if (System.IO.File.Exists(path)) throw new UsageException($"{option}: {path} is a file; give a folder");
        string full = System.IO.Path.GetFullPath(path);
        string? parent = System.IO.Path.GetDirectoryName(full.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        if (!Directory.Exists(full) && parent is not null && !Directory.Exists(parent))
            throw new UsageException($"{option}: the folder {parent} does not exist");
        try
        {
            // Nothing is created yet: the command makes the folder when it writes the first file.
            OutputFile.Check(System.IO.Path.Combine(Directory.Exists(full) ? full : parent ?? full, ".dendrite-write-check"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option}: cannot write into {path}: {e.Message}");
        }
    }
}

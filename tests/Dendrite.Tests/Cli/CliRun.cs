using Dendrite.Cli;

namespace Dendrite.Tests.Cli;

/// <summary>Runs the dendrite command in-process and captures what it prints. Callers are in <see cref="IO.SerialCollection"/>.</summary>
internal static class CliRun
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try
        {
            return (App.Run(args), o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    /// <summary>Asserts the run failed as bad input: exit code 2, one line on stderr, nothing on stdout. Returns the line.</summary>
    public static string AssertBadInput(params string[] args) => AssertBadInput(true, args);

    public static string AssertBadInput(bool quiet, params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', args)}: {stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"stderr has {lines.Length} lines: {stderr}");
        Assert.StartsWith("dendrite: ", lines[0]);
        if (quiet) Assert.Equal("", stdout);
        return lines[0];
    }
}

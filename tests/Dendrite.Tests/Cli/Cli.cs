using Spectre.Console;

namespace Dendrite.Tests.Cli;

/// <summary>What one in-process run of the dendrite command printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>Runs <see cref="Dendrite.Cli.App.Run"/> with stdout and stderr captured (use only from <see cref="ConsoleCollection"/>).</summary>
internal static class Cli
{
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var (oldOut, oldError, oldAnsi) = (Console.Out, Console.Error, AnsiConsole.Console);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        // Spectre keeps the writer it first saw: point it at the capture, plain and non-interactive, wide enough for tables.
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        AnsiConsole.Profile.Width = 160;
        try
        {
            int code = Dendrite.Cli.App.Run(args);
            return new CliResult(code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
            AnsiConsole.Console = oldAnsi;
        }
    }

    /// <summary>Exit code 2, exactly one line on stderr that starts "dendrite: " and contains every fragment, no stack trace.</summary>
    public static CliResult AssertBadInput(CliResult r, params string[] fragments)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        string error = r.Error.TrimEnd('\r', '\n');
        Assert.True(error.Length > 0 && !error.Contains('\n'), $"expected one line on stderr:\n{r}");
        Assert.StartsWith("dendrite: ", error);
        foreach (var f in fragments) Assert.True(error.Contains(f, StringComparison.Ordinal), $"stderr does not mention '{f}':\n{r}");
        Assert.DoesNotContain("   at ", r.Error + r.Out);
        Assert.DoesNotContain("internal error", error);
        return r;
    }
}

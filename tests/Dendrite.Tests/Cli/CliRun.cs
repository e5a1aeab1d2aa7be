namespace Dendrite.Tests.Cli;

/// <summary>Shorthands over <see cref="Cli"/> for the model-file commands' tests (use only from <see cref="ConsoleCollection"/>).</summary>
internal static class CliRun
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var r = Cli.Run(args);
        return (r.ExitCode, r.Out, r.Error);
    }

    /// <summary>Exit code 2, one line on stderr, nothing on stdout; returns the line.</summary>
    public static string AssertBadInput(params string[] args) => AssertBadInput(true, args);

    public static string AssertBadInput(bool quiet, params string[] args)
    {
        var r = Cli.AssertBadInput(Cli.Run(args));
        if (quiet) Assert.Equal("", r.Out);
        return r.Error.TrimEnd('\r', '\n');
    }
}

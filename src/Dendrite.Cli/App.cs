using System.CommandLine;
using Dendrite.Cli.Commands;

namespace Dendrite.Cli;

/// <summary>
/// The dendrite command. Exit codes: 0 success, 1 a check that failed (gradcheck), 2 bad input of any kind
/// (options, files, specs), reported as one line on stderr.
/// </summary>
public static class App
{
    public const int BadInput = 2;

    public static int Run(string[] args)
    {
        var root = new RootCommand("Dendrite: build, train, inspect and benchmark neural networks in pure C#.");
        foreach (var command in Commands()) root.Subcommands.Add(command);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // All of them, on one line: for "dendrite fly" the first is only "Required command was not provided."
            Console.Error.WriteLine($"dendrite: {string.Join(" ", parsed.Errors.Select(e => e.Message))}");
            return BadInput;
        }
        using var signals = StopSignals.Listen();
        return Guard(() =>
        {
            // Where the command will write is checked before it does any work (an hour of training, say).
            OutputPaths.From(parsed).Check();
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        });
    }

    private static IEnumerable<Command> Commands() =>
    [
        TrainCommand.Create(),
        SummaryCommand.Create(),
        GradcheckCommand.Create(),
        BenchCommand.Create(),
        MakeDataCommand.Create(),
        PlotCommand.Create(),
        EvalCommand.Create(),
        PredictCommand.Create(),
        ExportCommand.Create(),
        ImportCommand.Create(),
        FiltersCommand.Create(),
        ActivationsCommand.Create(),
        ExplainCommand.Create(),
    ];

    /// <summary>Runs a command body and turns every kind of bad input into one line and exit code 2.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (MemoryLimitException e)
        {
            Console.Error.WriteLine($"dendrite: --model: {e.Message}");
            return BadInput;
        }
        catch (OutOfMemoryException)
        {
            // The machine (or DOTNET_GCHeapHardLimit) allows less than the data, model or batch need.
            Console.Error.WriteLine("dendrite: out of memory: the data, the model or the batch needs more than this process may have " +
                                    "(--stream reads images from disk as needed; --train-limit and --batch make it smaller)");
            return BadInput;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"dendrite: {e.Message}");
            return BadInput;
        }
        catch (Exception e)
        {
            // A defect, not bad input: still one line, with the type so it can be reported.
            Console.Error.WriteLine($"dendrite: internal error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static bool IsBadInput(Exception e) => e is UsageException or SpecException or ShapeException
        or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
        or TrainingDivergedException or ArgumentOutOfRangeException or IOException;
}

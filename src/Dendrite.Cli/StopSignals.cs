using System.Runtime.InteropServices;

namespace Dendrite.Cli;

/// <summary>
/// SIGINT (Ctrl-C), SIGTERM, SIGHUP and SIGQUIT while a command runs. During training (<see cref="Stoppable"/>) the
/// first SIGINT or SIGTERM cancels the run's token: the current step finishes, a checkpoint is written when one was
/// asked for, and the command exits 130 (SIGINT) or 143 (SIGTERM). Any other signal, or a second one, ends the process
/// at once, as the system would, after deleting the temporary files of writes in progress (and refusing new ones, as other
/// threads may run on for a moment) and the checkpoint lock.
/// </summary>
public static class StopSignals
{
    private static CancellationTokenSource? _training;

    /// <summary>The signal that stopped the training run, or null.</summary>
    public static PosixSignal? Received { get; private set; }

    /// <summary>Listens for the signals until disposed.</summary>
    public static IDisposable Listen()
    {
        var registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, Handle)).ToList();
        AppDomain.CurrentDomain.ProcessExit += Cleanup;
        return new Registrations(registrations);
    }

    /// <summary>A token that the first SIGINT or SIGTERM cancels, for one training run.</summary>
    public static CancellationToken Stoppable()
    {
        Received = null;
        _training = new CancellationTokenSource();
        return _training.Token;
    }

    /// <summary>Training is over: from now on a signal ends the process as any other command's would (after the cleanup).</summary>
    public static void TrainingEnded() => _training = null;

    /// <summary>The shell's exit code for a run stopped by <paramref name="signal"/>: 128 plus its number.</summary>
    public static int ExitCode(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 129,
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGQUIT => 131,
        _ => 143,
    };

    /// <summary>SIGINT's name as a user knows it.</summary>
    public static string Name(PosixSignal signal) => signal == PosixSignal.SIGINT ? "Ctrl-C (SIGINT)" : signal.ToString();

    private static void Handle(PosixSignalContext context)
    {
        if (Received is null && context.Signal is PosixSignal.SIGINT or PosixSignal.SIGTERM && _training is { } training)
        {
            Received = context.Signal;
            context.Cancel = true;
            training.Cancel();
            return;
        }
        Cleanup(null, EventArgs.Empty);
        // context.Cancel stays false: the system's default ends the process now.
    }

    private static void Cleanup(object? sender, EventArgs e)
    {
        OutputFile.EndWrites();
        CheckpointLock.ReleaseAll();
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in registrations) r.Dispose();
            AppDomain.CurrentDomain.ProcessExit -= Cleanup;
            _training = null;
            Received = null;
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Dendrite.Tests.IO;

namespace Dendrite.Tests.Cli;

/// <summary>
/// Ctrl-C and SIGTERM sent to a real dendrite process during training: it finishes the step, writes a checkpoint, says in
/// one line where the run is and how to resume, and exits 130 or 143; resuming gives the same weights as a run never
/// stopped. A second Ctrl-C ends it at once. No temporary file or lock is left behind.
/// </summary>
public partial class SignalTests
{
    private const string Spec = "conv(8,3,pad=1),relu,flatten,dense(4),softmax";
    private static readonly Lazy<string> Data = new(() => SmallData.Folder(SmallData.TempDir(), 1000, 40, 21));

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    private const int SigInt = 2, SigTerm = 15;

    /// <summary>Starts dendrite with <paramref name="args"/>; returns once it printed its "training" line.</summary>
    private static (Process Process, Task<string> Out, Task<string> Err) StartTraining(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dendrite.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        var started = new TaskCompletionSource();
        var stdout = new System.Text.StringBuilder();
        var outDone = Task.Run(() =>
        {
            while (p.StandardOutput.ReadLine() is { } line)
            {
                stdout.AppendLine(line);
                if (line.StartsWith("training ", StringComparison.Ordinal)) started.TrySetResult();
            }
            started.TrySetResult();
            return stdout.ToString();
        });
        var errDone = p.StandardError.ReadToEndAsync();
        Assert.True(started.Task.Wait(TimeSpan.FromSeconds(60)), "dendrite did not start training");
        return (p, outDone, errDone);
    }

    private static string[] Train(string dir, params string[] extra) =>
        ["train", "--data", Data.Value, "--model", Spec, "--epochs", "2", "--batch", "2", "--threads", "1", "--lr", "0.01",
         "--checkpoint", dir, "--checkpoint-every", "1", .. extra];

    // The uninterrupted run every resumed one must match bit for bit.
    private static readonly Lazy<SafeTensorsFile> Whole = new(() =>
    {
        var whole = Path.Combine(SmallData.TempDir(), "whole.safetensors");
        var (w, _, wErr) = StartTraining([.. Train(SmallData.TempDir()), "--out", whole]);
        Assert.True(w.WaitForExit(120_000));
        Assert.True(w.ExitCode == 0, wErr.Result);
        return SafeTensorsFile.Read(whole);
    });

    [Theory]
    [InlineData(SigInt, 130, "Ctrl-C (SIGINT)", 0)]     // before the first step
    [InlineData(SigInt, 130, "Ctrl-C (SIGINT)", 300)]   // a few steps in
    [InlineData(SigTerm, 143, "SIGTERM", 150)]
    public void A_signal_during_training_saves_the_run_and_says_how_to_resume(int signal, int exitCode, string name, int afterMs)
    {
        var dir = SmallData.TempDir();
        var (p, stdout, stderr) = StartTraining(Train(dir));
        Thread.Sleep(afterMs);
        Assert.Equal(0, Kill(p.Id, signal));
        Assert.True(p.WaitForExit(60_000), "did not stop");
        string err = stderr.Result.TrimEnd('\n');
        Assert.True(p.ExitCode == exitCode, $"exit {p.ExitCode}\n{stdout.Result}\n{err}");
        var newest = Checkpoint.List(dir)[0];
        Assert.Matches($"^dendrite: stopped by {Regex.Escape(name)} at epoch [12], after step \\d+ of it; " +
                       $"the run is in {Regex.Escape(newest)}; continue it with: dendrite train --resume {Regex.Escape(dir)}$", err);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        Assert.False(File.Exists(Path.Combine(dir, CheckpointLock.FileName)));

        // Resumed to the end, the weights are those of a run never stopped.
        var resumed = Path.Combine(dir, "resumed.safetensors");
        var (r, _, rErr) = StartTraining("train", "--resume", dir, "--out", resumed);
        Assert.True(r.WaitForExit(120_000));
        Assert.True(r.ExitCode == 0, rErr.Result);
        var a = SafeTensorsFile.Read(resumed);
        var b = Whole.Value;
        foreach (var e in a.Entries) Assert.Equal(b.Floats(b.Find(e.Name)!), a.Floats(e));
    }

    [Fact]
    public void A_second_ctrl_c_stops_at_once_and_leaves_no_temporary_file_or_lock()
    {
        var dir = SmallData.TempDir();
        var (p, _, _) = StartTraining(Train(dir));
        Thread.Sleep(200);
        Kill(p.Id, SigInt);
        Kill(p.Id, SigInt);
        Assert.True(p.WaitForExit(60_000), "did not stop");
        Assert.Equal(130, p.ExitCode);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        Assert.False(File.Exists(Path.Combine(dir, CheckpointLock.FileName)));
    }
}

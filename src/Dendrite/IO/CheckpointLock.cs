using System.Collections.Concurrent;
using System.Globalization;

namespace Dendrite;

/// <summary>
/// Claims a checkpoint folder for one training run: a file <c>dendrite.lock</c> in it holding the process id and when that
/// process started, created atomically. A second run finds it and is refused, naming the process, while that process
/// lives; a lock left by a process that no longer runs (killed with -9, say) is taken over, even when its id has since
/// been given to another process (the start time then differs). Disposing deletes it, and
/// <see cref="ReleaseAll"/> does so for every lock this process holds (a signal handler's last act).
/// </summary>
public sealed class CheckpointLock : IDisposable
{
    /// <summary>The lock file's name inside the folder.</summary>
    public const string FileName = "dendrite.lock";

    private static readonly ConcurrentDictionary<string, byte> Held = new();

    private CheckpointLock(string path) => Path = path;

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Creates <paramref name="dir"/> when missing and claims it.</summary>
    /// <exception cref="IOException">Another running process holds the folder; the message names its id.</exception>
    public static CheckpointLock Acquire(string dir)
    {
        Directory.CreateDirectory(dir);
        string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, FileName));
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                using (var writer = new StreamWriter(file))
                    writer.Write(Text(Environment.ProcessId) + (Started(Environment.ProcessId) is { } started ? " " + started : ""));
                Held[path] = 0;
                return new CheckpointLock(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                var (owner, since) = Owner(path);
                if (owner is int pid && pid != Environment.ProcessId && IsRunning(pid, since))
                    throw new IOException($"{dir}: in use by process {pid}, which is still training into it ({path}); wait for it to end, or use another folder");
                if (owner is null && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < TimeSpan.FromSeconds(5))
                    throw new IOException($"{dir}: another process is claiming it right now ({path}); wait for it to end, or use another folder");
                // Left by a process that has ended (or by an earlier run in this process): take it over.
                try { File.Delete(path); } catch (IOException) { }
            }
        }
        throw new IOException($"{dir}: cannot create {FileName}; another process keeps claiming the folder");
    }

    /// <summary>Deletes every lock file this process holds.</summary>
    public static void ReleaseAll()
    {
        foreach (var path in Held.Keys) Release(path);
    }

    /// <summary>Deletes the lock file.</summary>
    public void Dispose() => Release(Path);

    private static void Release(string path)
    {
        if (!Held.TryRemove(path, out _)) return;
        try
        {
            if (Owner(path).Pid == Environment.ProcessId) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A lock that cannot be deleted is taken over by the next run once this process has ended.
        }
    }

    private static string Text(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    // "PID" (an older lock) or "PID STARTED": the owner's id and start (null when the file does not say).
    private static (int? Pid, string? Started) Owner(string path)
    {
        try
        {
            var parts = File.ReadAllText(path).Trim().Split(' ', 2);
            return int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? (pid, parts.Length > 1 ? parts[1] : null) : (null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    /// <summary>
    /// When process <paramref name="pid"/> started, as text that differs between two processes given the same id: on Linux
    /// the boot's id and the start in clock ticks since boot (/proc/PID/stat, field 22), elsewhere the start time; null when
    /// there is no such process or it cannot be read.
    /// </summary>
    internal static string? Started(int pid)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // from field 3, after the command's name
                return $"{File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim()}/{fields[22 - 3]}";
            }
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return p.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    // Alive, and (when the lock says when its owner started) the same process, not a later one given the same id.
    private static bool IsRunning(int pid, string? started)
    {
        if (started is not null) return Started(pid) == started;
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

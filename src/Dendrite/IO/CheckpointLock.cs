using System.Collections.Concurrent;
using System.Globalization;

namespace Dendrite;

/// <summary>
/// Claims a checkpoint folder for one training run: a file <c>dendrite.lock</c> in it holding the process id, created
/// atomically. A second run finds it and is refused, naming the process, while that process lives; a lock left by a
/// process that no longer runs (killed with -9, say) is taken over. Disposing deletes it, and
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
                    writer.Write(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                Held[path] = 0;
                return new CheckpointLock(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                int? owner = Owner(path);
                if (owner is int pid && pid != Environment.ProcessId && IsRunning(pid))
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
            if (Owner(path) == Environment.ProcessId) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A lock that cannot be deleted is taken over by the next run once this process has ended.
        }
    }

    private static int? Owner(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsRunning(int pid)
    {
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

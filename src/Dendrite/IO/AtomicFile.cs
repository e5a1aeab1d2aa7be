using System.Collections.Concurrent;

namespace Dendrite;

/// <summary>
/// Replaces a file so that a crash at any moment leaves either the old or the new content, never a mix:
/// write a temporary file beside it (its name holds the process id, so two processes never share one), flush it to
/// the disk, then rename it over the target, and on Linux flush the folder too, so that the rename itself survives a
/// power cut (.NET has no call for that: libc's open and fsync). Only regular files are replaced: a device, a pipe or a
/// folder at the target is refused (<see cref="OutputFile.Check"/>); a symbolic link is followed to the file it names. Temporary files of writes in progress are listed,
/// so that a signal handler can remove them (<see cref="OutputFile.RemoveTemporaries"/>).
/// </summary>
internal static class AtomicFile
{
    public const string TempSuffix = ".tmp";

    private static readonly ConcurrentDictionary<string, byte> Live = new();

    /// <summary>The temporary file this process writes beside <paramref name="path"/>.</summary>
    public static string TempPath(string path) => $"{path}.{Environment.ProcessId}{TempSuffix}";

    public static void Write(string path, Action<Stream> write)
    {
        path = FollowLinks(path);
        OutputFile.RequireReplaceable(path);
        string temp = TempPath(path);
        lock (Live)
        {
            // A signal handler has cleaned up for the process's end: a write begun now would leave its temporary file.
            if (_ended) throw new IOException($"{path}: not written, the process is ending");
            Live[temp] = 0;
        }
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                if (_ended) throw new IOException($"{path}: not written, the process is ending"); // the cleanup ran before the file existed
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            Posix.FlushFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        finally
        {
            Live.TryRemove(temp, out _);
        }
    }

    private static bool _ended;

    /// <summary>
    /// The file a symbolic link at <paramref name="path"/> finally points to (followed through every link), or the path
    /// itself: writing through a link replaces what it names and keeps the link, as <c>cp</c> and editors do, where a
    /// rename over the link itself would turn the link into a separate file and leave its target stale.
    /// </summary>
    public static string FollowLinks(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is null) return path;
        var target = info.ResolveLinkTarget(returnFinalTarget: true);
        return target?.FullName ?? path;
    }

    /// <summary>Deletes every temporary file of a write still in progress; with <paramref name="end"/>, refuses new writes from then on.</summary>
    public static void RemoveTemporaries(bool end = false)
    {
        lock (Live)
        {
            _ended |= end;
            foreach (var temp in Live.Keys) TryDelete(temp);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write already failed; that error is the one to report.
        }
    }
}

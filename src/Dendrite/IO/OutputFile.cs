namespace Dendrite;

/// <summary>
/// The one rule for every file Dendrite writes (model files, checkpoints, ONNX, metrics, reports, pictures, CSV):
/// checked before any work starts (<see cref="Check"/>), then written to a temporary file in the same folder, flushed,
/// renamed over the target and the folder flushed, so a crash or a signal leaves the old file or the new one, never
/// half of one. Only regular files are ever replaced: a device such as /dev/full, a pipe, a socket or a folder is refused.
/// </summary>
public static class OutputFile
{
    /// <summary>
    /// Checks that <paramref name="path"/> can be written by the rule above, creating nothing that stays: the path is not
    /// empty, its folder exists and takes a new file (one is created and deleted), and whatever is there now is a regular
    /// file. A symbolic link is followed: its target's folder must take the new file. Returns the full path as given (a link stays a link).
    /// </summary>
    /// <exception cref="IOException">The message names the path and the problem.</exception>
    public static string Check(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new IOException("the path is empty");
        RequireReplaceable(path);
        string full = Path.GetFullPath(AtomicFile.FollowLinks(path));
        string folder = Path.GetDirectoryName(full) ?? throw new IOException($"{path}: is a root folder, not a file");
        if (!Directory.Exists(folder)) throw new IOException($"{path}: the folder {folder} does not exist");
        string probe = AtomicFile.TempPath(full);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None)) { }
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot create a file in {folder}: {e.Message}");
        }
        return Path.GetFullPath(path);
    }

    /// <summary>Whether two paths name the same existing file (the same inode where the system tells, else the same full path).</summary>
    public static bool SameFile(string a, string b)
    {
        if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b)) return false;
        var (_, idA) = Posix.Stat(a);
        var (_, idB) = Posix.Stat(b);
        if (idA is not null && idB is not null) return idA == idB;
        return string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
    }

    /// <summary>
    /// Deletes the temporary files of writes still in progress in this process. A handler of SIGINT or SIGTERM calls it
    /// before letting the process end, so that no half-written temporary file stays behind.
    /// </summary>
    public static void RemoveTemporaries() => AtomicFile.RemoveTemporaries();

    /// <summary>
    /// As <see cref="RemoveTemporaries"/>, and every write started afterwards in this process throws
    /// <see cref="IOException"/> instead of creating a temporary file: for a process that is about to end (a second
    /// Ctrl-C), whose other threads may still be running for a moment.
    /// </summary>
    public static void EndWrites() => AtomicFile.RemoveTemporaries(end: true);

    /// <summary>Refuses a target that exists and is not a regular file.</summary>
    internal static void RequireReplaceable(string path)
    {
        var (kind, _) = Posix.Stat(path);
        string? what = kind switch
        {
            Posix.Kind.Folder => "is a folder",
            Posix.Kind.CharacterDevice or Posix.Kind.BlockDevice => "is a device",
            Posix.Kind.Pipe => "is a pipe",
            Posix.Kind.Socket => "is a socket",
            Posix.Kind.Unknown => "is not a regular file",
            _ => null,
        };
        if (what is not null) throw new IOException($"{path}: {what}; only a regular file is written (by a new file renamed over it)");
    }
}

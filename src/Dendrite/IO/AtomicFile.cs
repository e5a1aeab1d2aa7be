namespace Dendrite;

/// <summary>
/// Replaces a file so that a crash at any moment leaves either the old or the new content, never a mix:
/// write a temporary file beside it, flush it to the disk, then rename it over the target.
/// </summary>
internal static class AtomicFile
{
    public const string TempSuffix = ".tmp";

    public static void Write(string path, Action<Stream> write)
    {
        string temp = path + TempSuffix;
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
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

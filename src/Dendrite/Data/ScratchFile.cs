using Microsoft.Win32.SafeHandles;

namespace Dendrite;

/// <summary>
/// Temporary files that streamed data sets read back: written once, opened for positioned reads, and unlinked as soon as
/// they are open, so nothing is left behind, even when the process is killed. They cost disk, not memory.
/// </summary>
internal static class ScratchFile
{
    /// <summary>A new temporary file filled by <paramref name="write"/>, open for reading and already unlinked.</summary>
    public static SafeFileHandle Create(string suffix, Action<FileStream> write)
    {
        string temp = Path.Combine(Path.GetTempPath(), $"dendrite-{Environment.ProcessId}-{Guid.NewGuid():N}{suffix}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20)) write(stream);
            return File.OpenHandle(temp, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
        }
        finally
        {
            File.Delete(temp); // an open file stays readable once unlinked
        }
    }

    /// <summary>Fills <paramref name="bytes"/> from <paramref name="offset"/> of <paramref name="file"/>; false when the file ends first.</summary>
    public static bool ReadExactly(SafeFileHandle file, Span<byte> bytes, long offset)
    {
        for (int read = 0; read < bytes.Length;)
        {
            int n = RandomAccess.Read(file, bytes[read..], offset + read);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}

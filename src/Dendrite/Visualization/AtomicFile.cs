namespace Dendrite.Visualization;

/// <summary>Replaces a file in one rename, so a browser or a watcher never reads it half written.</summary>
public static class AtomicFile
{
    public static void Write(string path, byte[] content)
    {
        var full = Path.GetFullPath(path);
        var temp = full + $".{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, full, overwrite: true);
    }

    public static void Write(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));
}

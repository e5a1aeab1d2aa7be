using System.Runtime.InteropServices;

namespace Dendrite;

/// <summary>
/// The few libc calls .NET does not offer: fsync of a folder, and stat's file type and identity (device and inode).
/// Each degrades to "unknown" where there is no libc, so callers fall back to what .NET can tell.
/// </summary>
internal static partial class Posix
{
    /// <summary>What stat says a path is.</summary>
    public enum Kind { Missing, Regular, Folder, CharacterDevice, BlockDevice, Pipe, Socket, Unknown }

    private const int ModeMask = 0xF000;

    /// <summary>fsync of the folder's entry list where the platform allows it; best effort, as the file itself is already safe.</summary>
    public static void FlushFolder(string folder)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            int fd = open(folder, 0); // O_RDONLY: enough to fsync a folder
            if (fd < 0) return;
            fsync(fd);
            close(fd);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to call: the rename is still atomic, only not yet forced to the disk.
        }
    }

    /// <summary>The kind of file at <paramref name="path"/> (links followed), and its (device, inode) identity when known.</summary>
    public static (Kind Kind, (ulong Device, ulong Inode)? Id) Stat(string path)
    {
        if (OperatingSystem.IsLinux() && ModeOffset() is int offset)
        {
            try
            {
                var buffer = new byte[256]; // struct stat is 144 bytes on x64, 128 on arm64
                if (stat(path, buffer) != 0) return (Kind.Missing, null);
                int mode = BitConverter.ToInt32(buffer, offset) & ModeMask;
                var kind = mode switch
                {
                    0x8000 => Kind.Regular,
                    0x4000 => Kind.Folder,
                    0x2000 => Kind.CharacterDevice,
                    0x6000 => Kind.BlockDevice,
                    0x1000 => Kind.Pipe,
                    0xC000 => Kind.Socket,
                    _ => Kind.Unknown,
                };
                return (kind, (BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8)));
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // fall through to what .NET can tell
            }
        }
        if (Directory.Exists(path)) return (Kind.Folder, null);
        return (File.Exists(path) ? Kind.Regular : Kind.Missing, null);
    }

    // st_mode's offset in glibc's struct stat: after st_dev, st_ino and (on x64) st_nlink.
    private static int? ModeOffset() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 24,
        Architecture.Arm64 => 16,
        _ => null,
    };

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int stat(string path, byte[] buffer);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}

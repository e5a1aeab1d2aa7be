namespace Dendrite.Gpu;

/// <summary>The device asked for is not there (no NVIDIA GPU, no driver); the message says which and why, in one line.</summary>
public sealed class DeviceUnavailableException : Exception
{
    /// <summary>An exception with its one-line message.</summary>
    public DeviceUnavailableException(string message) : base(message) { }

    /// <summary>An exception with its one-line message and the error that caused it.</summary>
    public DeviceUnavailableException(string message, Exception inner) : base(message, inner) { }
}

namespace Dendrite.Gpu;

/// <summary>Engines by device name, what <c>--device</c> takes: <c>cpu</c> (the default), <c>cuda</c>, <c>ilgpu-cpu</c>.</summary>
public static class DeviceEngines
{
    /// <summary>Every device name, <c>cpu</c> first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", .. IlgpuBackend.DeviceNames];

    /// <summary>
    /// An engine on <paramref name="device"/>: the CPU engine with <paramref name="threads"/> threads (all cores when 0),
    /// or one whose networks train and predict on the ILGPU device (its host threads likewise).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown device name.</exception>
    /// <exception cref="DeviceUnavailableException">The device is not there (cuda without an NVIDIA GPU or driver).</exception>
    public static Engine Create(string device, int threads = 0)
    {
        if (device == "cpu") return threads == 0 || threads == Engine.Default.Threads ? Engine.Default : new Engine(threads);
        if (!IlgpuBackend.DeviceNames.Contains(device))
            throw new ArgumentException($"unknown device '{device}'; choose one of {string.Join(", ", Names)}");
        return new Engine(IlgpuBackend.Create(device), threads);
    }
}

using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Dendrite.Gpu;

/// <summary>
/// Dendrite's kernels compiled by ILGPU at run time: <c>cuda</c> runs them on the first NVIDIA GPU (PTX through the
/// driver; no CUDA toolkit), <c>ilgpu-cpu</c> on ILGPU's CPU accelerator, which runs the same kernels as managed code
/// and is how tests check them without a GPU (slowly: it emulates GPU threads). Make an engine of it with
/// <see cref="DeviceEngines.Create"/> or <c>new Engine(IlgpuBackend.Create("cuda"))</c>. One backend per device is shared by
/// the process (<see cref="Create"/> returns it again): compiling the kernels takes seconds, and an accelerator holds the device.
/// </summary>
public sealed class IlgpuBackend : DeviceBackend
{
    private static readonly Dictionary<string, IlgpuBackend> Shared = [];
    private readonly Context _context;
    private readonly DeviceKernels _kernels;

    private IlgpuBackend(string name, Context context, Accelerator accelerator)
    {
        Name = name;
        _context = context;
        Accelerator = accelerator;
        _kernels = new DeviceKernels(accelerator);
        Description = accelerator.AcceleratorType == AcceleratorType.CPU
            ? $"ILGPU CPU accelerator, {accelerator.NumMultiprocessors} x {accelerator.MaxNumThreadsPerGroup} threads"
            : $"{accelerator.Name}, {accelerator.MemorySize / (1L << 30)} GiB";
    }

    /// <summary>The device names this backend takes: <c>cuda</c> and <c>ilgpu-cpu</c>.</summary>
    public static IReadOnlyList<string> DeviceNames { get; } = ["cuda", "ilgpu-cpu"];

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string Description { get; }

    /// <summary>The ILGPU accelerator the kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>
    /// The process's backend for <paramref name="device"/> (<c>cuda</c> or <c>ilgpu-cpu</c>), created on first call.
    /// </summary>
    /// <exception cref="ArgumentException">Another device name.</exception>
    /// <exception cref="DeviceUnavailableException">cuda was asked for and no NVIDIA GPU with a working driver was found.</exception>
    public static IlgpuBackend Create(string device)
    {
        lock (Shared)
        {
            if (Shared.TryGetValue(device, out var backend)) return backend;
            backend = device switch
            {
                "cuda" => CreateCuda(),
                // One multiprocessor per core, 16 threads each: the fastest setting measured on 2 cores (27 ms for a
                // 64 x 256 x 784 GEMM against 185 ms with one multiprocessor).
                "ilgpu-cpu" => Open(device, b => b.CPU(new CPUDevice(4, 4, Math.Max(1, Environment.ProcessorCount))),
                    c => c.CreateCPUAccelerator(0, CPUAcceleratorMode.Parallel)),
                _ => throw new ArgumentException($"unknown device '{device}'; the ILGPU backend has {string.Join(", ", DeviceNames)}"),
            };
            return Shared[device] = backend;
        }
    }

    private static IlgpuBackend CreateCuda()
    {
        Context? context = null;
        try
        {
            context = Context.Create(b => b.Cuda().Optimize(OptimizationLevel.O2));
            if (context.GetCudaDevices().Count == 0)
                throw new DeviceUnavailableException("no NVIDIA GPU found (ILGPU sees no CUDA device; is the NVIDIA driver installed?)");
            return new IlgpuBackend("cuda", context, context.CreateCudaAccelerator(0));
        }
        catch (Exception e) when (e is not DeviceUnavailableException)
        {
            context?.Dispose();
            throw new DeviceUnavailableException($"the NVIDIA GPU cannot be used ({e.GetType().Name}: {e.Message.Split('\n')[0].Trim()})", e);
        }
        catch
        {
            context?.Dispose();
            throw;
        }
    }

    private static IlgpuBackend Open(string name, Action<Context.Builder> configure, Func<Context, Accelerator> accelerator)
    {
        var context = Context.Create(b => configure(b.Optimize(OptimizationLevel.O2)));
        return new IlgpuBackend(name, context, accelerator(context));
    }

    /// <summary>The device twin of a built network; <see cref="NotSupportedException"/> names a layer with no kernels here.</summary>
    public override DeviceNetwork Attach(Sequential network) => new IlgpuNetwork(network, _kernels, Name);

    /// <summary>Tests: GEMM through the shared-memory kernel (true) or the register kernel, whichever device this is.</summary>
    internal bool TiledGemm
    {
        get => _kernels.TiledGemm;
        set => _kernels.TiledGemm = value;
    }

    internal DeviceKernels Kernels => _kernels;
}

using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>Which microkernel family the GEMM runs: the widest the CPU supports unless a test forces another.</summary>
internal enum GemmPath
{
    /// <summary>System.Numerics.Vector&lt;float&gt;: any CPU, 4 x (2 vectors) tiles.</summary>
    Portable,
    /// <summary>AVX2 + FMA: 6 x 16 tiles in ymm registers.</summary>
    Avx2,
    /// <summary>AVX-512F: 6 x 64 tiles in zmm registers.</summary>
    Avx512,
}

internal static class GemmPaths
{
    public static readonly GemmPath Best =
        Avx512F.IsSupported ? GemmPath.Avx512 : Avx2.IsSupported && Fma.IsSupported ? GemmPath.Avx2 : GemmPath.Portable;

    public static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Avx512 => Avx512F.IsSupported,
        GemmPath.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        _ => true,
    };

    /// <summary>Every path this machine can run, for tests and benchmarks.</summary>
    public static GemmPath[] Supported() => Enum.GetValues<GemmPath>().Where(IsSupported).ToArray();
}

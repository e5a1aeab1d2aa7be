using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dendrite.Kernels;

/// <summary>
/// Activations as 16-lane loops where System.Numerics.Tensors' are slower: its Tanh (0.59-0.70 ns per value against
/// 0.38-0.56 for this rational approximation, 300k values, Zen 4, shared host) and its Max(x, 0), which takes a slower
/// path to propagate NaN (1.0 ns per value against 0.1 here, measured by the benchmarks' `elementwise` mode). Each keeps
/// the reference's NaN and infinity behaviour.
/// </summary>
internal static class VectorMath
{
    // tanh(x) ≈ x P(x²) / Q(x²) on [-7.9, 7.9], ±1 beyond: the rational approximation Eigen and ONNX Runtime's MLAS use
    // (a few ulp from the exact value); below 0.0004 in magnitude tanh(x) is x to float precision, from 9 on it is ±1.
    private const float Clamp = 7.90531110763549805f, Tiny = 0.0004f, Saturated = 9f;
    private const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f,
        A7 = 5.12229709037114e-08f, A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
    private const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    /// <summary>y = tanh(x), in place allowed; within 1e-6 of the exact value (tested against <see cref="TanhScalar"/> over [-20, 20]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= x.Length - 16; i += 16) Tanh(Vector512.Create(x.Slice(i, 16))).CopyTo(y.Slice(i, 16));
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= x.Length - 8; i += 8) Tanh(Vector256.Create(x.Slice(i, 8))).CopyTo(y.Slice(i, 8));
        for (; i < x.Length; i++) y[i] = TanhScalar(x[i]);
    }

    /// <summary>The same approximation for one value.</summary>
    public static float TanhScalar(float x)
    {
        if (float.IsNaN(x)) return x;
        float c = Math.Clamp(x, -Clamp, Clamp), s = c * c;
        float p = c * (A1 + s * (A3 + s * (A5 + s * (A7 + s * (A9 + s * (A11 + s * A13))))));
        float q = B0 + s * (B2 + s * (B4 + s * B6));
        return MathF.Abs(x) < Tiny ? x : MathF.Abs(x) >= Saturated ? MathF.CopySign(1f, x) : p / q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tanh(Vector512<float> x)
    {
        var c = Vector512.Min(Vector512.Max(x, Vector512.Create(-Clamp)), Vector512.Create(Clamp));
        var s = c * c;
        var p = Vector512.FusedMultiplyAdd(s, Vector512.Create(A13), Vector512.Create(A11));
        p = Vector512.FusedMultiplyAdd(s, p, Vector512.Create(A9));
        p = Vector512.FusedMultiplyAdd(s, p, Vector512.Create(A7));
        p = Vector512.FusedMultiplyAdd(s, p, Vector512.Create(A5));
        p = Vector512.FusedMultiplyAdd(s, p, Vector512.Create(A3));
        p = Vector512.FusedMultiplyAdd(s, p, Vector512.Create(A1)) * c;
        var q = Vector512.FusedMultiplyAdd(s, Vector512.Create(B6), Vector512.Create(B4));
        q = Vector512.FusedMultiplyAdd(s, q, Vector512.Create(B2));
        q = Vector512.FusedMultiplyAdd(s, q, Vector512.Create(B0));
        var abs = Vector512.Abs(x);
        var keep = Vector512.LessThan(abs, Vector512.Create(Tiny)) | ~Vector512.Equals(x, x);
        var y = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(abs, Vector512.Create(Saturated)), Vector512.CopySign(Vector512<float>.One, x), p / q);
        return Vector512.ConditionalSelect(keep, x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Tanh(Vector256<float> x)
    {
        var c = Vector256.Min(Vector256.Max(x, Vector256.Create(-Clamp)), Vector256.Create(Clamp));
        var s = c * c;
        var p = Vector256.FusedMultiplyAdd(s, Vector256.Create(A13), Vector256.Create(A11));
        p = Vector256.FusedMultiplyAdd(s, p, Vector256.Create(A9));
        p = Vector256.FusedMultiplyAdd(s, p, Vector256.Create(A7));
        p = Vector256.FusedMultiplyAdd(s, p, Vector256.Create(A5));
        p = Vector256.FusedMultiplyAdd(s, p, Vector256.Create(A3));
        p = Vector256.FusedMultiplyAdd(s, p, Vector256.Create(A1)) * c;
        var q = Vector256.FusedMultiplyAdd(s, Vector256.Create(B6), Vector256.Create(B4));
        q = Vector256.FusedMultiplyAdd(s, q, Vector256.Create(B2));
        q = Vector256.FusedMultiplyAdd(s, q, Vector256.Create(B0));
        var abs = Vector256.Abs(x);
        var keep = Vector256.LessThan(abs, Vector256.Create(Tiny)) | ~Vector256.Equals(x, x);
        var y = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(abs, Vector256.Create(Saturated)), Vector256.CopySign(Vector256<float>.One, x), p / q);
        return Vector256.ConditionalSelect(keep, x, y);
    }

    /// <summary>y = max(0, x) with NaN kept (as TensorPrimitives.Max(x, 0) does), in place allowed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= x.Length - 16; i += 16)
            {
                var v = Vector512.Create(x.Slice(i, 16));
                Vector512.ConditionalSelect(Vector512.GreaterThan(v, default) | ~Vector512.Equals(v, v), v, default).CopyTo(y.Slice(i, 16));
            }
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= x.Length - 8; i += 8)
            {
                var v = Vector256.Create(x.Slice(i, 8));
                Vector256.ConditionalSelect(Vector256.GreaterThan(v, default) | ~Vector256.Equals(v, v), v, default).CopyTo(y.Slice(i, 8));
            }
        for (; i < x.Length; i++) y[i] = x[i] > 0f || float.IsNaN(x[i]) ? x[i] : 0f;
    }
}
